/**
 * The one training loop of the studio, for every task. A task supplies a `TaskRunner` — its batches,
 * its loss, its evaluation and the parts of its model that train — and the loop does the rest:
 * optimizer groups (the head, and the backbone at `learningRate × backboneLrMultiplier`), schedules,
 * weight decay (decoupled for AdamW, an L2 penalty otherwise), gradual unfreezing over the task's
 * parts, early stopping with restore-best, per-epoch checkpoints of named state, out-of-memory
 * backoff (the batch halves and the epoch goes on from the same example), a diverging loss, and
 * stop. The loss is read back one batch late so the device never idles.
 *
 * Owns and disposes its optimizers and snapshots; the runner owns its own tensors (`dispose`).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { StudioError } from '../lib/errors';
import { createYielder } from '../lib/yielder';
import { createFlatOptimizer, type FlatOptimizer } from './flat-optimizer';
import { learningRateAt } from './schedule';
import { captureCheckpoint, layerWeightsOf, restoreOptimizer, restoreState, withLayerWeights, type Checkpoint } from './checkpoint';
import type { EarlyStoppingSettings, EpochMetrics, OptimizerName, ScheduleSettings, TrainResult } from './types';

type Tf = typeof tfTypes;
type Tensor = tfTypes.Tensor;

/** The settings the loop itself reads; each task maps its own settings onto these. */
export interface LoopSettings {
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerName;
  weightDecay: number;
  schedule: ScheduleSettings;
  earlyStopping: EarlyStoppingSettings;
  gradualUnfreezing: { enabled: boolean; everyEpochs: number };
  backboneLrMultiplier: number;
}

/** One piece of state that can change while training (a weight, a batch-norm statistic), by a stable name. */
export interface StateEntry {
  /** A layer or variable name; with `index`, the checkpoint's key for it. */
  layer: string;
  index: number;
  read(): Tensor;
  write(value: Tensor): void;
}

/** A freezable part of the model that trains this run (a block of layers, a text group). */
export interface TrainablePart {
  name: string;
  variables: tfTypes.Variable[];
}

export interface Evaluation {
  loss: number;
  /** null for tasks without an accuracy (text generation). */
  accuracy: number | null;
  /** Segmentation: the mean IoU over the foreground classes (absent for other tasks). */
  iou?: number | null;
}

export interface LoopBatch {
  /** Called inside `variableGrads`: the batch's mean loss and, where the task has one, its accuracy. */
  loss(): { loss: tfTypes.Scalar; accuracy?: Tensor };
  /** The batch's weight in the epoch's mean loss (its examples, or its real tokens). */
  weight: number;
  /** Frees the batch's inputs. */
  dispose(): void;
}

export interface TaskRunner<E extends Evaluation = Evaluation> {
  /** Training examples per epoch. */
  trainCount: number;
  /** Validation examples (0: no validation, so no early stopping). */
  valCount: number;
  /** 'drop': fixed batch shapes, the last partial batch is dropped; 'pad': the task pads it (weight 0 rows). */
  lastBatch: 'drop' | 'pad';
  /** The new head's variables: they train from epoch 1 at the full learning rate. */
  head: tfTypes.Variable[];
  /** The chosen backbone parts, top first: gradual unfreezing opens them in this order. */
  parts: TrainablePart[];
  /** Told which parts are open whenever that changes (image layers' `trainable` flags). */
  setOpen?(open: ReadonlySet<string>): void;
  /** Everything that can change while training: what checkpoints and restore-best hold. */
  state(): StateEntry[];
  /** Work before the first epoch (a frozen-prefix cache); `report` shows its progress. */
  prepare?(report: (done: number, total: number) => void, shouldStop: () => boolean): Promise<void>;
  /** The order of one epoch's training examples (seeded by the epoch). */
  epochOrder(epoch: number): number[];
  /** One batch of `indices` (its rows padded to `batchSize` when `lastBatch` is 'pad'); `step` seeds dropout. */
  batch(indices: number[], step: number, batchSize: number): Promise<LoopBatch>;
  /** The validation metrics of the current weights. */
  evaluate(): Promise<E>;
  /** Frees what `prepare` made. */
  dispose?(): void;
}

