/**
 * Augmentation, observed where it matters: what the trainable part of the model receives while the
 * loop trains. Two seams: a source that logs what it decoded, and a recorder on a layer of the model
 * (`layer.apply` is how the loop runs every layer). Compared with the same run without augmentation
 * and with an independent forward pass of the frozen layers.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { arraySource } from './sources';
import { NO_AUGMENTATION, type AugmentationSettings, type TrainSettings } from './types';
import { colourSet } from '../test/tiny';
import {
  LOOP_SIZE,
  bitEqual,
  keyOf,
  loggingSource,
  loopSettings,
  maxAbs,
  recordLayer,
  rowsOf,
  tinyClassifier,
  trainLoop,
  type Decoded,
  type Recorded,
} from '../test/loop';

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

const AUG: AugmentationSettings = { flip: true, cropScale: 0.8, rotationDeg: 10, brightness: 0.1, contrast: 0.1, variants: 3 };
const PER = LOOP_SIZE * LOOP_SIZE * 3;

function images() {
  const { images: all, labels } = colourSet(8, 3, LOOP_SIZE, 9);
  const pick = (keep: (i: number) => boolean) => {
    const idx = all.map((_, i) => i).filter(keep);
    return {
      images: idx.map((i) => all[i]!),
      source: arraySource(
        idx.map((i) => all[i]!),
        idx.map((i) => labels[i]!),
        LOOP_SIZE,
      ),
    };
  };
  return { train: pick((i) => i % 3 !== 0), val: pick((i) => i % 3 === 0) };
}

const differs = (a: Float32Array, b: Float32Array) => maxAbs(Float32Array.from(a, (x, i) => x - b[i]!)) > 1e-4;

describe('augmentation, without the cache (every batch augmented afresh)', () => {
  /**
   * Trains 2 epochs with nothing cached and pairs each decode with what the first convolution then
   * received (the loop decodes a batch and runs it before decoding the next).
   */
  async function run(over: Partial<TrainSettings>) {
    const { train, val } = images();
    const timeline: ({ kind: 'decode'; src: 'train' | 'val'; d: Decoded } | { kind: 'fed'; r: Recorded })[] = [];
    const trainSrc = loggingSource(train.source, (d) => timeline.push({ kind: 'decode', src: 'train', d }));
    const valSrc = loggingSource(val.source, (d) => timeline.push({ kind: 'decode', src: 'val', d }));
    const model = tinyClassifier();
    recordLayer(model.getLayer('block_1_conv'), 'input', (r) => timeline.push({ kind: 'fed', r }));
    await trainLoop(model, loopSettings({ epochs: 2, batchSize: 8, useCache: false, ...over }), trainSrc, valSrc);
    model.dispose();
    const pairs: { src: 'train' | 'val'; indices: number[]; decoded: Float32Array[]; fed: Float32Array[] }[] = [];
    timeline.forEach((e, i) => {
      if (e.kind !== 'fed') return;
      const prev = timeline[i - 1];
      expect(prev?.kind).toBe('decode');
      if (prev?.kind !== 'decode') return;
      const decoded = rowsOf({ shape: [prev.d.indices.length], values: prev.d.pixels });
      pairs.push({ src: prev.src, indices: prev.d.indices, decoded, fed: rowsOf(e.r) });
    });
    const trainPairs = pairs.filter((p) => p.src === 'train');
    expect(trainPairs.length).toBe(4); // 16 images, batch 8, 2 epochs
    expect(pairs.filter((p) => p.src === 'val').length).toBe(3); // before training and after each epoch
    /** What image i (a training index) looked like to the model in epoch 1. */
    const firstEpoch = new Map<number, Float32Array>();
    trainPairs.slice(0, 2).forEach((p) => p.indices.forEach((img, k) => firstEpoch.set(img, p.fed[k]!)));
    expect(firstEpoch.size).toBe(16);
    return { pairs, trainPairs, firstEpoch, trainImages: train.images };
  }

  it('off: the model receives exactly the decoded pixels', async () => {
    const { pairs, firstEpoch, trainImages } = await run({ augmentation: NO_AUGMENTATION });
    for (const p of pairs) p.fed.forEach((row, k) => expect(bitEqual(row, p.decoded[k]!)).toBe(true));
    for (const [img, row] of firstEpoch) expect(bitEqual(row, trainImages[img]!)).toBe(true);
  });

  it('on: every training image reaches the model altered; validation images never are', async () => {
    const { pairs } = await run({ augmentation: AUG });
    for (const p of pairs) {
      p.fed.forEach((row, k) => {
        expect(row.length).toBe(PER);
        if (p.src === 'val') expect(bitEqual(row, p.decoded[k]!), 'validation unaltered').toBe(true);
        else expect(differs(row, p.decoded[k]!), 'training altered').toBe(true);
      });
    }
  });

  it('reproducible with the seed; another seed alters the same image differently', async () => {
    const a = await run({ augmentation: AUG, seed: 3 });
    const b = await run({ augmentation: AUG, seed: 3 });
    const c = await run({ augmentation: AUG, seed: 4 });
    a.trainPairs.forEach((p, i) => p.fed.forEach((row, k) => expect(bitEqual(row, b.trainPairs[i]!.fed[k]!)).toBe(true)));
    // Per image, not per batch (the shuffle depends on the seed too).
    for (const [img, row] of a.firstEpoch) expect(differs(row, c.firstEpoch.get(img)!), `image ${img}`).toBe(true);
    // Control: without augmentation the same image looks the same under either seed.
    const d = await run({ augmentation: NO_AUGMENTATION, seed: 3 });
    const e = await run({ augmentation: NO_AUGMENTATION, seed: 4 });
    for (const [img, row] of d.firstEpoch) expect(bitEqual(row, e.firstEpoch.get(img)!)).toBe(true);
  });
});

