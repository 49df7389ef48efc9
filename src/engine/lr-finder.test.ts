/**
 * The learning-rate range test on a task it has never seen (a bare TaskRunner over a seeded linear
 * regression) and on the tiny image classifier: it puts every weight back exactly, its curve falls
 * then diverges, and its suggestion is a rate at which real training learns — compared with a rate
 * 100× higher and one 1000× lower, trained side by side.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../lib/random';
import { findLearningRate, rateAt, suggestRate, type LrPoint } from './lr-finder';
import { runLoop, type LoopSettings, type TaskRunner } from './loop';
import { DEFAULT_SETTINGS } from './types';
import { imageClassificationRunner } from '../tasks/image-classification/runner';
import { arraySource } from './sources';
import { applyFreezing } from '../models/head';
import { LOOP_SIZE, loopSettings, tinyClassifier, weightsOf } from '../test/loop';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const N = 64;
const rng = createRng(9);
const X = Array.from({ length: N }, () => [rng() * 2 - 1, rng() * 2 - 1, rng() * 2 - 1]);
const Y = X.map(([a, b, c]) => 2 * (a as number) - (b as number) + 0.5 * (c as number) + (rng() - 0.5) * 0.1);

function regression(): TaskRunner & { vars: tf.Variable[] } {
  const vars = [
    tf.variable(tf.randomNormal([3, 1], 0, 0.1, 'float32', 4), true, `w-${Math.random()}`),
    tf.variable(tf.zeros([1]), true, `b-${Math.random()}`),
  ];
  const [w, b] = vars as [tf.Variable, tf.Variable];
  const loss = (idx: number[]) =>
    tf.tidy(() => {
      const x = tf.tensor2d(idx.map((i) => X[i] as number[]));
      const y = tf.tensor2d(
        idx.map((i) => [Y[i] as number]),
        [idx.length, 1],
      );
      return tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), y))) as tf.Scalar;
    });
  return {
    vars,
    trainCount: N,
    valCount: N,
    lastBatch: 'drop',
    head: vars,
    parts: [],
    state: () => vars.map((v, i) => ({ layer: `v${i}`, index: 0, read: () => v, write: (t: tf.Tensor) => v.assign(t) })),
    epochOrder: (epoch) => {
      const r = createRng(epoch);
      return Array.from({ length: N }, (_, i) => i).sort(() => r() - 0.5);
    },
    async batch(indices) {
      return { weight: indices.length, loss: () => ({ loss: loss(indices) }), dispose: () => {} };
    },
    async evaluate() {
      const l = loss(Array.from({ length: N }, (_, i) => i));
      const value = (await l.data())[0] as number;
      l.dispose();
      return { loss: value, accuracy: null };
    },
  };
}

const settings = (over: Partial<LoopSettings> = {}): LoopSettings => ({
  seed: 1,
  epochs: 3,
  batchSize: 8,
  learningRate: 0.01,
  optimizer: 'sgd',
  weightDecay: 0,
  schedule: DEFAULT_SETTINGS.schedule,
  earlyStopping: { ...DEFAULT_SETTINGS.earlyStopping, enabled: false },
  gradualUnfreezing: { enabled: false, everyEpochs: 1 },
  backboneLrMultiplier: 1,
  ...over,
});

describe('suggestRate', () => {
  const curve = (losses: number[]): LrPoint[] =>
    losses.map((l, i) => ({ learningRate: rateAt(i, losses.length, 1e-4, 1), loss: l, smoothed: l }));
  it('suggests the rate halfway along the longest falling stretch, before the minimum', () => {
    // falling from index 0 to 8, then rising: the valley is 0..8; fastai's point is a third plus a sixth along it.
    const pts = curve([2.2, 2.1, 2, 1.9, 1.5, 1, 0.6, 0.5, 0.45, 0.9, 3]);
    const r = suggestRate(pts);
    expect(r.minimumAt).toBe(pts[8]!.learningRate);
    expect(r.suggestion).toBe(pts[3]!.learningRate);
    expect(r.rule).toMatch(/valley/);
  });
  it('starts the valley where the flat start ends, not at a start that falls by rounding alone', () => {
    // 1e-4 … 1 over 21 points: flat (each step a hair lower) to index 8, then falling to index 18.
    const flat = Array.from({ length: 9 }, (_, i) => 1.386 - i * 1e-4);
    const falling = Array.from({ length: 10 }, (_, i) => 1.3 - i * 0.1);
    const pts = curve([...flat, ...falling, 2, 3]);
    const r = suggestRate(pts);
    // Valley 8..18: the suggestion is at 8 + 3 + 1 = 12, not at 0 + 6 + 3 = 9 as from the first point.
    expect(r.suggestion).toBe(pts[12]!.learningRate);
  });
  it('suggests nothing when the loss never fell', () => {
    expect(suggestRate(curve([1, 1.1, 1.3, 2, 4])).suggestion).toBeNull();
    expect(suggestRate(curve([1])).suggestion).toBeNull();
  });
});

describe('findLearningRate', () => {
  it('restores every weight exactly and finds a curve that falls, then diverges', async () => {
    const runner = regression();
    const before = runner.vars.map((v) => v.dataSync().slice());
    const tensors = tf.memory().numTensors;
    const result = await findLearningRate({
      tf,
      runner,
      settings: settings(),
      shouldStop: () => false,
      options: { minLr: 1e-4, maxLr: 10, steps: 60 },
    });
    runner.vars.forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(Array.from(before[i]!)));
    expect(tf.memory().numTensors).toBe(tensors);
    expect(result.ended).toBe('diverged');
    expect(result.points.length).toBeGreaterThan(10);
    const first = result.points[0]!.smoothed;
    expect(Math.min(...result.points.map((p) => p.smoothed))).toBeLessThan(0.6 * first);
    expect(result.suggestion).not.toBeNull();
  });

  it('its suggestion trains the regression better than 1000× lower, and 100× higher diverges or does worse', async () => {
    const found = await findLearningRate({
      tf,
      runner: regression(),
      settings: settings(),
      shouldStop: () => false,
      options: { minLr: 1e-4, maxLr: 10, steps: 60 },
    });
    const lr = found.suggestion as number;
    const finalLoss = async (rate: number) => {
      try {
        const r = await runLoop({
          tf,
          runner: regression(),
          settings: settings({ learningRate: rate }),
          onEvent: () => {},
          shouldStop: () => false,
        });
        return r.final?.loss ?? Infinity;
      } catch {
        return Infinity; // diverged (NaN loss)
      }
    };
    const [atSuggestion, low, high] = [await finalLoss(lr), await finalLoss(lr / 1000), await finalLoss(lr * 100)];
    expect(atSuggestion).toBeLessThan(0.5 * low);
    expect(atSuggestion).toBeLessThan(high);
  });

  it('on the image classifier: the backbone layers it trains and their batch-norm statistics come back exactly', async () => {
    const model = tinyClassifier(3, 3);
    const trainable = model.layers.filter((l) => l.getWeights().length > 0).map((l) => l.name);
    const s = loopSettings({ mode: 'fine-tune', trainableLayers: trainable, optimizer: 'adam', useCache: false });
    applyFreezing(model, new Set(trainable));
    const r = createRng(2);
    const px = () => Float32Array.from({ length: LOOP_SIZE * LOOP_SIZE * 3 }, () => r());
    const ids = Array.from({ length: 24 }, (_, i) => `i${i}`);
    const src = arraySource(
      ids.map(px),
      ids.map((_, i) => i % 3),
      LOOP_SIZE,
      ids,
    );
    const before = weightsOf(model);
    const runner = imageClassificationRunner({
      tf,
      model,
      settings: s,
      numClasses: 3,
      inputRange: [0, 1],
      train: src,
      val: src,
      onEvent: () => {},
      shouldStop: () => false,
    });
    const result = await findLearningRate({ tf, runner, settings: s, shouldStop: () => false, options: { steps: 20 } });
    expect(result.points.length).toBeGreaterThan(3);
    const after = weightsOf(model);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [k, v] of before) expect(Array.from(after.get(k)!), k).toEqual(Array.from(v));
  });
});
