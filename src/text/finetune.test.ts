/**
 * Text fine-tuning engine on the cpu backend with a tiny seeded transformer (the real model is not
 * needed to test the loop): learning thresholds, determinism, freezing, stop, flat memory.
 *
 * The loop's reported metrics are checked against an independent measurement of the model it
 * returns (`referenceLmLoss`, `referenceClassification`: one example at a time, plain loops, no
 * windows or padded batches) and against the untouched pre-trained model.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOKENIZER, TEST_VOCAB } from '../test/text-tokenizer';
import { createRng } from '../lib/random';
import { runTextTraining } from './finetune';
import { createLm, disposeLm, lmLogits, saveLm, type LmConfig, type SavedLm } from './model';
import { classifyTexts, createTextModel, disposeTextModel, generateText, textVariables, type TextModel } from './text-model';
import type { LabelledText, TextTrainEvent, TextTrainSettings } from './types';

const TINY: LmConfig = { vocabSize: TEST_VOCAB, contextLength: 16, width: 32, heads: 2, blocks: 2, mlpRatio: 2 };
let base: SavedLm;

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
  await tf.ready();
  const lm = createLm(tf, TINY, 5);
  base = await saveLm(lm);
  disposeLm(lm);
});

const copy = (saved: SavedLm): SavedLm => ({ ...saved, weights: saved.weights.slice(0) });
const genModel = (): TextModel => createTextModel(tf, copy(base), { task: 'text-generation' }, TEST_TOKENIZER);
const clsModel = (pooling: 'mean' | 'last' = 'mean'): TextModel =>
  createTextModel(tf, copy(base), { task: 'text-classification', labels: ['fruit', 'animal', 'number'], pooling, seed: 3 }, TEST_TOKENIZER);

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

/**
 * Mean next-token cross-entropy of `text` under the model, measured independently of the loop: the
 * tokens cut at 0, T, 2T, …, each piece run on its own (no padding), log-softmax in plain JS. Every
 * token after the first is predicted exactly once, as the loop's validation promises.
 */
async function referenceLmLoss(model: TextModel, text: string): Promise<number> {
  const ids = TEST_TOKENIZER.encode(text);
  const T = model.lm.config.contextLength;
  const V = model.lm.config.vocabSize;
  let nll = 0;
  let count = 0;
  for (let start = 0; start + 1 < ids.length; start += T) {
    const piece = ids.slice(start, Math.min(ids.length - 1, start + T));
    const logits = tf.tidy(() => lmLogits(tf, model.lm, tf.tensor2d(piece, [1, piece.length], 'int32')));
    const values = (await logits.data()) as Float32Array;
    logits.dispose();
    for (let t = 0; t < piece.length; t++) {
      const row = values.subarray(t * V, (t + 1) * V);
      const max = row.reduce((m, x) => Math.max(m, x), -Infinity);
      const logSum = max + Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0));
      nll += logSum - row[ids[start + t + 1]!]!;
      count++;
    }
  }
  return nll / count;
}

/** Accuracy, mean NLL and predictions of the model on `examples`, one text at a time (classifyTexts, batch 1). */
async function referenceClassification(model: TextModel, examples: readonly LabelledText[]) {
  const K = model.classifier!.labels.length;
  const probs = await classifyTexts(
    tf,
    model,
    examples.map((e) => e.text),
    1,
  );
  let correct = 0;
  let nll = 0;
  const predicted = examples.map((e, i) => {
    const row = Array.from(probs.subarray(i * K, (i + 1) * K));
    const arg = row.indexOf(Math.max(...row));
    if (arg === e.label) correct++;
    nll -= Math.log(Math.max(row[e.label]!, 1e-12));
    return arg;
  });
  return { accuracy: correct / examples.length, loss: nll / examples.length, predicted, probs };
}

