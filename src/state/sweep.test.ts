/**
 * What a trial trains with: the run's settings with the sampled values on top, "top blocks" through
 * the freeze presets (0 = the head alone), augmentation on or off; and which trial is the best.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, NO_AUGMENTATION, type LayerInfo, type ModelSummary } from '../engine/types';
import { SWEEP_AUGMENTATION, bestTrial, sweepInputProblem, textSpace, trialSettings } from './sweep';
import { textTrialSettings } from './textSweep';
import type { TextTrainSettings } from '../text/types';
import { IDLE_SWEEP } from './sweepSlice';
import type { SweepTrialView, Task } from './types';

const layer = (name: string, block: string, hasWeights = true): LayerInfo => ({
  name,
  className: hasWeights ? 'Conv2D' : 'ReLU',
  outputShape: [null, 4, 4, 8],
  params: hasWeights ? 10 : 0,
  trainableParams: hasWeights ? 10 : 0,
  trainable: false,
  block,
  hasWeights,
});

const summary = {
  layers: [
    layer('input_1', 'input', false),
    layer('Conv1', 'stem'),
    layer('block_1_expand', 'block_1'),
    layer('block_1_relu', 'block_1', false),
    layer('block_2_expand', 'block_2'),
    layer('block_2_relu', 'block_2', false),
    layer('Conv_1', 'top'),
  ],
} as ModelSummary;

describe('trialSettings', () => {
  const s = { settings: { ...DEFAULT_SETTINGS, learningRate: 0.003, epochs: 9 }, summary };

  it('puts the sampled values over the run’s own and trains to the rung’s epochs', () => {
    const t = trialSettings(s, { learningRate: 0.02, dropout: 0.3 }, 1);
    expect(t).toEqual({ ...s.settings, learningRate: 0.02, dropout: 0.3, epochs: 1 });
    expect(trialSettings(s, {}, 3)).toEqual({ ...s.settings, epochs: 3 });
  });

  it('trains the top blocks the freeze preset names, their weightless layers too; 0 is the head alone', () => {
    const one = trialSettings(s, { topBlocks: 1 }, 1);
    expect(one.mode).toBe('fine-tune');
    expect(one.trainableLayers).toEqual(['block_2_expand', 'block_2_relu', 'Conv_1']);
    expect(trialSettings(s, { topBlocks: 2 }, 1).trainableLayers).toEqual([
      'block_1_expand',
      'block_1_relu',
      'block_2_expand',
      'block_2_relu',
      'Conv_1',
    ]);
    const none = trialSettings({ ...s, settings: { ...s.settings, mode: 'fine-tune', trainableLayers: ['Conv_1'] } }, { topBlocks: 0 }, 1);
    expect(none.mode).toBe('head-only');
    expect(none.trainableLayers).toEqual([]);
  });

  it('turns augmentation off, or on with the run’s own (flip, crop and rotate when it has none)', () => {
    expect(trialSettings(s, { augmentation: false }, 1).augmentation).toEqual(NO_AUGMENTATION);
    expect(trialSettings(s, { augmentation: true }, 1).augmentation).toEqual(SWEEP_AUGMENTATION);
    const own = { ...NO_AUGMENTATION, brightness: 0.2 };
    expect(trialSettings({ ...s, settings: { ...s.settings, augmentation: own } }, { augmentation: true }, 1).augmentation).toBe(own);
  });
});

describe('bestTrial', () => {
  const trial = (n: number, metrics: (number | null)[]): SweepTrialView => ({
    trial: n,
    params: {},
    state: 'done',
    metrics,
    runId: `r${n}`,
    epochs: metrics.length,
  });

  it('is the highest final validation accuracy, stopped early or not; the earlier trial on a tie', () => {
    expect(bestTrial([])).toBeNull();
    expect(bestTrial([trial(1, [0.4]), trial(2, [0.5, 0.7]), trial(3, [0.8])])?.trial).toBe(3);
    expect(bestTrial([trial(1, [0.6]), trial(2, [0.6]), trial(3, [null])])?.trial).toBe(1);
    expect(bestTrial([trial(1, []), trial(2, [null])])).toBeNull();
    // Generation sweeps: the lowest validation loss.
    expect(bestTrial([trial(1, [2.4]), trial(2, [2.5, 2.2]), trial(3, [null])], 'loss')?.trial).toBe(2);
  });
});

describe('sweepInputProblem', () => {
  it('refuses bad input, and trainable blocks on WASM', () => {
    const state = (patch: Partial<typeof IDLE_SWEEP>, backend: 'wasm' | 'webgl' = 'webgl', task: Task = 'image-classification') => ({
      sweep: { ...IDLE_SWEEP, ...patch },
      backend,
      text: { task },
    });
    expect(sweepInputProblem(state({}))).toBeNull();
    expect(sweepInputProblem(state({ trials: 0 }))).toMatch(/at least 1 trial/);
    expect(sweepInputProblem(state({ minutes: 0 }))).toMatch(/minutes/);
    const blocks = { ...IDLE_SWEEP.space, topBlocks: { on: true, choices: [0, 2] } };
    expect(sweepInputProblem(state({ space: blocks }, 'wasm'))).toMatch(/WASM/);
    expect(sweepInputProblem(state({ space: blocks }))).toBeNull();
    // Text blocks train on WASM, and an image-only dimension's bad input does not block a text sweep.
    expect(sweepInputProblem(state({ space: blocks }, 'wasm', 'text-classification'))).toBeNull();
    const badSize = { ...IDLE_SWEEP.space, imageSize: { on: true, choices: [8] } };
    expect(sweepInputProblem(state({ space: badSize }))).toMatch(/Input sizes/);
    expect(sweepInputProblem(state({ space: badSize }, 'webgl', 'text-classification'))).toBeNull();
  });
});

describe('textTrialSettings', () => {
  const config = { vocabSize: 259, contextLength: 128, width: 128, heads: 4, blocks: 4, mlpRatio: 4 };
  const base: TextTrainSettings = {
    task: 'text-classification',
    seed: 3,
    epochs: 20,
    batchSize: 16,
    learningRate: 0.003,
    optimizer: 'adam',
    weightDecay: 0,
    schedule: { kind: 'constant' },
    dropout: 0.3,
    trainableGroups: ['head'],
    pooling: 'mean',
  };
  it('puts the sampled values on the run’s settings; top blocks through the text presets, 0 = the head alone', () => {
    const t = textTrialSettings(base, { learningRate: 0.01, batchSize: 8, dropout: 0.1, weightDecay: 0.001, topBlocks: 1 }, 3, config);
    expect(t).toEqual({
      ...base,
      epochs: 3,
      learningRate: 0.01,
      batchSize: 8,
      dropout: 0.1,
      weightDecay: 0.001,
      trainableGroups: ['block_3', 'final_norm', 'head'],
    });
    expect(textTrialSettings(base, { topBlocks: 0 }, 9, config).trainableGroups).toEqual(['head']);
    expect(textTrialSettings(base, {}, 9, config)).toEqual({ ...base, epochs: 9 });
  });
  it('a text sweep never varies the image-only dimensions', () => {
    const space = textSpace({ ...IDLE_SWEEP.space, augmentation: { on: true }, imageSize: { on: true, choices: [96] } });
    expect(space.augmentation.on).toBe(false);
    expect(space.imageSize?.on).toBe(false);
  });
});
