import { exportSeg, isBusy, useShallow, useStudio } from '../../state';
import { Alert } from '../common/Alert';
import { ExportButtons } from '../evaluate/ExportButtons';
import { UsageSnippet } from '../evaluate/UsageSnippet';

/** Downloads of the trained segmenter: the TF.js zip and one .onnx file. */
export function SegExport() {
  const { exporting, exportError, hasRun, busy, size, labels } = useStudio(
    useShallow((s) => {
      const record = s.runRecord?.task === 'image-segmentation' ? s.runRecord : null;
      return {
        exporting: s.seg.exporting,
        exportError: s.seg.exportError,
        hasRun: s.result !== null,
        busy: isBusy(s.status),
        size: record?.input.imageSize ?? s.settings.imageSize,
        labels: record?.labels.length ?? s.seg.classNames.length,
      };
    }),
  );
  const snippet = `const meta = await (await fetch('metadata.json')).json();
const model = await tf.loadLayersModel('model.json');
const x = tf.tidy(() => tf.browser.fromPixels(img)
  .resizeBilinear([meta.imageSize, meta.imageSize])   // ${size} × ${size}, stretched
  .toFloat().div(255)                                  // then map [0, 1] to meta.inputRange
  .expandDims(0));
const probs = model.predict(x);                        // [1, ${size}, ${size}, ${labels}]
const mask = await probs.argMax(-1).squeeze().data();  // a class index per pixel (0 = background)
tf.dispose([x, probs]);`;
  return (
    <div className="export">
      <h3>Export</h3>
      <p>
        One .zip with <code>model.json</code> and its weights (TF.js Layers), <code>metadata.json</code> (labels, input size, preprocessing,
        settings and metrics) and <code>README.md</code>; or one <code>.onnx</code> file of the same model. Input: an RGB picture stretched
        to {size} × {size}; output: each pixel&apos;s probabilities for the {labels} classes (the first is the background). The mask is the
        most probable class per pixel, resized back to the picture with nearest neighbour.
      </p>
      <ExportButtons
        exporting={exporting}
        disabled={busy || !hasRun}
        onTfjs={() => void exportSeg('tfjs')}
        onOnnx={() => void exportSeg('onnx')}
      />
      {!hasRun && <p className="muted">Train a model in step 3 first.</p>}
      {exportError && <Alert action={{ label: 'Try again', onClick: () => void exportSeg('tfjs') }}>{exportError}</Alert>}
      <UsageSnippet code={snippet} />
    </div>
  );
}
