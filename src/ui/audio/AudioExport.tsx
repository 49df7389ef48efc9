import { useState } from 'react';
import { exportAudio, isBusy, useShallow, useStudio } from '../../state';
import { Alert } from '../common/Alert';
import { ExportButtons } from '../evaluate/ExportButtons';
import { UsageSnippet } from '../evaluate/UsageSnippet';

const SNIPPET = `// Node 20+: npm install @tensorflow/tfjs, and unzip the download into ./model
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { features } from './model/frontend.js';

const dir = './model/';
const meta = JSON.parse(readFileSync(dir + 'metadata.json', 'utf8'));
const json = JSON.parse(readFileSync(dir + 'model.json', 'utf8'));
const groups = json.weightsManifest;
const bin = Buffer.concat(groups.flatMap((g) => g.paths).map((p) => readFileSync(dir + p)));
const model = await tf.loadLayersModel(tf.io.fromMemory({
  modelTopology: json.modelTopology,
  weightSpecs: groups.flatMap((g) => g.weights),
  weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
}));   // with @tensorflow/tfjs-node: tf.loadLayersModel('file://model/model.json')

// samples: mono Float32Array in [-1, 1] at any rate (e.g. from a WAV decoder; average stereo channels)
const { data, shape } = features(samples, sampleRate);    // [windows, imageSize, imageSize, 3]
const probs = tf.tidy(() => model.predict(tf.tensor(data, shape)).mean(0));   // the mean over the windows
const p = await probs.data();
probs.dispose();
console.log(meta.labels.map((label, i) => \`\${label}: \${(p[i] * 100).toFixed(1)}%\`).join('\\n'));`;

/** Downloads of the trained audio classifier: the TF.js zip (with its front end) and one .onnx file. */
export function AudioExport() {
  const { exporting, exportError, hasRun, busy } = useStudio(
    useShallow((s) => ({
      exporting: s.audio.exporting,
      exportError: s.audio.exportError,
      hasRun: s.result !== null,
      busy: isBusy(s.status),
    })),
  );
  // "Try again" retries the download that failed.
  const [format, setFormat] = useState<'tfjs' | 'onnx'>('tfjs');
  const download = (f: 'tfjs' | 'onnx') => {
    setFormat(f);
    void exportAudio(f);
  };
  return (
    <div className="export">
      <h3>Export</h3>
      <ul className="audio-export-list">
        <li>
          <strong>TF.js (.zip)</strong>: <code>model.json</code> and its weights, <code>frontend.js</code> (turns samples at any rate into
          the model&apos;s input; no imports), <code>metadata.json</code> (labels, front-end and training settings, metrics) and{' '}
          <code>README.md</code>.
        </li>
        <li>
          <strong>ONNX (.onnx)</strong>: one file of the same model.
        </li>
      </ul>
      <p className="muted small">
        Both read log-mel spectrogram windows drawn as images, as <code>frontend.js</code> makes them; a clip&apos;s probabilities are the
        mean over its windows.
      </p>
      <ExportButtons exporting={exporting} disabled={busy || !hasRun} onTfjs={() => download('tfjs')} onOnnx={() => download('onnx')} />
      {!hasRun && <p className="muted">Train a model in step 3 first.</p>}
      {exportError && <Alert action={{ label: 'Try again', onClick: () => download(format) }}>{exportError}</Alert>}
      <UsageSnippet code={SNIPPET} summary="Run it in Node on a .wav" />
    </div>
  );
}