export type LoopEvent<E extends Evaluation = Evaluation> =
  | { type: 'phase'; phase: 'caching' | 'training'; done: number; total: number }
  | { type: 'batch'; epoch: number; batch: number; batches: number; step: number; loss: number; accuracy: number; learningRate: number }
  /** Epoch 0 is the model before its first step (not sent on a resume). */
  | { type: 'epoch'; metrics: EpochMetrics; evaluation: E | null }
  | { type: 'checkpoint'; checkpoint: Checkpoint }
  | { type: 'log'; message: string };

export interface LoopResult<E extends Evaluation = Evaluation> extends TrainResult {
  /** The evaluation before the first step (null on a resume or without validation). */
  initial: E | null;
  /** The evaluation of the weights the model holds at the end. */
  final: E | null;
}

export interface LoopOptions<E extends Evaluation> {
  tf: Tf;
  runner: TaskRunner<E>;
  settings: LoopSettings;
  /** May return a promise: the loop waits (a text sample written after each epoch). */
  onEvent: (e: LoopEvent<E>) => void | Promise<void>;
  shouldStop: () => boolean;
  /** Continue an interrupted run: its last checkpoint and the epochs it completed. */
  resume?: { checkpoint: Checkpoint; history: readonly EpochMetrics[] } | null;
  /** Emit a `checkpoint` event after each completed epoch. */
  checkpoints?: boolean;
  /** Evaluate again when stopped mid-epoch, so `final` describes the weights held. */
  evaluateAfterStop?: boolean;
}

/**
 * Whether a thrown value is the backend running out of memory (tfjs's own words on WebGL, WebGPU and
 * WASM, and a lost WebGL context): the loop then halves the batch and carries on.
 */
export function isOutOfMemory(err: unknown): boolean {
  const text = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  return /out of memory|\bOOM\b|failed to allocate|allocation failed|exceeded|context (was )?lost|CONTEXT_LOST/i.test(text);
}

/** The parts open at `epoch`: all of them, or with gradual unfreezing one more from the top every `everyEpochs`. */
export function openPartsAt(parts: readonly string[], unfreezing: LoopSettings['gradualUnfreezing'], epoch: number): Set<string> {
  if (!unfreezing.enabled) return new Set(parts);
  const open = Math.min(parts.length, Math.floor((epoch - 1) / Math.max(1, unfreezing.everyEpochs)));
  return new Set(parts.slice(0, open));
}

/** Weights that decay: matrices and kernels, not biases, norms or batch-norm parameters. */
function decays(v: tfTypes.Variable): boolean {
  return v.rank >= 2;
}

const MONITOR_WORDS: Record<EarlyStoppingSettings['monitor'], string> = {
  'val-loss': 'validation loss',
  'val-accuracy': 'validation accuracy',
  'val-iou': 'validation mean IoU',
};

/** The value early stopping watches in an epoch's metrics. */
function monitored(stopping: EarlyStoppingSettings, m: EpochMetrics): number | null {
  if (stopping.monitor === 'val-loss') return m.valLoss;
  if (stopping.monitor === 'val-iou') return m.valIou ?? null;
  return m.valAccuracy;
}

function improved(stopping: EarlyStoppingSettings, value: number | null, best: number | null): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  if (best === null) return value;
  const better = stopping.monitor === 'val-loss' ? value < best - 1e-6 : value > best + 1e-6;
  return better ? value : null;
}

/** Batches in an epoch of `n` examples: a partial last batch counts only when the task pads it. */
export function batchesOf(n: number, size: number, last: 'drop' | 'pad'): number {
  return Math.max(1, last === 'pad' ? Math.ceil(n / size) : Math.floor(n / size));
}

interface InFlight {
  loss: Tensor;
  acc: Tensor | null;
  weight: number;
  batch: number;
  lr: number;
}

