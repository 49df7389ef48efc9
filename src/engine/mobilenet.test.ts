/**
 * The bar, in Node on WASM: the bundled MobileNetV2, head only, the studio's default settings,
 * a 4-class set of 50 grey-scale 56×56 pictures per class → validation accuracy ≥ 0.8 in the default epochs;
 * the exported model, reloaded with plain tf.loadLayersModel, classifies unseen pictures at ≥ 0.75.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createTrainingEngine } from './engine';
import { arraySource } from './sources';
import { DEFAULT_SETTINGS } from './types';
import { autoInputSize } from './autosize';
import { splitDataset } from '../data/split';
import { loadBundledBackbone, reloadExport } from '../test/bundled';
import { makeGreyShapes } from '../../scripts/make-fixtures.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
// The studio's default input size for 56 px pictures (auto: not blown up to 224).
const SIZE = autoInputSize([56]);
const SETTINGS = { ...DEFAULT_SETTINGS, imageSize: SIZE };

/** Grey 56×56 bytes → RGB floats at the model's size, bilinear (as the browser's resize). */
function toPixels(grey: Uint8Array, side: number): Float32Array {
  return tf.tidy(() => {
    const g = tf.tensor3d(
      Float32Array.from(grey, (v) => v / 255),
      [side, side, 1],
    );
    const rgb = tf.image.resizeBilinear(tf.tile(g, [1, 1, 3]) as tf.Tensor3D, [SIZE, SIZE]);
    return rgb.dataSync() as Float32Array;
  });
}

beforeAll(async () => {
  setWasmPaths(`${root}node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('bundled MobileNetV2, head only, default settings (WASM)', () => {
  it('reaches ≥ 0.8 validation accuracy in the default epochs; the export classifies unseen images at ≥ 0.75', async () => {
    const set = makeGreyShapes({ perClass: 50, size: 56, seed: 11 });
    const labels = set.labels;
    const items = set.images.map((img, i) => ({ id: `img-${String(i).padStart(3, '0')}`, label: img.label, img }));
    const split = splitDataset(items, DEFAULT_SETTINGS.validationSplit, DEFAULT_SETTINGS.seed);
    const byId = new Map(items.map((it) => [it.id, it]));
    const source = (ids: string[]) =>
      arraySource(
        ids.map((id) => toPixels(byId.get(id)!.img.grey, 56)),
        ids.map((id) => labels.indexOf(byId.get(id)!.label)),
        SIZE,
        ids,
      );
    const engine = createTrainingEngine(tf);
    await engine.loadModel('mobilenet-v2', 'MobileNetV2', loadBundledBackbone, [0, 1]);
    const result = await engine.train(SETTINGS, labels, source(split.train), source(split.val), () => {});
    const last = result.history.at(-1)!;
    console.log(
      'mobilenet head-only history',
      result.history
        .map((h) => `${h.epoch}: loss ${h.loss.toFixed(3)} val ${h.valLoss?.toFixed(3)} acc ${h.valAccuracy?.toFixed(3)}`)
        .join('\n'),
    );
    expect(result.epochsCompleted).toBe(DEFAULT_SETTINGS.epochs);
    expect(last.valAccuracy).toBeGreaterThanOrEqual(0.8);

    const files = await engine.exportFiles({ labels });
    engine.dispose();
    const reloaded = await reloadExport(files);
    const unseen = makeGreyShapes({ perClass: 50, size: 56, seed: 9999 });
    let correct = 0;
    for (let start = 0; start < unseen.images.length; start += 16) {
      const chunk = unseen.images.slice(start, start + 16);
      const x = tf.tensor4d(Float32Array.from(chunk.flatMap((img) => Array.from(toPixels(img.grey, 56)))), [chunk.length, SIZE, SIZE, 3]);
      const pred = reloaded.predict(x) as tf.Tensor;
      const cls = await pred.argMax(-1).data();
      chunk.forEach((img, k) => {
        if (labels[cls[k]!] === img.label) correct++;
      });
      x.dispose();
      pred.dispose();
    }
    const unseenAccuracy = correct / unseen.images.length;
    console.log('unseen accuracy of the reloaded export', unseenAccuracy);
    expect(unseenAccuracy).toBeGreaterThanOrEqual(0.75);
  }, 600_000);
});
