/**
 * The learning-rate range test (Leslie Smith, "Cyclical Learning Rates for Training Neural Networks",
 * 2017; fastai's `lr_find`): train on the run's own batches while the learning rate grows
 * exponentially from `minLr` to `maxLr`, record the loss at each step, stop when it diverges, and
 * put every piece of state back as it was. For any task: it drives the same `TaskRunner` the loop
 * trains, with the same optimizer groups (the head, and the backbone parts the first epoch trains
 * at `learningRate × backboneLrMultiplier`).
 *
 * The suggestion follows fastai's "valley" rule (`suggestRate`).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { StudioError } from '../lib/errors';
import { createFlatOptimizer, type FlatOptimizer } from './flat-optimizer';
import { batchesOf, openPartsAt, type Evaluation, type LoopBatch, type LoopSettings, type TaskRunner } from './loop';

type Tf = typeof tfTypes;

export interface LrFinderOptions {
  /** The first and last rate tried (default 1e-6 and 10). */
  minLr?: number;
  maxLr?: number;
  /** Steps from `minLr` to `maxLr` (default 100); the test ends sooner when the loss diverges. */
  steps?: number;
  /** The exponential moving average's factor for the smoothed loss (default 0.9, bias-corrected). */
  smoothing?: number;
  /** Stop when the smoothed loss exceeds this many times its minimum (default 4). */
  divergeFactor?: number;
}

export interface LrPoint {
  learningRate: number;
  loss: number;
  smoothed: number;
}

export interface LrFinderResult {
  points: LrPoint[];
  /** The suggested rate, or null when the loss never fell. */
  suggestion: number | null;
  /** How the suggestion was chosen, in a sentence for the person. */
  rule: string;
  /** The rate at the smoothed loss's minimum. */
  minimumAt: number | null;
  /** Why the test ended. */
  ended: 'diverged' | 'max-rate' | 'stopped';
}

/**
 * fastai's "valley" rule on the smoothed curve: the longest run of steps over which the loss keeps
 * falling (a longest decreasing subsequence, from the end of the flat start), and the rate halfway
 * along it — past the flat start, well before the minimum where the loss is about to blow up. Pure.
 */
export function suggestRate(points: readonly LrPoint[]): Pick<LrFinderResult, 'suggestion' | 'minimumAt' | 'rule'> {
  const finite = points.filter((p) => Number.isFinite(p.smoothed));
  if (finite.length < 5) return { suggestion: null, minimumAt: null, rule: 'Too few steps ran to suggest a rate.' };
  let best = finite[0] as LrPoint;
  for (const p of finite) if (p.smoothed < best.smoothed) best = p;
  const start = finite[0] as LrPoint;
  if (best === start || best.smoothed > start.smoothed * 0.98) {
    return {
      suggestion: null,
      minimumAt: best.learningRate,
      rule: 'The loss did not fall at any rate tried: check the data and the trainable layers.',
    };
  }
  const n = finite.length;
  // The valley begins where the flat start ends: the last point still within 1 % of the first loss.
  // (A head that starts at zero gives a flat start that falls by rounding alone; counted as valley,
  // it would pull the suggestion half the range too low.)
  let flat = 0;
  while (flat + 1 < n && (finite[flat + 1] as LrPoint).smoothed >= start.smoothed * 0.99) flat++;
  const run = new Array<number>(n).fill(1);
  let end = flat;
  for (let i = flat + 1; i < n; i++) {
    for (let j = flat; j < i; j++) {
      if ((finite[i] as LrPoint).smoothed < (finite[j] as LrPoint).smoothed && run[i]! < run[j]! + 1) run[i] = run[j]! + 1;
    }
    if (run[i]! > run[end]!) end = i;
  }
  const begin = end - run[end]! + 1;
  const third = (end - begin) / 3;
  const at = Math.min(end, begin + Math.floor(third) + Math.floor(third / 2));
  const suggestion = (finite[at] as LrPoint).learningRate;
  return {
    suggestion,
    minimumAt: best.learningRate,
    rule: `The loss kept falling from ${fmt((finite[begin] as LrPoint).learningRate)} to ${fmt((finite[end] as LrPoint).learningRate)}; the suggestion sits halfway along that valley (fastai's rule), well before the lowest loss at ${fmt(best.learningRate)}.`,
  };
}

function fmt(x: number): string {
  return x.toExponential(1).replace('e-', 'e−');
}

/** The rate at step `i` of `steps`: exponential from `minLr` to `maxLr`. */
export function rateAt(i: number, steps: number, minLr: number, maxLr: number): number {
  return minLr * (maxLr / minLr) ** (i / Math.max(1, steps - 1));
}

