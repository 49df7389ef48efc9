/**
 * The bar for ONNX: a fine-tuned MobileNetV2, exported, agrees with the TF.js model in
 * onnxruntime-web on real pictures — same top class on ≥ 99 %, max |Δp| < 1e-3.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { makeGreyShapes } from '../../../scripts/make-fixtures.mjs';
import { createTrainingEngine } from '../../engine/engine';
import { arraySource } from '../../engine/sources';
import { DEFAULT_SETTINGS } from '../../engine/types';
import { loadBundledBackbone } from '../../test/bundled';
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from './onnx';

const SIZE = 96;

function pixels(grey: Uint8Array): Float32Array {
  return tf.tidy(() => {
    const g = tf.tensor3d(
      Float32Array.from(grey, (v) => v / 255),
      [56, 56, 1],
    );
    return tf.image.resizeBilinear(tf.tile(g, [1, 1, 3]) as tf.Tensor3D, [SIZE, SIZE]).dataSync() as Float32Array;
  });
}

describe('ONNX export of a fine-tuned MobileNetV2', () => {
  it('agrees with TF.js on 120 pictures: same top class ≥ 99 %, max |Δp| < 1e-3', async () => {
    await tf.setBackend('cpu');
    const train = makeGreyShapes({ perClass: 12, size: 56, seed: 31 });
    const engine = createTrainingEngine(tf);
    await engine.loadModel('mobilenet-v2', 'MobileNetV2', loadBundledBackbone, [0, 1]);
    await engine.train(
      { ...DEFAULT_SETTINGS, imageSize: SIZE, epochs: 3, batchSize: 16 },
      train.labels,
      arraySource(
        train.images.map((i) => pixels(i.grey)),
        train.images.map((i) => train.labels.indexOf(i.label)),
        SIZE,
      ),
      arraySource([], [], SIZE),
      () => {},
    );
    const model = engine.classifier();
    if (!model) throw new Error('no model');
    const bytes = await exportOnnx(model, { inputSize: SIZE, labels: train.labels });
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });

    const test = makeGreyShapes({ perClass: 30, size: 56, seed: 77 });
    let same = 0;
    let maxDiff = 0;
    for (let start = 0; start < test.images.length; start += 20) {
      const chunk = test.images.slice(start, start + 20).map((i) => pixels(i.grey));
      const flat = new Float32Array(chunk.length * SIZE * SIZE * 3);
      chunk.forEach((p, k) => flat.set(p, k * SIZE * SIZE * 3));
      const ours = await (model.predict(tf.tensor4d(flat, [chunk.length, SIZE, SIZE, 3])) as tf.Tensor).data();
      const out = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', flat, [chunk.length, SIZE, SIZE, 3]) });
      const theirs = (out[ONNX_OUTPUT] as ort.Tensor).data as Float32Array;
      const k = train.labels.length;
      for (let i = 0; i < chunk.length; i++) {
        const a = Array.from(ours.subarray(i * k, (i + 1) * k));
        const b = Array.from(theirs.subarray(i * k, (i + 1) * k));
        if (a.indexOf(Math.max(...a)) === b.indexOf(Math.max(...b))) same++;
        a.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - (b[j] ?? 0)))));
      }
    }
    console.log(`ONNX vs TF.js on ${test.images.length} pictures: same top class ${same}, max |Δp| ${maxDiff.toExponential(2)}`);
    expect(same / test.images.length).toBeGreaterThanOrEqual(0.99);
    expect(maxDiff).toBeLessThan(1e-3);
    engine.dispose();
  }, 300_000);
});
