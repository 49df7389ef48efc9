import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createTrainingEngine, type EngineEvent } from './engine';
import type { SampleSource } from './sources';
import { isOutOfMemory } from './loop';
import { DEFAULT_SETTINGS, type TrainSettings } from './types';
import { colourSources, tinyBackbone } from '../test/tiny';

const SIZE = 8;
const LABELS = ['r', 'g', 'b'];

/** A training source whose pixels() fails like an exhausted GPU, `times` times, for batches over `above`. */
function failingSource(inner: SampleSource, above: number, times = 1): SampleSource & { failures: number } {
  const s = {
    ids: inner.ids,
    labels: inner.labels,
    failures: 0,
    async pixels(indices: readonly number[], size: number) {
      if (indices.length > above && s.failures < times) {
        s.failures++;
        throw new Error('Failed to allocate texture of 16x16384: out of memory');
      }
      return inner.pixels(indices, size);
    },
  };
  return s;
}

const data = () => colourSources(16, 3, SIZE, 7, 4);

const settings = (over: Partial<TrainSettings> = {}): TrainSettings => ({
  ...DEFAULT_SETTINGS,
  imageSize: SIZE,
  epochs: 3,
  batchSize: 16,
  learningRate: 0.05,
  seed: 3,
  useCache: false,
  headLayer: 'output', // the failing source counts every read; Auto's probe would read first
  ...over,
});

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('out of memory during a training step', () => {
  it('recognises the backends’ out-of-memory errors and nothing else', () => {
    for (const m of [
      'Failed to allocate texture',
      'WebGL: CONTEXT_LOST_WEBGL',
      'Out of memory',
      'OOM when allocating',
      'Requested size exceeded the limit',
    ]) {
      expect(isOutOfMemory(new Error(m))).toBe(true);
    }
    for (const m of ['The loss became NaN', 'shapes do not match', '']) expect(isOutOfMemory(new Error(m))).toBe(false);
    expect(isOutOfMemory(null)).toBe(false);
  });

  it('halves the batch size, says so, finishes every epoch and leaks no tensors', async () => {
    const engine = createTrainingEngine(tf);
    await engine.loadModel('tiny', 'Tiny', async () => tinyBackbone(SIZE), [0, 1]);
    const d = data();
    const train = failingSource(d.train, 8);
    const events: EngineEvent[] = [];
    const before = tf.memory().numTensors;
    const result = await engine.train(settings(), LABELS, train, d.val, (e) => events.push(e));
    expect(train.failures).toBe(1);
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    expect(logs).toEqual(['Out of memory at batch size 16: continuing at 8.']);
    expect(result.epochsCompleted).toBe(3);
    expect(result.history.every((h) => Number.isFinite(h.loss) && Number.isFinite(h.valLoss ?? Number.NaN))).toBe(true);
    // After the failure every batch has 8 images: 36 training images make 4 batches an epoch.
    const batches = events.flatMap((e) => (e.type === 'batch' ? [e.metrics] : []));
    expect(batches.at(-1)?.batches).toBe(4);
    expect(batches.filter((m) => m.epoch === 3)).toHaveLength(4);
    // The run's own tensors are gone; what stays is the run's classifier (kept for export).
    const classifier = engine.classifier();
    const kept = classifier ? classifier.weights.length : 0;
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(kept + 2);
    engine.dispose();
  });

  it('keeps halving until a step fits, and gives up with the real error at batch size 1', async () => {
    const engine = createTrainingEngine(tf);
    await engine.loadModel('tiny', 'Tiny', async () => tinyBackbone(SIZE), [0, 1]);
    const d = data();
    const events: EngineEvent[] = [];
    await engine.train(settings({ epochs: 1 }), LABELS, failingSource(d.train, 2, 10), d.val, (e) => events.push(e));
    expect(events.flatMap((e) => (e.type === 'log' ? [e.message] : []))).toEqual([
      'Out of memory at batch size 16: continuing at 8.',
      'Out of memory at batch size 8: continuing at 4.',
      'Out of memory at batch size 4: continuing at 2.',
    ]);
    await expect(engine.train(settings({ epochs: 1 }), LABELS, failingSource(d.train, 0, 100), d.val, () => {})).rejects.toThrow(/memory/i);
    engine.dispose();
  });
});
