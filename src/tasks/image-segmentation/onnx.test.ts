/**
 * The segmentation model's ONNX download agrees with its TF.js model: the bundled MobileNetV2 at
 * 128 px with the U-Net decoder, trained for an epoch on generated cells, then 20 held-out pictures
 * through TF.js (WASM) and onnxruntime-web (WASM): max |Δp| < 1e-4, the same mask.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { makeSegSample } from '../../../scripts/make-seg-sample.mjs';
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from '../../models/export/onnx';
import { DEFAULT_SETTINGS, NO_AUGMENTATION } from '../../engine/types';
import { bundledBackboneAt } from '../../test/bundled';
import { startWasm } from '../../test/wasm';
import { applySegFreezing, composeSegmenter } from './model';
import { arraySegSource, runSegmentation } from './runner';

const SIZE = 128;

function pairs(count: number, seed: number) {
  const set = makeSegSample({ count, size: SIZE, seed });
  return { pixels: set.items.map((it) => Float32Array.from(it.rgb, (v) => v / 255)), masks: set.items.map((it) => it.mask) };
}

beforeAll(async () => {
  await startWasm();
  ort.env.wasm.numThreads = 1;
});

describe('ONNX export of the segmenter', () => {
  it('gives the probabilities TF.js gives on 20 held-out pictures', async () => {
    const { model } = composeSegmenter(tf, await bundledBackboneAt(SIZE), { numClasses: 3, seed: 7 });
    applySegFreezing(model, new Set());
    const train = pairs(16, 21);
    await runSegmentation({
      tf,
      model,
      settings: { ...DEFAULT_SETTINGS, imageSize: SIZE, epochs: 1, batchSize: 8, learningRate: 0.001, augmentation: NO_AUGMENTATION },
      numClasses: 3,
      inputRange: [0, 1],
      train: arraySegSource(train.pixels, train.masks, SIZE),
      val: arraySegSource([], [], SIZE),
      loss: { diceWeight: 1, classWeights: null },
      onEvent: () => {},
      shouldStop: () => false,
    });
    const bytes = await exportOnnx(model, { inputSize: SIZE, labels: ['background', 'nucleus', 'cell'] });
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const test = pairs(20, 31);
    let worst = 0;
    let sameMask = 0;
    const per = SIZE * SIZE;
    for (let start = 0; start < 20; start += 5) {
      const batch = test.pixels.slice(start, start + 5);
      const x = new Float32Array(batch.length * per * 3);
      batch.forEach((p, i) => x.set(p, i * per * 3));
      const ours = tf.tidy(() => model.predict(tf.tensor4d(x, [batch.length, SIZE, SIZE, 3])) as tf.Tensor);
      const a = await ours.data();
      ours.dispose();
      const out = (await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', x, [batch.length, SIZE, SIZE, 3]) }))[ONNX_OUTPUT];
      expect(out?.dims).toEqual([batch.length, SIZE, SIZE, 3]);
      const b = out?.data as Float32Array;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
      for (let p = 0; p < batch.length * per; p++) {
        const argmax = (v: ArrayLike<number>) => [0, 1, 2].reduce((m, c) => ((v[p * 3 + c] ?? 0) > (v[p * 3 + m] ?? 0) ? c : m), 0);
        if (argmax(a) === argmax(b)) sameMask++;
      }
    }
    console.log(
      `segmenter ONNX vs TF.js on 20 pictures: max |Δp| ${worst.toExponential(2)}, same class on ${((100 * sameMask) / (20 * per)).toFixed(3)}% of pixels`,
    );
    expect(worst).toBeLessThan(1e-4);
    expect(sameMask / (20 * per)).toBeGreaterThan(0.999);
    model.dispose();
  });
});
