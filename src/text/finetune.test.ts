/**
 * Text fine-tuning engine on the cpu backend with a tiny seeded transformer (the real model is not
 * needed to test the loop): learning thresholds, determinism, freezing, stop, flat memory.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../lib/random';
import { runTextTraining } from './finetune';
import { createLm, disposeLm, saveLm, type LmConfig, type SavedLm } from './model';
import { createTextModel, disposeTextModel, generateText, textVariables, type TextModel } from './text-model';
import type { LabelledText, TextTrainEvent, TextTrainSettings } from './types';

const TINY: LmConfig = { vocabSize: 259, contextLength: 16, width: 32, heads: 2, blocks: 2, mlpRatio: 2 };
let base: SavedLm;

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
  await tf.ready();
  const lm = createLm(tf, TINY, 5);
  base = await saveLm(lm);
  disposeLm(lm);
});

const copy = (saved: SavedLm): SavedLm => ({ ...saved, weights: saved.weights.slice(0) });
const genModel = (): TextModel => createTextModel(tf, copy(base), { task: 'text-generation' });
const clsModel = (pooling: 'mean' | 'last' = 'mean'): TextModel =>
  createTextModel(tf, copy(base), { task: 'text-classification', labels: ['fruit', 'animal', 'number'], pooling, seed: 3 });

function settings(over: Partial<TextTrainSettings>): TextTrainSettings {
  return {
    task: 'text-generation',
    seed: 7,
    epochs: 2,
    batchSize: 8,
    learningRate: 3e-3,
    optimizer: 'adam',
    weightDecay: 0,
    schedule: { kind: 'constant' },
    dropout: 0,
    trainableGroups: ['embeddings', 'block_0', 'block_1', 'final_norm', 'head'],
    ...over,
  };
}

const CLASS_WORDS = [
  ['apple', 'pear', 'plum', 'grape', 'mango', 'lemon'],
  ['horse', 'otter', 'tiger', 'zebra', 'camel', 'moose'],
  ['seven', 'three', 'eight', 'forty', 'ninety', 'twelve'],
];

/** Seeded 3-class set: each text is a few words of its class's vocabulary. */
function classSet(perClass: number, seed: number): LabelledText[] {
  const rng = createRng(seed);
  const out: LabelledText[] = [];
  for (let i = 0; i < perClass; i++) {
    CLASS_WORDS.forEach((words, label) => {
      const n = 2 + Math.floor(rng() * 3);
      out.push({ text: Array.from({ length: n }, () => words[Math.floor(rng() * words.length)]).join(' '), label });
    });
  }
  return out;
}

const PATTERN = 'the cat sat on the mat. the dog sat on the log. ';

