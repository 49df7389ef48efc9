import { useMemo } from 'react';
import { exportModel, exportOnnxFile, exportTeachable, runDrift, useShallow, useStudio } from '../../state';
import { Alert } from '../common/Alert';
import { RunDriftNotice } from '../common/RunDriftNotice';
import { ExportButtons } from './ExportButtons';
import { UsageSnippet } from './UsageSnippet';

/** What changed since the run (settings on screen, the data), recomputed only when those change. */
function useRunDrift(): string[] {
  const { runRecord, images, split, settings } = useStudio(
    useShallow((s) => ({ runRecord: s.runRecord, images: s.images, split: s.split, settings: s.settings })),
  );
  return useMemo(() => runDrift({ runRecord, images, split, settings }), [runRecord, images, split, settings]);
}

export function ExportPanel() {
  // The download describes the run's model: its input, range and labels come from the run record.
  const { exporting, exportError, record, busy } = useStudio(
    useShallow((s) => ({
      exporting: s.exporting,
      exportError: s.exportError,
      record: s.runRecord,
      busy: s.status === 'running' || s.status === 'loading' || s.status === 'stopping',
    })),
  );
  const drift = useRunDrift();
  const size = record?.input.imageSize ?? 0;
  const [lo, hi] = record?.input.inputRange ?? [0, 1];
  const labels = record?.labels ?? [];
  const trained = record
    ? `${record.metrics.epochsCompleted} of ${record.settings.epochs} epochs at learning rate ${record.settings.learningRate}, ${labels.length} classes, ${size} px input`
    : '';
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
      <ExportButtons exporting={exporting} disabled={busy} onTfjs={() => void exportModel()} onOnnx={() => void exportOnnxFile()} />{' '}
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
      <RunDriftNotice trained={trained} changes={drift} />
      {exportError && <Alert action={{ label: 'Try again', onClick: () => void exportModel() }}>{exportError}</Alert>}
      <UsageSnippet code={snippet} />
    </div>
  );
}