const snapshotVars = async (model: TextModel) => {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of textVariables(model)) out.set(name, ((await v.data()) as Float32Array).slice());
  return out;
};

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
    // 24 repeats: 580 tokens, 37 windows of 16, 5 batches an epoch.
    const data = { task: 'text-generation' as const, train: PATTERN.repeat(24), validation: PATTERN.repeat(2) };
    const sample = { prompt: 'the ', maxTokens: 12, temperature: 0.8, topK: 10 };
    const run = async () => {
      const model = genModel();
      const events: TextTrainEvent[] = [];
      const tensors: number[] = [];
      const result = await runTextTraining(tf, model, data, settings({ epochs: 4, sample }), (e) => {
        events.push(e);
        if (e.type === 'epoch') tensors.push(tf.memory().numTensors);
      });
      // Measured on the returned model, outside the loop (before it is disposed).
      const reference = await referenceLmLoss(model, data.validation);
      const finalSample = await generateText(tf, model, sample.prompt, { ...sample, seed: 7 });
      disposeTextModel(model);
      return { result, events, tensors, reference, finalSample };
    };
    const untouched = genModel();
    const untouchedLoss = await referenceLmLoss(untouched, data.validation);
    const untouchedSample = await generateText(tf, untouched, sample.prompt, { ...sample, seed: 7 });
    disposeTextModel(untouched);
    const before = tf.memory().numTensors;
    const a = await run();
    expect(tf.memory().numTensors).toBe(before);
    const initial = a.events[0];
    expect(initial?.type).toBe('initial');
    if (initial?.type !== 'initial') return;
    expect(initial.metrics.epoch).toBe(0);
    // The loop's "before training" is the untouched model, measured independently; ≈ ln 320 for a fresh one.
    expect(initial.metrics.valLoss).toBeCloseTo(untouchedLoss, 4);
    expect(untouchedLoss).toBeGreaterThan(4.5);
    expect(initial.metrics.sample).toBe(untouchedSample);
    expect(a.events.filter((e) => e.type === 'batch').length).toBe(4 * initial.batchesPerEpoch);
    expect(a.events[a.events.length - 1]).toMatchObject({ type: 'done', reason: 'completed', epochs: 4 });
    // The reported final loss is the returned model's, and it beats the untouched model clearly.
    expect(a.result.final.valLoss).toBeCloseTo(a.reference, 4);
    expect(a.reference).toBeLessThan(0.6 * untouchedLoss);
    expect(a.result.final.perplexity).toBeCloseTo(Math.exp(a.reference), 3);
    expect(a.result.final.sample).toBe(a.finalSample);
    expect(a.finalSample).not.toBe(untouchedSample);
    expect(new Set(a.tensors).size).toBe(1); // flat across epochs
    const b = await run();
    expect(b.result.history.map((m) => [m.trainLoss, m.valLoss, m.sample])).toEqual(
      a.result.history.map((m) => [m.trainLoss, m.valLoss, m.sample]),
    );
  });

  it('a classifier learns a small 3-class text set (val accuracy ≥ 0.9), fine-tuning the body', async () => {
    const data = { task: 'text-classification' as const, train: classSet(40, 1), validation: classSet(10, 2) };
    const untouched = clsModel('last');
    const before = await referenceClassification(untouched, data.validation);
    disposeTextModel(untouched);
    const model = clsModel('last');
    const result = await runTextTraining(
      tf,
      model,
      data,
      settings({ task: 'text-classification', epochs: 6, learningRate: 3e-3, dropout: 0.1 }),
      () => {},
    );
    const after = await referenceClassification(model, data.validation);
    // The returned model, measured one text at a time, is the one the loop reports on.
    const ev = result.evaluation!;
    expect(Array.from(ev.predicted)).toEqual(after.predicted);
    expect(Array.from(ev.labels)).toEqual(data.validation.map((e) => e.label));
    ev.probabilities.forEach((p, i) => expect(p).toBeCloseTo(after.probs[i]!, 4));
    expect(result.final.valAccuracy).toBe(after.accuracy);
    expect(result.final.valLoss).toBeCloseTo(after.loss, 4);
    // It learnt: far above chance (1/3) and above the untouched model with a fresh head.
    expect(after.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(after.accuracy).toBeGreaterThanOrEqual(before.accuracy + 0.3);
    expect(after.loss).toBeLessThan(0.2 * before.loss);
    disposeTextModel(model);
  });

  it('head-only classification uses cached pooled features and also learns (mean pooling)', async () => {
    const model = clsModel('mean');
    const data = { task: 'text-classification' as const, train: classSet(40, 1), validation: classSet(10, 2) };
    const before = await referenceClassification(model, data.validation);
    const weightsBefore = await snapshotVars(model);
    const events: TextTrainEvent[] = [];
    const result = await runTextTraining(
      tf,
      model,
      data,
      settings({ task: 'text-classification', epochs: 30, learningRate: 3e-2, trainableGroups: ['head'] }),
      (e) => events.push(e),
    );
    expect(events[0]).toMatchObject({ type: 'initial', cachedFeatures: true, trainableParams: 2 * 32 * 3 + 3 });
    // Trained on cached features, measured on the full uncached forward pass: the cache matched it.
    const after = await referenceClassification(model, data.validation);
    expect(result.final.valAccuracy).toBe(after.accuracy);
    expect(result.final.valLoss).toBeCloseTo(after.loss, 4);
    expect(after.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(after.accuracy).toBeGreaterThanOrEqual(before.accuracy + 0.3);
    // Head only: the body is bit-for-bit the pre-trained one; the head moved.
    const weightsAfter = await snapshotVars(model);
    for (const [name, w] of weightsBefore) {
      const same = w.every((x, i) => Object.is(x, weightsAfter.get(name)![i]));
      expect({ name, same }).toEqual({ name, same: !name.startsWith('cls.') });
    }
    disposeTextModel(model);
  });

  it('frozen groups keep their weights; trainable ones change', async () => {
    const model = genModel();
    const vars = textVariables(model);
    const before = await snapshotVars(model);
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
    const data = { task: 'text-generation' as const, train: PATTERN.repeat(24), validation: PATTERN };
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
    // The model keeps the steps it took: its own loss (measured here) is the reported final one, below the untouched model's.
    const kept = await referenceLmLoss(model, data.validation);
    const untouched = genModel();
    const untouchedLoss = await referenceLmLoss(untouched, data.validation);
    disposeTextModel(untouched);
    expect(result.final.valLoss).toBeCloseTo(kept, 4);
    expect(result.initial.valLoss).toBeCloseTo(untouchedLoss, 4);
    expect(kept).toBeLessThan(untouchedLoss - 0.05);
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
    const losses = result.history.map((m) => m.valLoss);
    expect(result.reason).toBe('early-stopped');
    // The best epoch is the lowest validation loss, and a later one was worse: restoring matters.
    expect(result.bestEpoch).toBe(losses.indexOf(Math.min(...losses)) + 1);
    expect(result.bestEpoch).toBeLessThan(result.epochs);
    const best = losses[result.bestEpoch! - 1]!;
    expect(losses[losses.length - 1]!).toBeGreaterThan(best + 1e-3);
    // The returned model, measured independently, has the best epoch's loss, not the last epoch's.
    const held = await referenceClassification(model, data.validation);
    expect(held.loss).toBeCloseTo(best, 4);
    disposeTextModel(model);
  });
});