export async function runLoop<E extends Evaluation>(opts: LoopOptions<E>): Promise<LoopResult<E>> {
  const { tf, runner, settings, shouldStop } = opts;
  const emit = async (e: LoopEvent<E>) => {
    await opts.onEvent(e);
  };
  const breathe = createYielder();
  const resume = opts.resume ?? null;
  const startEpoch = resume ? resume.checkpoint.epoch + 1 : 1;
  const state = runner.state();
  const stopping = settings.earlyStopping;
  const partNames = runner.parts.map((p) => p.name);
  if (runner.head.length === 0 && runner.parts.every((p) => p.variables.length === 0)) {
    throw new StudioError('training-failed', 'Nothing would train: choose at least one part of the model to train.');
  }
  let headOpt: FlatOptimizer | null = null;
  let backOpt: FlatOptimizer | null = null;
  let best: { epoch: number; values: Tensor[]; evaluation: E | null } | null = null;
  try {
    if (resume) restoreState(tf, state, resume.checkpoint);
    if (runner.prepare) await runner.prepare((done, total) => void emit({ type: 'phase', phase: 'caching', done, total }), shouldStop);

    const n = runner.trainCount;
    // `let`: halved when a step runs out of memory (see `isOutOfMemory`).
    let batchSize = Math.max(1, Math.min(settings.batchSize, n));
    let batches = batchesOf(n, batchSize, runner.lastBatch);
    let totalSteps = settings.epochs * batches;
    const history: EpochMetrics[] = resume ? resume.history.filter((h) => h.epoch < startEpoch) : [];
    let step = (startEpoch - 1) * batches;
    let openNow: Set<string> | null = null;
    let headVars: tfTypes.Variable[] = [];
    let backVars: tfTypes.Variable[] = [];
    // Early stopping's state continues across a resume (the best epoch's weights come with it).
    const carried = resume?.checkpoint.stopping ?? null;
    let bestValue: number | null = carried?.bestValue ?? null;
    let bestEpochSoFar: number | null = carried?.bestEpoch ?? null;
    let sinceBest = carried?.sinceBest ?? 0;
    let bestWeights: ArrayBuffer | null = carried?.bestWeights ?? null;
    let stoppedEarly: string | null = null;
    let initial: E | null = null;
    let last: E | null = null;
    let dirty = false; // weights changed since `last`
    if (runner.valCount > 0 && !resume) {
      initial = await runner.evaluate();
      last = initial;
      await emit({
        type: 'epoch',
        evaluation: initial,
        metrics: {
          epoch: 0,
          learningRate: learningRateAt(settings.learningRate, settings.schedule, 0, totalSteps, batches),
          trainableParams: 0,
          loss: Number.NaN,
          accuracy: Number.NaN,
          valLoss: initial.loss,
          valAccuracy: initial.accuracy,
          ...(initial.iou !== undefined ? { valIou: initial.iou } : {}),
          ms: 0,
          numTensors: tf.memory().numTensors,
        },
      });
    }
    await emit({ type: 'phase', phase: 'training', done: 0, total: totalSteps });

    for (let epoch = startEpoch; epoch <= settings.epochs && !shouldStop(); epoch++) {
      const wanted = openPartsAt(partNames, settings.gradualUnfreezing, epoch);
      if (!openNow || wanted.size !== openNow.size || [...wanted].some((x) => !openNow!.has(x))) {
        openNow = wanted;
        runner.setOpen?.(wanted);
        headVars = runner.head;
        backVars = runner.parts.filter((p) => wanted.has(p.name)).flatMap((p) => p.variables);
        // The head's optimizer keeps its moments; the backbone's starts afresh when a part opens.
        headOpt ??= headVars.length ? createFlatOptimizer(tf, settings.optimizer, headVars) : null;
        backOpt?.dispose();
        backOpt = backVars.length ? createFlatOptimizer(tf, settings.optimizer, backVars) : null;
        if (resume && epoch === startEpoch) {
          restoreOptimizer(headOpt, resume.checkpoint, 'head');
          restoreOptimizer(backOpt, resume.checkpoint, 'backbone');
        }
      }
      const allVars = [...headVars, ...backVars];
      const started = Date.now();
      const order = runner.epochOrder(epoch);
      let lossSum = 0;
      let weightSum = 0;
      let accSum = 0;
      let done = 0;
      let lr = settings.learningRate;
      let epochStartStep = step;
      const inFlight: InFlight[] = [];
      const settle = async (r: InFlight) => {
        const [lv, av] = await Promise.all([r.loss.data(), r.acc?.data()]);
        r.loss.dispose();
        r.acc?.dispose();
        const lossValue = lv[0] ?? Number.NaN;
        if (!Number.isFinite(lossValue)) {
          inFlight.forEach((q) => (q.loss.dispose(), q.acc?.dispose()));
          inFlight.length = 0;
          throw new StudioError('training-failed', 'The loss became NaN or infinite. Lower the learning rate and train again.');
        }
        const accuracy = av?.[0] ?? Number.NaN;
        lossSum += lossValue * r.weight;
        weightSum += r.weight;
        accSum += accuracy;
        done++;
        step++;
        await emit({ type: 'batch', epoch, batch: r.batch, batches, step, loss: lossValue, accuracy, learningRate: r.lr });
      };
      for (let b = 0; b < batches && !shouldStop(); b++) {
        lr = learningRateAt(settings.learningRate, settings.schedule, epochStartStep + b, totalSteps, batches);
        const idx = order.slice(b * batchSize, (b + 1) * batchSize);
        let batch: LoopBatch | null = null;
        let acc: Tensor | null = null;
        let stepped: { value: Tensor; grads: tfTypes.NamedTensorMap } | null = null;
        try {
          batch = await runner.batch(idx, epochStartStep + b, batchSize);
          const lossOf = batch.loss;
          const l2 = settings.optimizer !== 'adamw' && settings.weightDecay > 0 ? settings.weightDecay : 0;
          stepped = tf.variableGrads(() => {
            const out = lossOf();
            if (out.accuracy) acc = tf.keep(out.accuracy);
            let l: Tensor = out.loss;
            if (l2 > 0) {
              const penalties = allVars.filter(decays).map((v) => tf.sum(tf.square(v)));
              if (penalties.length) l = tf.add(l, tf.mul(tf.addN(penalties), l2 / 2));
            }
            return l as tfTypes.Scalar;
          }, allVars);
          const { grads } = stepped;
          headOpt?.step(grads, lr);
          backOpt?.step(grads, lr * settings.backboneLrMultiplier);
          if (settings.optimizer === 'adamw' && settings.weightDecay > 0) {
            tf.tidy(() => {
              for (const v of headVars.filter(decays)) v.assign(tf.mul(v, 1 - lr * settings.weightDecay));
              for (const v of backVars.filter(decays)) v.assign(tf.mul(v, 1 - lr * settings.backboneLrMultiplier * settings.weightDecay));
            });
          }
        } catch (err) {
          // Out of memory in this step: free its tensors, halve the batch and go on from the same example.
          batch?.dispose();
          [acc as Tensor | null, stepped?.value, ...Object.values(stepped?.grads ?? {})].forEach((t) => t?.dispose());
          if (!isOutOfMemory(err) || batchSize <= 1) throw err;
          while (inFlight.length) await settle(inFlight.shift()!);
          const position = b * batchSize;
          const before = batchSize;
          batchSize = Math.max(1, Math.floor(batchSize / 2));
          batches = batchesOf(n, batchSize, runner.lastBatch);
          totalSteps = settings.epochs * batches;
          epochStartStep = (epoch - 1) * batches;
          const resumeAt = Math.floor(position / batchSize);
          // The epoch's running means keep their weight per example: `done` counts batches of the new size.
          if (done > 0) accSum *= resumeAt / done;
          done = resumeAt;
          b = resumeAt - 1;
          await emit({ type: 'log', message: `Out of memory at batch size ${before}: continuing at ${batchSize}.` });
          continue;
        }
        Object.values(stepped.grads).forEach((g) => g.dispose());
        batch.dispose();
        dirty = true;
        // Read the loss one batch late: the next batch is already queued, so the device never idles.
        inFlight.push({ loss: stepped.value, acc: acc as Tensor | null, weight: batch.weight, batch: b + 1, lr });
        if (inFlight.length > 1) await settle(inFlight.shift()!);
        await breathe();
      }
      while (inFlight.length) await settle(inFlight.shift()!);
      if (done < batches) break; // a partial epoch (stopped) is not recorded as completed
      const val = runner.valCount > 0 ? await runner.evaluate() : null;
      if (val) {
        last = val;
        dirty = false;
      }
      const metrics: EpochMetrics = {
        epoch,
        learningRate: lr,
        trainableParams: allVars.reduce((s, v) => s + v.size, 0),
        loss: weightSum > 0 ? lossSum / weightSum : Number.NaN,
        accuracy: accSum / done,
        valLoss: val?.loss ?? null,
        valAccuracy: val?.accuracy ?? null,
        ...(val?.iou !== undefined ? { valIou: val.iou } : {}),
        ms: Date.now() - started,
        numTensors: tf.memory().numTensors,
      };
      history.push(metrics);
      await emit({ type: 'epoch', metrics, evaluation: val });
      let isBest = false;
      let patienceOut = false;
      if (stopping.enabled) {
        const better = improved(stopping, monitored(stopping, metrics), bestValue);
        if (better !== null) {
          bestValue = better;
          bestEpochSoFar = epoch;
          sinceBest = 0;
          isBest = true;
          if (stopping.restoreBest) {
            best?.values.forEach((t) => t.dispose());
            best = { epoch, values: state.map((s) => tf.clone(s.read())), evaluation: val };
          }
        } else if (++sinceBest >= stopping.patience) {
          stoppedEarly = `Early stopping: ${MONITOR_WORDS[stopping.monitor]} did not improve for ${stopping.patience} epochs.`;
          patienceOut = true;
        }
      }
      if (opts.checkpoints) {
        const checkpoint = await captureCheckpoint(state, epoch, { head: headOpt, backbone: backOpt });
        if (stopping.enabled) {
          if (isBest && stopping.restoreBest) bestWeights = layerWeightsOf(checkpoint).buffer as ArrayBuffer;
          checkpoint.stopping = { bestValue, bestEpoch: bestEpochSoFar, sinceBest, bestWeights: bestWeights ? bestWeights.slice(0) : null };
        }
        await emit({ type: 'checkpoint', checkpoint });
      }
      if (patienceOut) break;
    }
    let bestEpoch: number | null = history.length ? history.length : null;
    let final = last;
    if (best && (best.epoch !== history.length || dirty)) {
      best.values.forEach((value, i) => state[i]?.write(value));
      bestEpoch = best.epoch;
      final = best.evaluation;
      dirty = false;
    } else if (!best && resume && bestWeights && bestEpochSoFar !== null && bestEpochSoFar !== history.length) {
      // The best epoch was before the interruption: its weights came with the checkpoint.
      restoreState(tf, state, withLayerWeights(resume.checkpoint, bestWeights, bestEpochSoFar));
      bestEpoch = bestEpochSoFar;
      dirty = true;
    }
    if (dirty && opts.evaluateAfterStop && runner.valCount > 0) final = await runner.evaluate();
    return {
      epochsCompleted: history.length,
      stopped: shouldStop(),
      stoppedEarly,
      bestEpoch,
      history,
      trainableParams: Math.max(0, ...history.map((h) => h.trainableParams)),
      initial,
      final,
    };
  } finally {
    runner.dispose?.();
    headOpt?.dispose();
    backOpt?.dispose();
    best?.values.forEach((t) => t.dispose());
  }
}
