/**
 * Sweeps, the pure part: the search space a person chooses, seeded random sampling of trials in it,
 * and successive halving's rungs (how many epochs each rung trains, which trials go on after a rung,
 * what to do next). No tfjs, no store: `src/state/sweep.ts` runs the trials and asks `nextAction`.
 */
import { createRng, deriveSeed } from '../lib/random';

/** A numeric range; `log` samples uniformly in log space (learning rate, weight decay above 0). */
export interface SweepRange {
  on: boolean;
  min: number;
  max: number;
}

export interface SweepChoices {
  on: boolean;
  choices: number[];
}

/** What varies between trials. A dimension that is off keeps the run's own setting. */
export interface SweepSpace {
  learningRate: SweepRange;
  batchSize: SweepChoices;
  dropout: SweepRange;
  weightDecay: SweepRange;
  /** How many of the model's top blocks train (0 = only the new head), by the freeze presets' `top-blocks`. */
  topBlocks: SweepChoices;
  /** Whether augmentation is on, sampled half the time each way. */
  augmentation: { on: boolean };
  /** The square input side in pixels. Absent in sweeps stored before it existed (read as off). */
  imageSize?: SweepChoices;
}

/** One trial's values of the dimensions that vary (absent: the run's own setting). */
export interface TrialParams {
  learningRate?: number;
  batchSize?: number;
  dropout?: number;
  weightDecay?: number;
  topBlocks?: number;
  augmentation?: boolean;
  imageSize?: number;
}

export const DEFAULT_SPACE: SweepSpace = {
  learningRate: { on: true, min: 1e-4, max: 3e-2 },
  batchSize: { on: false, choices: [8, 16, 32] },
  dropout: { on: true, min: 0, max: 0.5 },
  weightDecay: { on: false, min: 0, max: 1e-3 },
  topBlocks: { on: false, choices: [0, 1, 2] },
  augmentation: { on: false },
  imageSize: { on: false, choices: [96, 128, 160] },
};

/** Two significant digits: values a person can read and type again, still inside the range. */
function tidy(v: number, min: number, max: number): number {
  const r = v === 0 ? 0 : Number(v.toPrecision(2));
  return Math.min(max, Math.max(min, r));
}

function logUniform(u: number, min: number, max: number): number {
  return Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min)));
}

/**
 * `n` trials drawn at random from `space`, the same for the same seed: the learning rate
 * log-uniform, dropout uniform, weight decay log-uniform when its minimum is above 0 (uniform from
 * 0 otherwise), batch size and top blocks uniform over their choices, augmentation a coin. Each
 * dimension has its own stream, so turning one on does not change the values of another.
 */
export function sampleTrials(space: SweepSpace, n: number, seed: number): TrialParams[] {
  const stream = (name: string) => createRng(deriveSeed(seed, `sweep:${name}`));
  const lr = stream('learningRate');
  const bs = stream('batchSize');
  const dr = stream('dropout');
  const wd = stream('weightDecay');
  const tb = stream('topBlocks');
  const au = stream('augmentation');
  const sz = stream('imageSize');
  const pick = (c: number[], u: number) => c[Math.min(c.length - 1, Math.floor(u * c.length))] as number;
  const out: TrialParams[] = [];
  for (let i = 0; i < n; i++) {
    const t: TrialParams = {};
    const { learningRate: L, batchSize: B, dropout: D, weightDecay: W, topBlocks: T } = space;
    // Every stream advances once per trial, on or off, so trial i's values do not depend on the others' dimensions.
    const u = { lr: lr(), bs: bs(), dr: dr(), wd: wd(), tb: tb(), au: au(), sz: sz() };
    if (L.on) t.learningRate = tidy(logUniform(u.lr, L.min, L.max), L.min, L.max);
    if (B.on && B.choices.length > 0) t.batchSize = pick(B.choices, u.bs);
    if (D.on) t.dropout = Math.min(D.max, Math.max(D.min, Math.round((D.min + u.dr * (D.max - D.min)) * 100) / 100));
    if (W.on) t.weightDecay = tidy(W.min > 0 ? logUniform(u.wd, W.min, W.max) : u.wd * W.max, W.min, W.max);
    if (T.on && T.choices.length > 0) t.topBlocks = pick(T.choices, u.tb);
    if (space.augmentation.on) t.augmentation = u.au < 0.5;
    const S = space.imageSize;
    if (S?.on && S.choices.length > 0) t.imageSize = pick(S.choices, u.sz);
    out.push(t);
  }
  return out;
}

/** Why the space or the budget cannot run, as a sentence a person can act on; null when it can. */
export function spaceProblem(space: SweepSpace, trials: number, opts: { headOnly?: boolean } = {}): string | null {
  if (!Number.isInteger(trials) || trials < 1) return 'A sweep needs at least 1 trial: type a whole number of trials, such as 6.';
  if (trials > 100) return 'A sweep runs at most 100 trials here: type a smaller number.';
  const { learningRate: L, dropout: D, weightDecay: W, batchSize: B, topBlocks: T } = space;
  const bad = (r: SweepRange) => !Number.isFinite(r.min) || !Number.isFinite(r.max);
  if (L.on && (bad(L) || L.min <= 0)) return 'The learning rate’s range must be above 0: type a minimum such as 0.0001.';
  if (L.on && L.min > L.max) return 'The learning rate’s minimum is above its maximum: swap them.';
  if (D.on && (bad(D) || D.min < 0 || D.max >= 1)) return 'Dropout must be at least 0 and below 1: type a range such as 0 to 0.5.';
  if (D.on && D.min > D.max) return 'Dropout’s minimum is above its maximum: swap them.';
  if (W.on && (bad(W) || W.min < 0)) return 'Weight decay cannot be negative: type a range such as 0 to 0.001.';
  if (W.on && W.min > W.max) return 'Weight decay’s minimum is above its maximum: swap them.';
  const whole = (c: number[], min: number) => c.length > 0 && c.every((v) => Number.isInteger(v) && v >= min);
  if (B.on && !whole(B.choices, 1)) return 'Batch sizes must be whole numbers of at least 1, separated by commas, such as 8, 16, 32.';
  if (T.on && !whole(T.choices, 0)) return 'Top blocks must be whole numbers from 0, separated by commas, such as 0, 1, 2.';
  const S = space.imageSize;
  if (S?.on && (!whole(S.choices, 32) || S.choices.some((c) => c > 512))) {
    return 'Input sizes must be whole numbers of pixels from 32 to 512, separated by commas, such as 96, 128, 160.';
  }
  if (opts.headOnly && T.on && T.choices.some((c) => c > 0)) {
    return 'On WASM only the new head can train (it has no convolution gradients): make the top-blocks choices 0, or turn that dimension off.';
  }
  return null;
}

