/** Learning-rate schedules: pure functions of the step, tested in Node. */
import type { ScheduleSettings } from './types';

/**
 * The learning rate at `step` (0-based) of a run of `totalSteps`, with `stepsPerEpoch` steps an epoch.
 * constant: base. step: base × factor^⌊epoch / stepEpochs⌋. cosine: from base down to base × minFactor.
 * warmup-cosine: linear from base/warm-up-steps up to base over the warm-up, then cosine.
 */
export function learningRateAt(base: number, schedule: ScheduleSettings, step: number, totalSteps: number, stepsPerEpoch: number): number {
  const min = base * schedule.minFactor;
  const cosine = (t: number) => min + (base - min) * 0.5 * (1 + Math.cos(Math.PI * Math.min(Math.max(t, 0), 1)));
  switch (schedule.kind) {
    case 'constant':
      return base;
    case 'step': {
      const epoch = Math.floor(step / Math.max(1, stepsPerEpoch));
      return base * Math.pow(schedule.stepFactor, Math.floor(epoch / Math.max(1, schedule.stepEpochs)));
    }
    case 'cosine':
      return cosine(totalSteps > 1 ? step / (totalSteps - 1) : 0);
    case 'warmup-cosine': {
      const warm = Math.min(Math.round(schedule.warmupEpochs * stepsPerEpoch), Math.max(0, totalSteps - 1));
      if (step < warm) return (base * (step + 1)) / warm;
      const rest = totalSteps - warm;
      return cosine(rest > 1 ? (step - warm) / (rest - 1) : 0);
    }
  }
}

/** Points of the schedule for a small plot: one per epoch boundary plus the ends. */
export function schedulePoints(
  base: number,
  schedule: ScheduleSettings,
  epochs: number,
  stepsPerEpoch: number,
  points = 60,
): { step: number; lr: number }[] {
  const total = Math.max(1, epochs * stepsPerEpoch);
  const out: { step: number; lr: number }[] = [];
  const n = Math.min(points, total);
  for (let i = 0; i < n; i++) {
    const step = n === 1 ? 0 : Math.round((i * (total - 1)) / (n - 1));
    out.push({ step, lr: learningRateAt(base, schedule, step, total, stepsPerEpoch) });
  }
  return out;
}
