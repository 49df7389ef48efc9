import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createTrainingEngine, type EngineEvent } from './engine';
import type { Checkpoint } from './checkpoint';
import { DEFAULT_SETTINGS, type TrainSettings } from './types';
import { colourSources, tinyBackbone } from '../test/tiny';

const SIZE = 8;

/** `disagree`: validation labels shifted by one class, so validation loss rises as training fits. */
const sources = (disagree = false) => colourSources(12, 3, SIZE, 7, 4, (l, i) => (disagree && i % 4 === 0 ? (l + 1) % 3 : l));

const settings = (over: Partial<TrainSettings> = {}): TrainSettings => ({
  ...DEFAULT_SETTINGS,
  imageSize: SIZE,
  epochs: 4,
  batchSize: 4,
  learningRate: 0.02,
  dropout: 0,
  seed: 5,
  ...over,
});

async function loadTiny() {
  const engine = createTrainingEngine(tf);
  await engine.loadModel('tiny', 'Tiny', async () => tinyBackbone(SIZE), [0, 1]);
  return engine;
}

async function finalWeights(engine: Awaited<ReturnType<typeof loadTiny>>): Promise<Float32Array[]> {
  return Promise.all(engine.classifier()!.weights.map((w) => w.read().data() as Promise<Float32Array>));
}

/** Every weight within 1e-5 of the uninterrupted run's. */
function expectSameWeights(got: Float32Array[], expected: Float32Array[]): void {
  expect(got).toHaveLength(expected.length);
  got.forEach((g, i) => {
    const e = expected[i]!;
    let worst = 0;
    g.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - e[j]!))));
    expect(worst).toBeLessThan(1e-5);
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('resuming a run from a checkpoint', () => {
  for (const [name, over] of [
    ['head only', {}],
    [
      'fine-tune, cosine schedule',
      { mode: 'fine-tune', trainableLayers: ['block_2_conv', 'block_1_bn'], schedule: { ...DEFAULT_SETTINGS.schedule, kind: 'cosine' } },
    ],
  ] as [string, Partial<TrainSettings>][]) {
    it(`at epoch 2 of 4 ends with the weights of an uninterrupted run (${name})`, async () => {
      const { train, val } = sources();
      const a = await loadTiny();
      const checkpoints: Checkpoint[] = [];
      const full = await a.train(
        settings(over),
        ['r', 'g', 'b'],
        train,
        val,
        (e: EngineEvent) => {
          if (e.type === 'checkpoint') checkpoints.push(e.checkpoint);
        },
        { checkpoints: true },
      );
      expect(checkpoints.map((c) => c.epoch)).toEqual([1, 2, 3, 4]);
      const expected = await finalWeights(a);

      const b = await loadTiny();
      const cp = checkpoints[1]!;
      const epochs: number[] = [];
      const resumed = await b.train(
        settings(over),
        ['r', 'g', 'b'],
        train,
        val,
        (e: EngineEvent) => {
          if (e.type === 'epoch') epochs.push(e.metrics.epoch);
        },
        { resume: { checkpoint: cp, history: full.history.slice(0, 2) } },
      );
      expect(epochs).toEqual([3, 4]);
      expect(resumed.epochsCompleted).toBe(4);
      expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
      expectSameWeights(await finalWeights(b), expected);
      a.dispose();
      b.dispose();
    });
  }

  it('carries early stopping across a resume: stops at the same epoch and restores the same best weights', async () => {
    const { train, val } = sources(true);
    const over: Partial<TrainSettings> = {
      epochs: 12,
      earlyStopping: { enabled: true, monitor: 'val-loss', patience: 2, restoreBest: true },
    };
    const a = await loadTiny();
    const checkpoints: Checkpoint[] = [];
    const full = await a.train(
      settings(over),
      ['r', 'g', 'b'],
      train,
      val,
      (e: EngineEvent) => {
        if (e.type === 'checkpoint') checkpoints.push(e.checkpoint);
      },
      { checkpoints: true },
    );
    expect(full.stoppedEarly).not.toBeNull();
    expect(full.bestEpoch).not.toBeNull();
    expect(full.bestEpoch!).toBeLessThan(full.epochsCompleted);
    const expected = await finalWeights(a);

    // Interrupt after the best epoch, while patience is running out.
    const cp = checkpoints.find((c) => c.epoch === full.bestEpoch! + 1) ?? checkpoints[checkpoints.length - 2]!;
    expect(cp.stopping?.bestEpoch).toBe(full.bestEpoch);
    expect(cp.stopping?.bestWeights).toBeInstanceOf(ArrayBuffer); // `not.toBeNull()` let a missing `stopping` through
    const b = await loadTiny();
    const resumed = await b.train(settings(over), ['r', 'g', 'b'], train, val, () => {}, {
      resume: { checkpoint: cp, history: full.history.slice(0, cp.epoch) },
    });
    expect(resumed.epochsCompleted).toBe(full.epochsCompleted);
    expect(resumed.bestEpoch).toBe(full.bestEpoch);
    expect(resumed.stoppedEarly).toBe(full.stoppedEarly);
    expectSameWeights(await finalWeights(b), expected);
    a.dispose();
    b.dispose();
  });
});
