/**
 * Text runs on the one loop: a run interrupted after epoch 1 and resumed from its checkpoint on a
 * fresh copy of the pre-trained model ends with the same weights and metrics as the run that was
 * never interrupted (generation, and classification with the body training and its centring fitted);
 * and a finished run's held checkpoint puts exactly its weights into a fresh model ("use this run's model").
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOKENIZER } from '../test/text-tokenizer';
import type { Checkpoint } from '../engine/checkpoint';
import { evaluateTextClassifier, heldTextCheckpoint, restoreTextRun, runTextTraining } from './finetune';
import type { SavedLm } from './model';
import { tinyPretrainedLm } from '../test/tiny';
import { classifyTexts, createTextModel, disposeTextModel, textVariables, type TextModel } from './text-model';
import type { TextTrainingData, TextTrainSettings } from './types';
import { CLASSIFIER_SHIFT } from './groups';

let base: SavedLm;

beforeAll(async () => {
  base = await tinyPretrainedLm(5);
});

const fresh = (task: TextTrainSettings['task']): TextModel =>
  task === 'text-generation'
    ? createTextModel(tf, { ...base, weights: base.weights.slice(0) }, { task }, TEST_TOKENIZER)
    : createTextModel(
        tf,
        { ...base, weights: base.weights.slice(0) },
        { task, labels: ['a', 'b'], pooling: 'mean', seed: 3 },
        TEST_TOKENIZER,
      );

function weightsOf(model: TextModel): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of textVariables(model)) out.set(name, v.dataSync() as Float32Array);
  if (model.classifier) out.set(CLASSIFIER_SHIFT, model.classifier.shift.dataSync() as Float32Array);
  return out;
}

const TEXT = 'the cat sat on the mat. the dog sat on the log. '.repeat(12);
const CASES: Array<{ name: string; settings: TextTrainSettings; data: TextTrainingData }> = [
  {
    name: 'generation',
    settings: {
      task: 'text-generation',
      seed: 7,
      epochs: 3,
      batchSize: 8,
      learningRate: 3e-3,
      optimizer: 'adam',
      weightDecay: 0.01,
      schedule: { kind: 'warmup-cosine' },
      dropout: 0.1,
      trainableGroups: ['block_1', 'final_norm', 'head'],
    },
    data: { task: 'text-generation', train: TEXT, validation: TEXT.slice(0, 120) },
  },
  {
    name: 'classification (body trains)',
    settings: {
      task: 'text-classification',
      seed: 7,
      epochs: 3,
      batchSize: 4,
      learningRate: 3e-3,
      optimizer: 'adamw',
      weightDecay: 0.01,
      schedule: { kind: 'constant' },
      dropout: 0.1,
      trainableGroups: ['block_1', 'head'],
    },
    data: {
      task: 'text-classification',
      train: Array.from({ length: 14 }, (_, i) => ({ text: i % 2 ? `apple pear ${i}` : `horse otter ${i}`, label: i % 2 })),
      validation: [
        { text: 'plum apple', label: 1 },
        { text: 'tiger horse', label: 0 },
      ],
    },
  },
];

describe('a text run resumed from its checkpoint', () => {
  for (const c of CASES) {
    it(`${c.name}: ends where the uninterrupted run ends`, async () => {
      const straight = fresh(c.settings.task);
      const whole = await runTextTraining(tf, straight, c.data, c.settings, () => {});
      const expected = weightsOf(straight);
      disposeTextModel(straight);

      // The interrupted run: stopped after epoch 1, its checkpoint kept.
      const first = fresh(c.settings.task);
      const checkpoints: Checkpoint[] = [];
      let epochs = 0;
      const part = await runTextTraining(
        tf,
        first,
        c.data,
        c.settings,
        (e) => {
          if (e.type === 'epoch') epochs++;
        },
        { shouldStop: () => epochs >= 1, onCheckpoint: (cp) => checkpoints.push(cp) },
      );
      disposeTextModel(first);
      expect(part.reason).toBe('stopped');
      expect(checkpoints.map((cp) => cp.epoch)).toEqual([1]);

      const again = fresh(c.settings.task);
      const before = tf.memory().numTensors;
      const resumed = await runTextTraining(tf, again, c.data, c.settings, () => {}, {
        resume: { checkpoint: checkpoints[0] as Checkpoint, history: part.history, initial: part.initial },
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
      const got = weightsOf(again);
      for (const [name, values] of expected) {
        const other = got.get(name) as Float32Array;
        let diff = 0;
        for (let i = 0; i < values.length; i++) diff = Math.max(diff, Math.abs((values[i] as number) - (other[i] as number)));
        expect(diff, name).toBeLessThan(1e-6);
      }
      expect(resumed.final.valLoss).toBeCloseTo(whole.final.valLoss, 6);
      expect(resumed.final.valLoss).toBeLessThan(whole.initial.valLoss);
      disposeTextModel(again);
    }, 60_000);
  }
});

describe('a finished text run made current again from its held checkpoint', () => {
  for (const c of CASES) {
    it(`${c.name}: a fresh model gets exactly the weights the run ended with`, async () => {
      // Early stopping that restores the best epoch: the last per-epoch checkpoint may not hold the run's weights.
      const settings: TextTrainSettings = { ...c.settings, epochs: 4, earlyStopping: { patience: 1, restoreBest: true } };
      const trained = fresh(settings.task);
      const result = await runTextTraining(tf, trained, c.data, settings, () => {});
      const held = await heldTextCheckpoint(trained, settings, result.epochs);
      const expected = weightsOf(trained);
      const expectedProbs = trained.classifier ? await classifyTexts(tf, trained, ['plum apple', 'tiger horse', 'apple']) : null;
      disposeTextModel(trained);

      const restored = fresh(settings.task);
      const untouched = weightsOf(restored);
      const before = tf.memory().numTensors;
      restoreTextRun(tf, restored, settings, held, result.bestEpoch);
      expect(tf.memory().numTensors).toBe(before);
      const got = weightsOf(restored);
      let changed = 0;
      for (const [name, values] of expected) {
        expect(Array.from(got.get(name) as Float32Array), name).toEqual(Array.from(values));
        if (Array.from(untouched.get(name) as Float32Array).join() !== Array.from(values).join()) changed++;
      }
      expect(changed).toBeGreaterThan(0); // the run changed weights, and the restore brought them back
      if (expectedProbs && c.data.task === 'text-classification') {
        expect(Array.from(await classifyTexts(tf, restored, ['plum apple', 'tiger horse', 'apple']))).toEqual(Array.from(expectedProbs));
        // Its evaluation on the run's validation split is the run's own.
        const ev = await evaluateTextClassifier(tf, restored, c.data.validation);
        expect(ev.accuracy).toBeCloseTo(result.final.valAccuracy as number, 6);
        expect(ev.loss).toBeCloseTo(result.final.valLoss, 4);
      }
      disposeTextModel(restored);
    }, 60_000);
  }
});