describe('text fine-tuning', () => {
  it('generation from a prompt is deterministic for a seed', async () => {
    const model = genModel();
    const opts = { maxTokens: 20, temperature: 1.2, topK: 40 };
    const a = await generateText(tf, model, 'The', { ...opts, seed: 1 });
    const b = await generateText(tf, model, 'The', { ...opts, seed: 1 });
    const c = await generateText(tf, model, 'The', { ...opts, seed: 2 });
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    disposeTextModel(model);
  });

  it('fine-tuning generation lowers validation loss; runs are reproducible; memory is flat', async () => {
    const data = { task: 'text-generation' as const, train: PATTERN.repeat(12), validation: PATTERN.repeat(2) };
    const run = async () => {
      const model = genModel();
      const events: TextTrainEvent[] = [];
      const tensors: number[] = [];
      const result = await runTextTraining(
        tf,
        model,
        data,
        settings({ epochs: 4, sample: { prompt: 'the ', maxTokens: 12, temperature: 0.8, topK: 10 } }),
        (e) => {
          events.push(e);
          if (e.type === 'epoch') tensors.push(tf.memory().numTensors);
        },
      );
      disposeTextModel(model);
      return { result, events, tensors };
    };
    const before = tf.memory().numTensors;
    const a = await run();
    expect(tf.memory().numTensors).toBe(before);
    const initial = a.events[0];
    expect(initial?.type).toBe('initial');
    if (initial?.type !== 'initial') return;
    expect(initial.metrics.epoch).toBe(0);
    expect(initial.metrics.valLoss).toBeGreaterThan(4.5); // ≈ ln 259 for a fresh model
    expect(initial.metrics.sample?.length).toBeGreaterThan(0);
    expect(a.events.filter((e) => e.type === 'batch').length).toBe(4 * initial.batchesPerEpoch);
    expect(a.events[a.events.length - 1]).toMatchObject({ type: 'done', reason: 'completed', epochs: 4 });
    expect(a.result.final.valLoss).toBeLessThan(0.6 * initial.metrics.valLoss);
    expect(a.result.final.perplexity).toBeCloseTo(Math.exp(a.result.final.valLoss), 6);
    expect(new Set(a.tensors).size).toBe(1); // flat across epochs
    const b = await run();
    expect(b.result.history.map((m) => [m.trainLoss, m.valLoss, m.sample])).toEqual(
      a.result.history.map((m) => [m.trainLoss, m.valLoss, m.sample]),
    );
  });

  it('a classifier learns a small 3-class text set (val accuracy ≥ 0.9), fine-tuning the body', async () => {
    const model = clsModel('last');
    const data = { task: 'text-classification' as const, train: classSet(40, 1), validation: classSet(10, 2) };
    const result = await runTextTraining(
      tf,
      model,
      data,
      settings({ task: 'text-classification', epochs: 6, learningRate: 3e-3, dropout: 0.1 }),
      () => {},
    );
    expect(result.final.valAccuracy).toBeGreaterThanOrEqual(0.9);
    const ev = result.evaluation!;
    expect(ev.predicted.length).toBe(30);
    expect(ev.probabilities.length).toBe(30 * 3);
    expect(ev.probabilities[0]! + ev.probabilities[1]! + ev.probabilities[2]!).toBeCloseTo(1, 5);
    expect(ev.accuracy).toBe(result.final.valAccuracy);
    disposeTextModel(model);
  });

  it('head-only classification uses cached pooled features and also learns (mean pooling)', async () => {
    const model = clsModel('mean');
    const data = { task: 'text-classification' as const, train: classSet(40, 1), validation: classSet(10, 2) };
    const events: TextTrainEvent[] = [];
    const result = await runTextTraining(
      tf,
      model,
      data,
      settings({ task: 'text-classification', epochs: 30, learningRate: 3e-2, trainableGroups: ['head'] }),
      (e) => events.push(e),
    );
    expect(events[0]).toMatchObject({ type: 'initial', cachedFeatures: true, trainableParams: 2 * 32 * 3 + 3 });
    expect(result.final.valAccuracy).toBeGreaterThanOrEqual(0.9);
    disposeTextModel(model);
  });

  it('frozen groups keep their weights; trainable ones change', async () => {
    const model = genModel();
    const vars = textVariables(model);
    const before = new Map<string, Float32Array>();
    for (const [name, v] of vars) before.set(name, (await v.data()) as Float32Array);
    const data = { task: 'text-generation' as const, train: PATTERN.repeat(4), validation: PATTERN };
    await runTextTraining(
      tf,
      model,
      data,
      settings({ epochs: 1, optimizer: 'adamw', weightDecay: 0.1, trainableGroups: ['block_1', 'head'] }),
      () => {},
    );
    for (const [name, v] of vars) {
      const now = (await v.data()) as Float32Array;
      const same = now.every((x, i) => x === before.get(name)![i]);
      const trains = name.startsWith('block1.') || name === 'lm_head';
      expect({ name, changed: !same }).toEqual({ name, changed: trains });
    }
    disposeTextModel(model);
  });

  it('stops between batches when asked, keeping the model', async () => {
    const model = genModel();
    const data = { task: 'text-generation' as const, train: PATTERN.repeat(12), validation: PATTERN };
    let batches = 0;
    const events: TextTrainEvent[] = [];
    const result = await runTextTraining(
      tf,
      model,
      data,
      settings({ epochs: 5 }),
      (e) => {
        events.push(e);
        if (e.type === 'batch') batches++;
      },
      { shouldStop: () => batches >= 3 },
    );
    expect(result.reason).toBe('stopped');
    expect(result.epochs).toBe(0);
    // Losses are read one batch late, so the stop lands within one batch of the request.
    expect(batches).toBeGreaterThanOrEqual(3);
    expect(batches).toBeLessThanOrEqual(4);
    expect(events[events.length - 1]?.type).toBe('done');
    expect(result.final.valLoss).toBeLessThan(result.initial.valLoss); // re-evaluated after the 3 steps
    expect(model.lm.vars.size).toBeGreaterThan(0);
    disposeTextModel(model);
  });

  it('early stopping restores the best epoch', async () => {
    const model = clsModel('mean');
    const data = { task: 'text-classification' as const, train: classSet(10, 1), validation: classSet(5, 2) };
    // A large learning rate on SGD makes validation loss bounce; patience 1 stops at the first worse epoch.
    const result = await runTextTraining(
      tf,
      model,
      data,
      settings({
        task: 'text-classification',
        epochs: 8,
        learningRate: 0.5,
        optimizer: 'sgd',
        trainableGroups: ['head'],
        earlyStopping: { patience: 1, restoreBest: true },
      }),
      () => {},
    );
    const best = result.history.find((m) => m.epoch === result.bestEpoch)!;
    expect(result.final.valLoss).toBe(best.valLoss);
    expect(result.evaluation!.loss).toBeCloseTo(best.valLoss, 5);
    expect(result.reason).toBe('early-stopped');
    expect(result.bestEpoch).toBeLessThan(result.epochs);
    disposeTextModel(model);
  });
});