describe('augmentation with the frozen prefix cached (per-variant cache)', () => {
  /**
   * Head only, cache on: the frozen backbone's pooled output (`head_pool`) is what gets cached, and
   * `head_dropout` is the first layer that trains, so it receives rows gathered from the cache.
   */
  async function run(over: Partial<TrainSettings>) {
    const { train, val } = images();
    const model = tinyClassifier();
    // Independent reference: the frozen part run as its own model on the untouched pixels.
    const prefix = tf.model({ inputs: model.inputs, outputs: model.getLayer('head_pool').output as tf.SymbolicTensor });
    const clean = (imgs: Float32Array[]) =>
      tf.tidy(() =>
        rowsOf({
          shape: [imgs.length],
          values: (
            prefix.predict(tf.tensor4d(concat(imgs), [imgs.length, LOOP_SIZE, LOOP_SIZE, 3])) as tf.Tensor
          ).dataSync() as Float32Array,
        }),
      );
    const cleanTrain = clean(train.images);
    const cleanVal = clean(val.images);
    const cached = recordLayer(model.getLayer('head_pool'), 'output');
    const fed = recordLayer(model.getLayer('head_dropout'), 'input');
    const trainSrc = loggingSource(train.source);
    await trainLoop(model, loopSettings({ epochs: 3, batchSize: 8, useCache: true, ...over }), trainSrc, val.source);
    model.dispose();
    const cacheRows = cached.flatMap(rowsOf);
    const n = train.images.length;
    const variants = (cacheRows.length - val.images.length) / n;
    // The cache is built variant by variant, in image order; then the validation images (one clean variant).
    const variant = (v: number) => cacheRows.slice(v * n, (v + 1) * n);
    const valRows = cacheRows.slice(variants * n);
    const where = new Map<string, { v: number; img: number }>();
    for (let v = 0; v < variants; v++) variant(v).forEach((row, img) => where.set(keyOf(row), { v, img }));
    // Dropout layers run with `training: true` only in a training step (validation passes run it with false).
    const trainingRows = fed.filter((r) => r.training).flatMap(rowsOf);
    return { variants, variant, valRows, cleanTrain, cleanVal, where, trainingRows, decodes: trainSrc.log, n };
  }

  function concat(rows: Float32Array[]): Float32Array {
    const out = new Float32Array(rows.length * PER);
    rows.forEach((r, i) => out.set(r, i * PER));
    return out;
  }

  const close = (a: Float32Array, b: Float32Array) => !differs(a, b);

  it('off: one variant, equal to the frozen layers on the clean pixels, and training reads only it', async () => {
    const r = await run({ augmentation: { ...NO_AUGMENTATION, variants: 3 } });
    expect(r.variants).toBe(1);
    expect(r.decodes.length).toBe(1); // 16 images in one chunk
    r.variant(0).forEach((row, img) => expect(close(row, r.cleanTrain[img]!)).toBe(true));
    r.valRows.forEach((row, i) => expect(close(row, r.cleanVal[i]!)).toBe(true));
    expect(r.trainingRows.length).toBe(3 * 16);
    for (const row of r.trainingRows) expect(r.where.get(keyOf(row))?.v).toBe(0);
  });

  it('variants: 3 caches three different augmented versions of every image, and training draws from all of them', async () => {
    const r = await run({ augmentation: AUG });
    expect(r.variants).toBe(3);
    // Each image was decoded once per variant.
    const decodedPerImage = new Map<number, number>();
    r.decodes.forEach((d) => d.indices.forEach((i) => decodedPerImage.set(i, (decodedPerImage.get(i) ?? 0) + 1)));
    expect([...decodedPerImage.values()]).toEqual(new Array(16).fill(3));
    for (let img = 0; img < r.n; img++) {
      const rows = [0, 1, 2].map((v) => r.variant(v)[img]!);
      for (const row of rows) expect(differs(row, r.cleanTrain[img]!), `image ${img} augmented`).toBe(true);
      expect(differs(rows[0]!, rows[1]!) && differs(rows[0]!, rows[2]!) && differs(rows[1]!, rows[2]!), `image ${img}: distinct`).toBe(
        true,
      );
    }
    // Validation features come from clean pixels.
    r.valRows.forEach((row, i) => expect(close(row, r.cleanVal[i]!)).toBe(true));
    // Every row that reached the trainable head is one of the cached variants, and all variants are used.
    const used = new Set<number>();
    for (const row of r.trainingRows) {
      const at = r.where.get(keyOf(row));
      expect(at, 'a cached row').toBeDefined();
      used.add(at!.v);
    }
    expect([...used].sort()).toEqual([0, 1, 2]);
  });

  it('variants: 1 with augmentation on still augments the cached images', async () => {
    const r = await run({ augmentation: { ...AUG, variants: 1 } });
    expect(r.variants).toBe(1);
    const altered = r.variant(0).filter((row, img) => differs(row, r.cleanTrain[img]!)).length;
    expect(altered).toBe(r.n);
  });

  it('the cached variants are reproducible with the seed and differ with another seed', async () => {
    const a = await run({ augmentation: AUG, seed: 3 });
    const b = await run({ augmentation: AUG, seed: 3 });
    const c = await run({ augmentation: AUG, seed: 4 });
    for (let v = 0; v < 3; v++) {
      a.variant(v).forEach((row, img) => {
        expect(bitEqual(row, b.variant(v)[img]!)).toBe(true);
        expect(differs(row, c.variant(v)[img]!), `variant ${v}, image ${img}`).toBe(true);
      });
    }
  });
});
