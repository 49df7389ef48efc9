/**
 * The learning-rate range test on the text tasks, through the same TaskRunner the loop trains: on a
 * tiny seeded transformer, every trainable variable comes back exactly (the test runs on a fresh copy of
 * the model in the studio, so the head's centring, fitted as a run starts, is that copy's), the
 * curve falls, and the suggested rate trains the classifier further in one epoch than a rate 100×
 * lower, side by side.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOKENIZER } from '../test/text-tokenizer';
import { createRng } from '../lib/random';
import { findTextLearningRate, runTextTraining } from './finetune';
import type { SavedLm } from './model';
import { tinyPretrainedLm } from '../test/tiny';
import { createTextModel, disposeTextModel, textVariables, type TextModel } from './text-model';
import type { LabelledText, TextTrainSettings } from './types';

let base: SavedLm;

beforeAll(async () => {
  base = await tinyPretrainedLm(5);
});

const clsModel = (): TextModel =>
  createTextModel(
    tf,
    { ...base, weights: base.weights.slice(0) },
    { task: 'text-classification', labels: ['fruit', 'animal'], pooling: 'mean', seed: 3 },
    TEST_TOKENIZER,
  );

const WORDS = [
  ['apple', 'pear', 'plum', 'grape', 'mango', 'lemon'],
  ['horse', 'otter', 'tiger', 'zebra', 'camel', 'moose'],
];

function set(perClass: number, seed: number): LabelledText[] {
  const rng = createRng(seed);
  const out: LabelledText[] = [];
  for (let i = 0; i < perClass; i++)
    WORDS.forEach((words, label) =>
      out.push({ text: Array.from({ length: 3 }, () => words[Math.floor(rng() * words.length)]).join(' '), label }),
    );
  return out;
}

const settings = (over: Partial<TextTrainSettings> = {}): TextTrainSettings => ({
  task: 'text-classification',
  seed: 7,
  epochs: 1,
  batchSize: 8,
  learningRate: 1e-3,
  optimizer: 'adam',
  weightDecay: 0,
  schedule: { kind: 'constant' },
  dropout: 0,
  pooling: 'mean',
  trainableGroups: ['head'],
  ...over,
});

const data = { task: 'text-classification' as const, train: set(16, 1), validation: set(8, 2) };

describe('learning-rate range test on text classification', () => {
  it('restores every variable exactly and suggests a rate that trains better than 100× lower', async () => {
    const model = clsModel();
    const before = new Map([...textVariables(model)].map(([n, v]) => [n, (v.dataSync() as Float32Array).slice()]));
    const found = await findTextLearningRate(tf, model, data, settings(), {
      shouldStop: () => false,
      onPoint: () => {},
      options: { steps: 40 },
    });
    for (const [n, v] of textVariables(model)) expect(Array.from(v.dataSync()), n).toEqual(Array.from(before.get(n)!));
    disposeTextModel(model);
    expect(found.points.length).toBeGreaterThan(5);
    expect(found.suggestion).not.toBeNull();

    const valLoss = async (lr: number) => {
      const m = clsModel();
      const r = await runTextTraining(tf, m, data, settings({ learningRate: lr, epochs: 2 }), () => {});
      disposeTextModel(m);
      return r.history.at(-1)!.valLoss;
    };
    const lr = found.suggestion as number;
    const [atSuggestion, low] = [await valLoss(lr), await valLoss(lr / 100)];
    expect(atSuggestion).toBeLessThan(low - 0.05);
  });
});
