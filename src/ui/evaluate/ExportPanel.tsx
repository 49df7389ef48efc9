import { exportModel, exportOnnxFile, exportTeachable, useShallow, useStudio } from '../../state';
import { Alert } from '../common/Alert';

export function ExportPanel() {
  const { exporting, exportError, size, labels, busy, lo, hi } = useStudio(
    useShallow((s) => ({
      lo: s.summary?.inputRange[0] ?? 0,
      hi: s.summary?.inputRange[1] ?? 1,
      exporting: s.exporting,
      exportError: s.exportError,
      size: s.settings.imageSize,
      labels: s.runLabels,
      busy: s.status === 'running' || s.status === 'loading' || s.status === 'stopping',
    })),
  );
  const snippet = `import * as tf from '@tensorflow/tfjs';

// Unzip the download next to your page: model.json, weights.bin, metadata.json.
const meta = await (await fetch('metadata.json')).json();
const model = await tf.loadLayersModel('model.json');

async function classify(img) {      // an <img>, <canvas> or ImageBitmap
  const x = tf.tidy(() => tf.browser.fromPixels(img)                // stretch to imageSize
    .resizeBilinear([meta.imageSize, meta.imageSize])               // ${size} × ${size}
    .toFloat().div(255)${lo === 0 && hi === 1 ? '' : `.mul(${hi - lo}).add(${lo})`}                                             // inputRange [${lo}, ${hi}]
    .expandDims(0));
  const y = model.predict(x);
  const p = await y.data();                                         // never dataSync(): it blocks the page
  tf.dispose([x, y]);
  return meta.labels.map((label, i) => ({ label, p: p[i] }));       // ${JSON.stringify(labels.slice(0, 3))}${labels.length > 3 ? '…' : ''}
}`;
  return (
    <div className="export">
      <h3>Export</h3>
      <p>
        One .zip with <code>model.json</code>, <code>weights.bin</code> (TF.js Layers format), <code>metadata.json</code> (labels, input
        size, preprocessing, settings and metrics) and a model card, <code>README.md</code>.
      </p>
      <button
        type="button"
        className="btn btn-primary"
        data-testid="export.tfjs"
        disabled={exporting || busy}
        onClick={() => void exportModel()}
      >
        {exporting ? 'Preparing the download…' : 'Download TF.js model (.zip)'}
      </button>{' '}
      <button type="button" className="btn" data-testid="export.onnx" disabled={exporting || busy} onClick={() => void exportOnnxFile()}>
        ONNX (.onnx)
      </button>{' '}
      <button
        type="button"
        className="btn"
        data-testid="export.teachable"
        disabled={exporting || busy}
        onClick={() => void exportTeachable()}
      >
        Teachable Machine (.zip)
      </button>
      <p className="hint">
        ONNX takes the same NHWC pixels in [{lo}, {hi}] as the TF.js model. The Teachable Machine package takes TM's 224 px input scaled to
        [−1, 1], so code written for Teachable Machine image models runs it unchanged. All made on this device.
      </p>
      {exportError && <Alert action={{ label: 'Try again', onClick: () => void exportModel() }}>{exportError}</Alert>}
      <details className="snippet">
        <summary>Use it in your own page</summary>
        <pre>
          <code>{snippet}</code>
        </pre>
      </details>
    </div>
  );
}
