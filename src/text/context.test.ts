/**
 * A generation run's training context (`contextLength`): windows of the asked length, never more
 * than the model's, and the same text then gives proportionally more windows per epoch.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { TEST_TOKENIZER } from '../test/text-tokenizer';
import { tinyPretrainedLm } from '../test/tiny';
import { runContext, runTextTraining } from './finetune';
import { createTextModel, disposeTextModel } from './text-model';
import type { TextTrainEvent, TextTrainSettings } from './types';

const settings = (contextLength: number | null): TextTrainSettings => ({
  task: 'text-generation',
  seed: 1,
  epochs: 1,
  batchSize: 4,
  learningRate: 0.003,
  optimizer: 'adam',
  weightDecay: 0,
  schedule: { kind: 'constant' },
  dropout: 0,
  trainableGroups: ['block_1'],
  contextLength,
});

describe('the training context of a generation run', () => {
  it('cuts windows of the asked length, at most the model’s', async () => {
    const base = await tinyPretrainedLm(3); // context 16
    const text = 'the quick brown fox jumps over the lazy dog. '.repeat(12);
    const batches: Record<string, number> = {};
    for (const ctx of [null, 8, 64]) {
      const model = createTextModel(tf, base, { task: 'text-generation' }, TEST_TOKENIZER);
      try {
        expect(runContext(model, settings(ctx))).toBe(ctx === 8 ? 8 : 16);
        let perEpoch = 0;
        const result = await runTextTraining(
          tf,
          model,
          { task: 'text-generation', train: text, validation: text.slice(0, 90) },
          settings(ctx),
          (e: TextTrainEvent) => {
            if (e.type === 'initial') perEpoch = e.batchesPerEpoch;
          },
        );
        expect(Number.isFinite(result.final.valLoss)).toBe(true);
        batches[String(ctx)] = perEpoch;
      } finally {
        disposeTextModel(model);
      }
    }
    // 362 tokens: 23 windows of 16 (6 batches of 4), 46 of 8 (12 batches); 64 is capped at 16.
    expect(batches.null).toBe(6);
    expect(batches['64']).toBe(6);
    expect(batches['8']).toBe(12);
  });
});
