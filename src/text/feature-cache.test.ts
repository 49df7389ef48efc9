/**
 * The text feature cache: a head-only classifier run on texts an earlier run read computes no
 * feature again and trains to exactly the losses of a run without the cache; a run that trains the
 * body never reads it (its features change as it trains).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOKENIZER } from '../test/text-tokenizer';
import { createTextFeatureCache, runTextTraining, type TextFeatureCache } from './finetune';
import type { SavedLm } from './model';
import { tinyPretrainedLm } from '../test/tiny';
import { createTextModel, disposeTextModel } from './text-model';
import type { TextTrainingData, TextTrainResult, TextTrainSettings } from './types';

let base: SavedLm;

beforeAll(async () => {
  base = await tinyPretrainedLm(11);
});

const DATA: TextTrainingData = {
  task: 'text-classification',
  train: Array.from({ length: 24 }, (_, i) => ({
    text: i % 2 ? `apple pear plum ${i} `.repeat(1 + (i % 4)) : `horse otter ${i} tiger`,
    label: i % 2,
  })),
  validation: Array.from({ length: 8 }, (_, i) => ({ text: i % 2 ? `pear apple ${i}` : `otter horse ${i}`, label: i % 2 })),
};

const SETTINGS: TextTrainSettings = {
  task: 'text-classification',
  seed: 5,
  epochs: 3,
  batchSize: 4,
  learningRate: 0.01,
  optimizer: 'adam',
  weightDecay: 0,
  schedule: { kind: 'constant' },
  dropout: 0.2,
  trainableGroups: ['head'],
};

/** A cache that counts what it is asked and told. */
function counting(inner: TextFeatureCache) {
  const counts = { gets: 0, sets: 0 };
  return {
    counts,
    cache: { get: (k: string) => (counts.gets++, inner.get(k)), set: (k: string, f: Float32Array) => (counts.sets++, inner.set(k, f)) },
  };
}

async function run(settings: TextTrainSettings, features: TextFeatureCache | null): Promise<TextTrainResult> {
  const model = createTextModel(
    tf,
    { ...base, weights: base.weights.slice(0) },
    { task: 'text-classification', labels: ['a', 'b'], pooling: 'mean', seed: 3 },
    TEST_TOKENIZER,
  );
  try {
    return await runTextTraining(tf, model, DATA, settings, () => {}, { features });
  } finally {
    disposeTextModel(model);
  }
}

const losses = (r: TextTrainResult) => [r.initial.valLoss, ...r.history.map((h) => h.valLoss), ...r.history.map((h) => h.trainLoss)];

describe('the text feature cache', () => {
  it('a second head-only run reads every feature from it and trains exactly as without it', async () => {
    const plain = await run(SETTINGS, null);
    const shared = createTextFeatureCache();
    const first = counting(shared);
    const cold = await run(SETTINGS, first.cache);
    expect(first.counts.sets).toBe(DATA.train.length + DATA.validation.length);
    const second = counting(shared);
    const warm = await run(SETTINGS, second.cache);
    expect(second.counts.sets).toBe(0);
    expect(second.counts.gets).toBe(DATA.train.length + DATA.validation.length);
    for (const r of [cold, warm]) {
      losses(r).forEach((v, i) => expect(v).toBeCloseTo(losses(plain)[i] as number, 6));
      expect(r.final.valAccuracy).toBe(plain.final.valAccuracy);
    }
    expect(plain.final.valLoss).toBeLessThan(plain.initial.valLoss);
  }, 60_000);

  it('a run that trains the body never reads it', async () => {
    const c = counting(createTextFeatureCache());
    await run({ ...SETTINGS, epochs: 1, trainableGroups: ['block_1', 'head'] }, c.cache);
    expect(c.counts).toEqual({ gets: 0, sets: 0 });
  }, 60_000);

  it('forgets its oldest texts beyond its limit', () => {
    const cache = createTextFeatureCache(2);
    ['a', 'b', 'c'].forEach((k) => cache.set(k, new Float32Array(1)));
    expect(cache.size()).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBeDefined();
  });
});
