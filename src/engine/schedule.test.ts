import { describe, expect, it } from 'vitest';
import { learningRateAt } from './schedule';
import { DEFAULT_SETTINGS, type ScheduleSettings } from './types';

const base: ScheduleSettings = DEFAULT_SETTINGS.schedule;

describe('learning-rate schedules', () => {
  it('constant stays at the base rate', () => {
    for (const step of [0, 5, 99]) expect(learningRateAt(0.01, { ...base, kind: 'constant' }, step, 100, 10)).toBe(0.01);
  });

  it('step halves every 2 epochs', () => {
    const s = { ...base, kind: 'step' as const, stepEpochs: 2, stepFactor: 0.5 };
    expect(learningRateAt(0.1, s, 0, 100, 10)).toBeCloseTo(0.1);
    expect(learningRateAt(0.1, s, 19, 100, 10)).toBeCloseTo(0.1);
    expect(learningRateAt(0.1, s, 20, 100, 10)).toBeCloseTo(0.05);
    expect(learningRateAt(0.1, s, 45, 100, 10)).toBeCloseTo(0.025);
  });

  it('cosine goes from the base to base × minFactor, half-way at the middle', () => {
    const s = { ...base, kind: 'cosine' as const, minFactor: 0 };
    expect(learningRateAt(0.1, s, 0, 101, 10)).toBeCloseTo(0.1);
    expect(learningRateAt(0.1, s, 50, 101, 10)).toBeCloseTo(0.05);
    expect(learningRateAt(0.1, s, 100, 101, 10)).toBeCloseTo(0);
  });

  it('warm-up rises linearly, then follows a cosine', () => {
    const s = { ...base, kind: 'warmup-cosine' as const, warmupEpochs: 1, minFactor: 0 };
    expect(learningRateAt(0.1, s, 0, 110, 10)).toBeCloseTo(0.01);
    expect(learningRateAt(0.1, s, 4, 110, 10)).toBeCloseTo(0.05);
    expect(learningRateAt(0.1, s, 9, 110, 10)).toBeCloseTo(0.1);
    expect(learningRateAt(0.1, s, 10, 110, 10)).toBeCloseTo(0.1);
    expect(learningRateAt(0.1, s, 109, 110, 10)).toBeCloseTo(0);
  });
});
