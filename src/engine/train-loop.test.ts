import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createTrainingEngine } from './engine';
import { arraySource } from './sources';
import { DEFAULT_SETTINGS, type TrainSettings } from './types';
import { colourSet, tinyBackbone } from '../test/tiny';

const SIZE = 8;
const LABELS = ['r', 'g', 'b'];

function data(seed = 7, shuffleValLabels = false) {
  const { images, labels } = colourSet(24, 3, SIZE, seed);
  const idx = images.map((_, i) => i);
  const trainIdx = idx.filter((i) => i % 5 !== 0);
  const valIdx = idx.filter((i) => i % 5 === 0);
  const valLabels = valIdx.map((i, k) => (shuffleValLabels ? (labels[i]! + 1 + (k % 2)) % 3 : labels[i]!));
  return {
    train: arraySource(
      trainIdx.map((i) => images[i]!),
      trainIdx.map((i) => labels[i]!),
      SIZE,
    ),
    val: arraySource(
      valIdx.map((i) => images[i]!),
      valLabels,
      SIZE,
    ),
  };
}

const settings = (over: Partial<TrainSettings> = {}): TrainSettings => ({
  ...DEFAULT_SETTINGS,
  imageSize: SIZE,
  epochs: 6,
  batchSize: 8,
  learningRate: 0.05,
  seed: 3,
  ...over,
});

async function engine() {
  const e = createTrainingEngine(tf);
  await e.loadModel('tiny', 'Tiny', async () => tinyBackbone(SIZE), [0, 1]);
  return e;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('training loop (issue 3 settings)', () => {
  it('cached and uncached training agree (head only, and top layers)', async () => {
    for (const over of [{}, { mode: 'fine-tune' as const, trainableLayers: ['block_2_conv'] }]) {
      const a = await engine();
      const b = await engine();
      const d = data();
      const ra = await a.train(settings({ ...over, dropout: 0, useCache: true }), LABELS, d.train, d.val, () => {});
      const rb = await b.train(settings({ ...over, dropout: 0, useCache: false }), LABELS, d.train, d.val, () => {});
      expect(ra.history).toHaveLength(6); // the loop below must have something to compare
      expect(rb.history).toHaveLength(6);
      ra.history.forEach((h, i) => {
        expect(Math.abs(h.loss - rb.history[i]!.loss)).toBeLessThan(1e-4);
        expect(Math.abs(h.valLoss! - rb.history[i]!.valLoss!)).toBeLessThan(1e-4);
      });
      a.dispose();
      b.dispose();
    }
  });

  it('early stopping stops after `patience` epochs without improvement and restores the best weights', async () => {
    const e = await engine();
    const d = data(7, true); // validation labels disagree with training: validation loss rises as training fits
    const res = await e.train(
      settings({ epochs: 30, earlyStopping: { enabled: true, monitor: 'val-loss', patience: 2, restoreBest: true } }),
      LABELS,
      d.train,
      d.val,
      () => {},
    );
    expect(res.epochsCompleted).toBeLessThan(30);
    expect(res.stoppedEarly).toMatch(/did not improve for 2 epochs/);
    const losses = res.history.map((h) => h.valLoss!);
    const bestEpoch = losses.indexOf(Math.min(...losses)) + 1;
    expect(res.bestEpoch).toBe(bestEpoch);
    expect(res.epochsCompleted).toBe(bestEpoch + 2);
    const ev = await e.evaluate(d.val);
    expect(ev.loss).toBeCloseTo(losses[bestEpoch - 1]!, 4);
    e.dispose();
  });

  it('gradual unfreezing adds one block every k epochs, from the top', async () => {
    const e = await engine();
    const d = data();
    const res = await e.train(
      settings({
        epochs: 6,
        mode: 'fine-tune',
        trainableLayers: ['block_1_conv', 'block_1_bn', 'block_2_conv'],
        gradualUnfreezing: { enabled: true, everyEpochs: 2 },
      }),
      LABELS,
      d.train,
      d.val,
      () => {},
    );
    const head = (8 + 1) * 3;
    const block2 = 3 * 3 * 6 * 8 + 8;
    const block1 = 3 * 3 * 3 * 6 + 6 + 2 * 6;
    expect(res.history.map((h) => h.trainableParams)).toEqual([
      head,
      head,
      head + block2,
      head + block2,
      head + block2 + block1,
      head + block2 + block1,
    ]);
    e.dispose();
  });

  it('learning-rate schedule is applied per step', async () => {
    const e = await engine();
    const d = data();
    const res = await e.train(
      settings({ epochs: 4, schedule: { kind: 'step', stepEpochs: 1, stepFactor: 0.5, warmupEpochs: 0, minFactor: 0 } }),
      LABELS,
      d.train,
      d.val,
      () => {},
    );
    expect(res.history.map((h) => h.learningRate)).toEqual([0.05, 0.025, 0.0125, 0.00625]);
    e.dispose();
  });

  it('trains with every optimizer, weight decay, label smoothing and augmentation, deterministically', async () => {
    for (const optimizer of ['adam', 'adamw', 'sgd', 'rmsprop'] as const) {
      const over: Partial<TrainSettings> = {
        optimizer,
        learningRate: { sgd: 0.1, rmsprop: 0.02, adam: 0.02, adamw: 0.02 }[optimizer],
        weightDecay: 0.01,
        labelSmoothing: 0.1,
        epochs: 8,
        augmentation: { flip: true, cropScale: 0.8, rotationDeg: 10, brightness: 0.1, contrast: 0.1, variants: 3 },
      };
      const runs = [];
      for (let k = 0; k < 2; k++) {
        const e = await engine();
        const d = data();
        runs.push(await e.train(settings(over), LABELS, d.train, d.val, () => {}));
        e.dispose();
      }
      expect(runs[0]!.history.map((h) => h.loss)).toEqual(runs[1]!.history.map((h) => h.loss));
      const h = runs[0]!.history;
      expect(h.at(-1)!.loss, optimizer).toBeLessThan(h[0]!.loss);
      if (optimizer !== 'rmsprop') expect(h.at(-1)!.valAccuracy, optimizer).toBeGreaterThanOrEqual(0.9);
    }
  });
});