/**
 * The epochs each rung trains to, for runs of `maxEpochs`: maxEpochs, maxEpochs/η, maxEpochs/η², …
 * (rounded) down to `minEpochs`, lowest first — 1, 3, 9 for 9 epochs; 1, 3, 10 for 10. A run of
 * `minEpochs` or fewer is one rung: every trial trains in full.
 */
export function rungEpochs(maxEpochs: number, minEpochs = 1, eta = 3): number[] {
  const max = Math.max(1, Math.floor(maxEpochs));
  const min = Math.max(1, Math.floor(minEpochs));
  const out = new Set<number>([max]);
  for (let e = max / eta; Math.round(e) >= min; e /= eta) out.add(Math.round(e));
  return [...out].sort((a, b) => a - b);
}

/** How many of `n` trials that reached a rung go on: the top 1/η, at least 1. */
export function keepCount(n: number, eta = 3): number {
  return n === 0 ? 0 : Math.max(1, Math.floor(n / eta));
}

/**
 * The trial numbers that go on from a rung: the best `keepCount` by metric (higher is better, or
 * lower with `higher` false, as for a validation loss; ties: the earlier trial; no metric is worst).
 */
export function promoted(results: readonly { trial: number; metric: number | null }[], eta = 3, higher = true): number[] {
  const score = (m: number | null) => (m === null ? -Infinity : higher ? m : -m);
  const ranked = [...results].sort((a, b) => score(b.metric) - score(a.metric) || a.trial - b.trial);
  return ranked
    .slice(0, keepCount(results.length, eta))
    .map((r) => r.trial)
    .sort((a, b) => a - b);
}

/**
 * `waiting`: completed a rung, waiting for the others before promotion; `stopped-early`: successive
 * halving stopped it after a rung; `stopped`: the person stopped the sweep (or its time ran out) first.
 */
export type TrialState = 'queued' | 'running' | 'waiting' | 'stopped-early' | 'stopped' | 'done' | 'failed';

/** A trial as the scheduler sees it: its number (1-based), state, and its metric at each rung it completed. */
export interface TrialProgress {
  trial: number;
  state: TrialState;
  /** Metric after each completed rung, in rung order (its length is the rungs completed). */
  metrics: (number | null)[];
}

export type SweepAction =
  | { kind: 'train'; trial: number; rung: number; epochs: number; fromEpochs: number }
  | { kind: 'promote'; rung: number; keep: number[]; stop: number[] }
  | { kind: 'done' };

/**
 * What the sweep does next (successive halving, one trial at a time): every trial still in the
 * sweep trains to the lowest rung not all of them have reached, in trial order; once they all have
 * (all `waiting`), the top third go on to the next rung and the rest stop early — the caller marks
 * the kept ones `queued` again and the others `stopped-early`; after the last rung the sweep is done.
 */
export function nextAction(trials: readonly TrialProgress[], rungs: readonly number[], eta = 3, higher = true): SweepAction {
  const alive = trials.filter((t) => t.state !== 'stopped-early' && t.state !== 'stopped' && t.state !== 'failed');
  if (alive.length === 0 || rungs.length === 0) return { kind: 'done' };
  const level = Math.min(...alive.map((t) => t.metrics.length));
  if (level >= rungs.length) return { kind: 'done' };
  const behind = alive.filter((t) => t.metrics.length === level);
  const ahead = alive.filter((t) => t.metrics.length > level);
  // A cohort at rung `level` that all completed it, with nobody promoted yet: promote.
  if (level > 0 && ahead.length === 0 && behind.every((t) => t.state === 'waiting')) {
    const cohort = behind.map((t) => ({ trial: t.trial, metric: t.metrics[level - 1] ?? null }));
    const keep = promoted(cohort, eta, higher);
    const stop = cohort.map((c) => c.trial).filter((n) => !keep.includes(n));
    if (stop.length > 0) return { kind: 'promote', rung: level - 1, keep, stop };
  }
  const next = behind.sort((a, b) => a.trial - b.trial)[0] as TrialProgress;
  return {
    kind: 'train',
    trial: next.trial,
    rung: level,
    epochs: rungs[level] as number,
    fromEpochs: level > 0 ? (rungs[level - 1] as number) : 0,
  };
}

/** Epochs a sweep costs in all, against every trial trained in full (what successive halving saves). */
export function epochCost(trials: readonly TrialProgress[], rungs: readonly number[]): { spent: number; full: number } {
  const spent = trials.reduce((s, t) => s + (t.metrics.length > 0 ? (rungs[t.metrics.length - 1] ?? 0) : 0), 0);
  return { spent, full: trials.length * (rungs.at(-1) ?? 0) };
}
