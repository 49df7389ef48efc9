/**
 * What a trial trains with: the run's settings with the sampled values on top, "top blocks" through
 * the freeze presets (0 = the head alone), augmentation on or off; and which trial is the best.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, NO_AUGMENTATION, type LayerInfo, type ModelSummary } from '../engine/types';
import { SWEEP_AUGMENTATION, bestTrial, sweepInputProblem, trialSettings } from './sweep';
import { IDLE_SWEEP } from './sweepSlice';
import type { SweepTrialView } from './types';

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
  });
});

describe('sweepInputProblem', () => {
  it('refuses bad input, and trainable blocks on WASM', () => {
    const state = (patch: Partial<typeof IDLE_SWEEP>, backend: 'wasm' | 'webgl' = 'webgl') => ({
      sweep: { ...IDLE_SWEEP, ...patch },
      backend,
    });
    expect(sweepInputProblem(state({}))).toBeNull();
    expect(sweepInputProblem(state({ trials: 0 }))).toMatch(/at least 1 trial/);
    expect(sweepInputProblem(state({ minutes: 0 }))).toMatch(/minutes/);
    const blocks = { ...IDLE_SWEEP.space, topBlocks: { on: true, choices: [0, 2] } };
    expect(sweepInputProblem(state({ space: blocks }, 'wasm'))).toMatch(/WASM/);
    expect(sweepInputProblem(state({ space: blocks }))).toBeNull();
  });
});