export interface LrFinderRun<E extends Evaluation> {
  tf: Tf;
  runner: TaskRunner<E>;
  settings: LoopSettings;
  options?: LrFinderOptions;
  shouldStop: () => boolean;
  onPoint?: (p: LrPoint, step: number, steps: number) => void;
  /** Progress of the runner's preparation (a frozen-prefix cache). */
  onPrepare?: (done: number, total: number) => void;
}

/**
 * Runs the range test and restores every entry of `runner.state()` to its value before the test, exactly.
 * The runner is disposed (its caches) at the end, as the loop does.
 */
export async function findLearningRate<E extends Evaluation>(run: LrFinderRun<E>): Promise<LrFinderResult> {
  const { tf, runner, settings, shouldStop } = run;
  const minLr = run.options?.minLr ?? 1e-6;
  const maxLr = run.options?.maxLr ?? 10;
  const steps = Math.max(5, Math.round(run.options?.steps ?? 100));
  const beta = run.options?.smoothing ?? 0.9;
  const diverge = run.options?.divergeFactor ?? 4;
  if (!(minLr > 0 && maxLr > minLr)) throw new StudioError('unsupported', 'The range test needs 0 < lowest rate < highest rate.');

  const state = runner.state();
  const saved = state.map((s) => tf.keep(tf.clone(s.read())));
  // The parts the run's first epoch trains (with gradual unfreezing: the head alone).
  const open = openPartsAt(
    runner.parts.map((p) => p.name),
    settings.gradualUnfreezing,
    1,
  );
  const headVars = runner.head;
  const backVars = runner.parts.filter((p) => open.has(p.name)).flatMap((p) => p.variables);
  if (headVars.length + backVars.length === 0) {
    saved.forEach((t) => t.dispose());
    throw new StudioError('training-failed', 'Nothing would train: choose at least one part of the model to train.');
  }
  let headOpt: FlatOptimizer | null = null;
  let backOpt: FlatOptimizer | null = null;
  const points: LrPoint[] = [];
  let ended: LrFinderResult['ended'] = 'max-rate';
  try {
    runner.setOpen?.(open);
    if (runner.prepare) await runner.prepare(run.onPrepare ?? (() => {}), shouldStop);
    headOpt = headVars.length ? createFlatOptimizer(tf, settings.optimizer, headVars) : null;
    backOpt = backVars.length ? createFlatOptimizer(tf, settings.optimizer, backVars) : null;
    const vars = [...headVars, ...backVars];
    const batchSize = Math.max(1, Math.min(settings.batchSize, runner.trainCount));
    const perEpoch = batchesOf(runner.trainCount, batchSize, runner.lastBatch);
    let order: number[] = [];
    let avg = 0;
    let lowest = Infinity;
    for (let i = 0; i < steps; i++) {
      if (shouldStop()) {
        ended = 'stopped';
        break;
      }
      const b = i % perEpoch;
      if (b === 0) order = runner.epochOrder(1 + Math.floor(i / perEpoch));
      const lr = rateAt(i, steps, minLr, maxLr);
      let batch: LoopBatch | null = null;
      let value: number;
      try {
        batch = await runner.batch(order.slice(b * batchSize, (b + 1) * batchSize), i, batchSize);
        const lossOf = batch.loss;
        const { value: loss, grads } = tf.variableGrads(() => lossOf().loss, vars);
        headOpt?.step(grads, lr);
        backOpt?.step(grads, lr * settings.backboneLrMultiplier);
        Object.values(grads).forEach((g) => g.dispose());
        value = (await loss.data())[0] ?? Number.NaN;
        loss.dispose();
      } finally {
        batch?.dispose();
      }
      if (!Number.isFinite(value)) {
        ended = 'diverged';
        break;
      }
      avg = beta * avg + (1 - beta) * value;
      const smoothed = avg / (1 - beta ** (i + 1));
      const point = { learningRate: lr, loss: value, smoothed };
      points.push(point);
      run.onPoint?.(point, i + 1, steps);
      lowest = Math.min(lowest, smoothed);
      if (i > 2 && smoothed > diverge * lowest) {
        ended = 'diverged';
        break;
      }
    }
  } finally {
    // Every weight (and batch-norm statistic) back as it was; the runner's parts as the run opens them.
    state.forEach((s, i) => s.write(saved[i] as tfTypes.Tensor));
    saved.forEach((t) => t.dispose());
    headOpt?.dispose();
    backOpt?.dispose();
    runner.dispose?.();
  }
  return { points, ended, ...suggestRate(points) };
}
