/**
 * One training run over a composed classifier: the frozen-prefix cache (per augmentation variant),
 * a custom loop with separate head and backbone learning rates, schedules, weight decay, label
 * smoothing, gradual unfreezing and early stopping. Owns and disposes every tensor it makes.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { StudioError } from '../lib/errors';
import { createRng, deriveSeed, shuffled, type Rng } from '../lib/random';
import { HEAD_LAYERS } from '../models/head';
import { blockOf } from '../models/inspect';
import { applyAugment, drawAugmentParams } from './augment';
import { actsInTraining, frozenPrefixEnd, hasWeights, runSegment, type Layer } from './graph';
import { createFlatOptimizer, type FlatOptimizer } from './flat-optimizer';
import { learningRateAt } from './schedule';
import type { SampleSource } from './sources';
import { augmentationOn, type EpochMetrics, type TrainResult, type TrainSettings } from './types';
import type { EngineEvent } from './engine';
import { createYielder } from '../lib/yielder';
import { captureCheckpoint, layerWeightsOf, restoreLayerWeights, restoreOptimizer, withLayerWeights, type Checkpoint } from './checkpoint';

type Tf = typeof tfTypes;
type Tensor = tfTypes.Tensor;

const CACHE_CHUNK = 16;
const EVAL_CHUNK = 32;

export interface RunContext {
  tf: Tf;
  model: tfTypes.LayersModel;
  settings: TrainSettings;
  numClasses: number;
  inputRange: [number, number];
  train: SampleSource;
  val: SampleSource;
  onEvent: (e: EngineEvent) => void;
  shouldStop: () => boolean;
  /** Continue an interrupted run: its last checkpoint and the epochs it completed. */
  resume?: { checkpoint: Checkpoint; history: readonly EpochMetrics[] } | null;
  /** Emit a `checkpoint` event after each completed epoch. */
  checkpoints?: boolean;
}

/**
 * Whether a thrown value is the backend running out of memory (tfjs's own words on WebGL, WebGPU and
 * WASM, and a lost WebGL context): the loop then halves the batch and carries on.
 */
export function isOutOfMemory(err: unknown): boolean {
  const text = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  return /out of memory|\bOOM\b|failed to allocate|allocation failed|exceeded|context (was )?lost|CONTEXT_LOST/i.test(text);
}

export function range0(start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i++) out.push(i);
  return out;
}

export function toInputRange(tf: Tf, x: Tensor, range: [number, number]): Tensor {
  const [lo, hi] = range;
  if (lo === 0 && hi === 1) return x;
  return tf.add(tf.mul(x, hi - lo), lo);
}

/** Pixels of `indices` as a tensor in the model's input range, augmented when `rng` is given. */
export async function pixelTensor(
  tf: Tf,
  source: SampleSource,
  indices: readonly number[],
  settings: Pick<TrainSettings, 'imageSize' | 'augmentation'>,
  range: [number, number],
  rng: Rng | null,
): Promise<Tensor> {
  const size = settings.imageSize;
  const data = await source.pixels(indices, size);
  const params = rng ? drawAugmentParams(indices.length, settings.augmentation, rng) : null;
  return tf.tidy(() => {
    let x = tf.tensor4d(data, [indices.length, size, size, 3]);
    if (params) x = applyAugment(tf, x, settings.augmentation, params);
    return toInputRange(tf, x, range);
  });
}

export function crossEntropy(tf: Tf, probs: Tensor, target: Tensor): Tensor {
  return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.log(tf.clipByValue(probs, 1e-7, 1))), -1)));
}

/**
 * The trainable set over time: gradual unfreezing starts with the head alone and adds the chosen
 * backbone blocks one at a time, from the top, every `everyEpochs` epochs.
 */
export function trainableAtEpoch(
  layers: readonly Layer[],
  chosen: ReadonlySet<string>,
  settings: Pick<TrainSettings, 'gradualUnfreezing'>,
  epoch: number,
): Set<string> {
  const head = new Set<string>(HEAD_LAYERS);
  if (!settings.gradualUnfreezing.enabled) return new Set([...head, ...chosen]);
  const blocks: string[] = [];
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i] as Layer;
    if (!chosen.has(l.name)) continue;
    const b = blockOf(l.name, l.getClassName());
    if (!blocks.includes(b)) blocks.push(b);
  }
  const open = Math.min(blocks.length, Math.floor((epoch - 1) / Math.max(1, settings.gradualUnfreezing.everyEpochs)));
  const openBlocks = new Set(blocks.slice(0, open));
  const out = new Set(head);
  for (const l of layers) if (chosen.has(l.name) && openBlocks.has(blockOf(l.name, l.getClassName()))) out.add(l.name);
  return out;
}

interface Cache {
  /** [variants × n, …] activations at the cut. */
  tensor: Tensor;
  variants: number;
}

async function cachePrefix(
  ctx: RunContext,
  cut: number,
  source: SampleSource,
  variants: number,
  augment: boolean,
  progress: (done: number) => void,
): Promise<Cache> {
  const { tf, model, settings } = ctx;
  const parts: Tensor[] = [];
  const n = source.ids.length;
  try {
    for (let v = 0; v < variants; v++) {
      // Every variant is augmented, as "augmented this many times" promises (a clean variant 0 left
      // `variants: 1` not augmented at all).
      const rng = augment ? createRng(deriveSeed(settings.seed, `cache-variant-${v}`)) : null;
      for (let start = 0; start < n; start += CACHE_CHUNK) {
        if (ctx.shouldStop()) throw new StudioError('cancelled', 'Training was stopped while the cache was being built.');
        const idx = range0(start, Math.min(n, start + CACHE_CHUNK));
        const x = await pixelTensor(tf, source, idx, settings, ctx.inputRange, rng);
        const y = tf.tidy(() => runSegment(model, 0, cut, x, { training: false }));
        x.dispose();
        await y.data(); // keeps the GPU queue short
        parts.push(y);
        await new Promise<void>((resolve) => setTimeout(resolve, 0)); // lets messages (stop) through
        progress(v * n + start + idx.length);
      }
    }
    const tensor = parts.length === 1 ? (parts[0] as Tensor) : tf.concat(parts, 0);
    return { tensor, variants };
  } finally {
    if (parts.length > 1) parts.forEach((p) => p.dispose());
  }
}

/** Loss and accuracy over a whole source (no augmentation), from its cache when there is one (a validation cache is one clean variant). */
export async function measure(
  ctx: Pick<RunContext, 'tf' | 'model' | 'settings' | 'numClasses' | 'inputRange'>,
  from: number,
  cache: Cache | null,
  source: SampleSource,
): Promise<{ loss: number; accuracy: number }> {
  const { tf, model, numClasses } = ctx;
  const n = source.ids.length;
  if (n === 0) return { loss: Number.NaN, accuracy: Number.NaN };
  const end = model.layers.length - 1;
  const sums: Tensor[] = [];
  for (let start = 0; start < n; start += EVAL_CHUNK) {
    const idx = range0(start, Math.min(n, start + EVAL_CHUNK));
    const x = cache ? tf.gather(cache.tensor, idx) : await pixelTensor(tf, source, idx, ctx.settings, ctx.inputRange, null);
    const sum = tf.tidy(() => {
      const probs = runSegment(model, from, end, x, { training: false });
      const y = tf
        .oneHot(
          Array.from(idx, (i) => source.labels[i] ?? 0),
          numClasses,
        )
        .toFloat();
      const lossSum = tf.mul(crossEntropy(tf, probs, y), idx.length);
      const correct = tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), tf.argMax(y, -1)), 'float32'));
      return tf.stack([lossSum, correct]);
    });
    x.dispose();
    sums.push(sum);
  }
  const total = tf.tidy(() => tf.sum(tf.stack(sums), 0));
  sums.forEach((s) => s.dispose());
  const [lossSum, correct] = await total.data();
  total.dispose();
  return { loss: (lossSum ?? 0) / n, accuracy: (correct ?? 0) / n };
}

function variablesOf(model: tfTypes.LayersModel, names: ReadonlySet<string>, head: boolean): tfTypes.Variable[] {
  const vars: tfTypes.Variable[] = [];
  for (const layer of model.layers) {
    if (!names.has(layer.name)) continue;
    if ((HEAD_LAYERS as readonly string[]).includes(layer.name) !== head) continue;
    for (const w of layer.trainableWeights) vars.push(w.read() as tfTypes.Variable);
  }
  return vars;
}

/** Weights that decay: kernels and dense weights, not biases or batch-norm parameters. */
function decays(v: tfTypes.Variable): boolean {
  return v.rank >= 2;
}

interface Snapshot {
  epoch: number;
  values: Map<tfTypes.LayerVariable, Tensor>;
}

function snapshot(tf: Tf, layers: readonly Layer[], epoch: number, previous: Snapshot | null): Snapshot {
  previous?.values.forEach((t) => t.dispose());
  const values = new Map<tfTypes.LayerVariable, Tensor>();
  for (const l of layers) for (const w of l.weights) values.set(w, tf.clone(w.read()));
  return { epoch, values };
}

function improved(settings: TrainSettings, m: EpochMetrics, best: number | null): number | null {
  const value = settings.earlyStopping.monitor === 'val-loss' ? m.valLoss : m.valAccuracy;
  if (value === null || !Number.isFinite(value)) return null;
  if (best === null) return value;
  const better = settings.earlyStopping.monitor === 'val-loss' ? value < best - 1e-6 : value > best + 1e-6;
  return better ? value : null;
}

export async function runTraining(ctx: RunContext): Promise<TrainResult> {
  const breathe = createYielder();
  const { tf, model, settings, numClasses, train, val, onEvent } = ctx;
  const layers = model.layers as Layer[];
  const end = layers.length - 1;
  const chosen = new Set(settings.mode === 'fine-tune' ? settings.trainableLayers : []);
  const finalSet = trainableAtEpoch(layers, chosen, { gradualUnfreezing: { enabled: false, everyEpochs: 1 } }, 1);
  const cut = settings.useCache ? frozenPrefixEnd(model, (l) => (finalSet.has(l.name) && hasWeights(l)) || actsInTraining(l)) : 0;
  const augment = augmentationOn(settings.augmentation);
  const variants = augment ? Math.max(1, Math.round(settings.augmentation.variants)) : 1;

  let cacheTrain: Cache | null = null;
  let cacheVal: Cache | null = null;
  let headOpt: FlatOptimizer | null = null;
  let backOpt: FlatOptimizer | null = null;
  let best: Snapshot | null = null;
  const resume = ctx.resume ?? null;
  const startEpoch = resume ? resume.checkpoint.epoch + 1 : 1;
  try {
    if (resume) restoreLayerWeights(tf, model, resume.checkpoint);
    if (cut > 0) {
      const total = train.ids.length * variants + val.ids.length;
      onEvent({ type: 'phase', phase: 'caching', done: 0, total });
      cacheTrain = await cachePrefix(ctx, cut, train, variants, augment, (d) =>
        onEvent({ type: 'phase', phase: 'caching', done: d, total }),
      );
      if (val.ids.length > 0) {
        const offset = train.ids.length * variants;
        cacheVal = await cachePrefix(ctx, cut, val, 1, false, (d) => onEvent({ type: 'phase', phase: 'caching', done: offset + d, total }));
      }
    }

    const n = train.ids.length;
    // `let`: halved when a step runs out of memory (see `isOutOfMemory`).
    let batchSize = Math.max(1, Math.min(settings.batchSize, n));
    // Fixed batch shapes: the last partial batch is dropped (the shuffle differs every epoch).
    let batches = Math.max(1, Math.floor(n / batchSize));
    let totalSteps = settings.epochs * batches;
    const history: EpochMetrics[] = resume ? resume.history.filter((h) => h.epoch < startEpoch) : [];
    let step = (startEpoch - 1) * batches;
    let trainableNow = new Set<string>();
    let headVars: tfTypes.Variable[] = [];
    let backVars: tfTypes.Variable[] = [];
    // Early stopping's state continues across a resume (the best epoch's weights come with it).
    const carried = resume?.checkpoint.stopping ?? null;
    let bestValue: number | null = carried?.bestValue ?? null;
    let bestEpochSoFar: number | null = carried?.bestEpoch ?? null;
    let sinceBest = carried?.sinceBest ?? 0;
    let bestWeights: ArrayBuffer | null = carried?.bestWeights ?? null;
    let stoppedEarly: string | null = null;
    if (val.ids.length > 0 && !resume) {
      // Epoch 0: the model before its first training step (the new head is untrained).
      const initial = await measure(ctx, cacheVal ? cut : 0, cacheVal, val);
      onEvent({
        type: 'epoch',
        metrics: {
          epoch: 0,
          learningRate: settings.learningRate,
          trainableParams: 0,
          loss: Number.NaN,
          accuracy: Number.NaN,
          valLoss: initial.loss,
          valAccuracy: initial.accuracy,
          ms: 0,
          numTensors: tf.memory().numTensors,
        },
      });
    }
    onEvent({ type: 'phase', phase: 'training', done: 0, total: totalSteps });

    for (let epoch = startEpoch; epoch <= settings.epochs && !ctx.shouldStop(); epoch++) {
      const wanted = trainableAtEpoch(layers, chosen, settings, epoch);
      if (wanted.size !== trainableNow.size || [...wanted].some((x) => !trainableNow.has(x))) {
        trainableNow = wanted;
        for (const l of layers) l.trainable = wanted.has(l.name);
        headVars = variablesOf(model, wanted, true);
        backVars = variablesOf(model, wanted, false);
        // The head's optimizer keeps its moments; the backbone's starts afresh when a block opens.
        headOpt ??= createFlatOptimizer(tf, settings.optimizer, headVars);
        backOpt?.dispose();
        backOpt = backVars.length ? createFlatOptimizer(tf, settings.optimizer, backVars) : null;
        if (resume && epoch === startEpoch) {
          restoreOptimizer(headOpt, resume.checkpoint, 'head');
          restoreOptimizer(backOpt, resume.checkpoint, 'backbone');
        }
      }
      const allVars = [...headVars, ...backVars];
      const started = Date.now();
      const rng = createRng(deriveSeed(settings.seed, `epoch-${epoch}`));
      const order = shuffled(range0(0, n), rng);
      let lossSum = 0;
      let accSum = 0;
      let done = 0;
      let lr = settings.learningRate;
      let epochStartStep = step;
      const inFlight: { loss: Tensor; acc: Tensor | null; batch: number }[] = [];
      const settle = async (r: { loss: Tensor; acc: Tensor | null; batch: number }) => {
        const [lv, av] = await Promise.all([r.loss.data(), r.acc?.data()]);
        r.loss.dispose();
        r.acc?.dispose();
        const lossValue = lv[0] ?? Number.NaN;
        if (!Number.isFinite(lossValue)) {
          inFlight.forEach((q) => (q.loss.dispose(), q.acc?.dispose()));
          inFlight.length = 0;
          throw new StudioError('training-failed', 'The loss became NaN or infinite. Lower the learning rate and train again.');
        }
        lossSum += lossValue;
        accSum += av?.[0] ?? Number.NaN;
        done++;
        step++;
        onEvent({ type: 'batch', metrics: { epoch, batch: r.batch, batches, loss: lossValue, accuracy: av?.[0] ?? Number.NaN, step } });
      };
      for (let b = 0; b < batches && !ctx.shouldStop(); b++) {
        lr = learningRateAt(settings.learningRate, settings.schedule, epochStartStep + b, totalSteps, batches);
        const idx = order.slice(b * batchSize, (b + 1) * batchSize);
        let x: Tensor | null = null;
        let y: Tensor | null = null;
        let acc: Tensor | null = null;
        let stepped: { value: Tensor; grads: tfTypes.NamedTensorMap } | null = null;
        try {
          if (cacheTrain) {
            const rows = idx.map((i) => (cacheTrain!.variants > 1 ? Math.floor(rng() * cacheTrain!.variants) : 0) * n + i);
            x = tf.gather(cacheTrain.tensor, rows);
          } else {
            x = await pixelTensor(tf, train, idx, settings, ctx.inputRange, augment ? rng : null);
          }
          const input = x;
          const target = tf.tidy(() => {
            const hot = tf
              .oneHot(
                idx.map((i) => train.labels[i] ?? 0),
                numClasses,
              )
              .toFloat();
            const s = settings.labelSmoothing;
            return s > 0 ? tf.add(tf.mul(hot, 1 - s), s / numClasses) : hot;
          });
          y = target;
          const l2 = settings.optimizer !== 'adamw' && settings.weightDecay > 0 ? settings.weightDecay : 0;
          stepped = tf.variableGrads(() => {
            const probs = runSegment(model, cut, end, input, { training: true });
            acc = tf.keep(tf.mean(tf.cast(tf.equal(tf.argMax(probs, -1), tf.argMax(target, -1)), 'float32')));
            let l = crossEntropy(tf, probs, target);
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
          // Out of memory in this step: free its tensors, halve the batch and go on from the same image.
          [x, y, acc, stepped?.value, ...Object.values(stepped?.grads ?? {})].forEach((t) => t?.dispose());
          if (!isOutOfMemory(err) || batchSize <= 1) throw err;
          while (inFlight.length) await settle(inFlight.shift()!);
          const position = b * batchSize;
          const before = batchSize;
          batchSize = Math.max(1, Math.floor(batchSize / 2));
          batches = Math.max(1, Math.floor(n / batchSize));
          totalSteps = settings.epochs * batches;
          epochStartStep = (epoch - 1) * batches;
          const resumeAt = Math.floor(position / batchSize);
          // The epoch's running means keep their weight per image: `done` counts batches of the new size.
          if (done > 0) {
            lossSum *= resumeAt / done;
            accSum *= resumeAt / done;
          }
          done = resumeAt;
          b = resumeAt - 1;
          onEvent({ type: 'log', message: `Out of memory at batch size ${before}: continuing at ${batchSize}.` });
          continue;
        }
        Object.values(stepped.grads).forEach((g) => g.dispose());
        x.dispose();
        y.dispose();
        // Read the loss one batch late: the next batch is already queued, so the device never idles.
        inFlight.push({ loss: stepped.value, acc: acc as Tensor | null, batch: b + 1 });
        if (inFlight.length > 1) await settle(inFlight.shift()!);
        await breathe();
      }
      while (inFlight.length) await settle(inFlight.shift()!);
      if (done < batches) break; // a partial epoch (stopped) is not recorded as completed
      const valM = val.ids.length > 0 ? await measure(ctx, cacheVal ? cut : 0, cacheVal, val) : null;
      const metrics: EpochMetrics = {
        epoch,
        learningRate: lr,
        trainableParams: allVars.reduce((s, v) => s + v.size, 0),
        loss: lossSum / done,
        accuracy: accSum / done,
        valLoss: valM?.loss ?? null,
        valAccuracy: valM?.accuracy ?? null,
        ms: Date.now() - started,
        numTensors: tf.memory().numTensors,
      };
      history.push(metrics);
      onEvent({ type: 'epoch', metrics });
      let isBest = false;
      let patienceOut = false;
      if (settings.earlyStopping.enabled) {
        const better = improved(settings, metrics, bestValue);
        if (better !== null) {
          bestValue = better;
          bestEpochSoFar = epoch;
          sinceBest = 0;
          isBest = true;
          if (settings.earlyStopping.restoreBest) best = snapshot(tf, layers.slice(cut + 1), epoch, best);
        } else if (++sinceBest >= settings.earlyStopping.patience) {
          stoppedEarly = `Early stopping: ${settings.earlyStopping.monitor === 'val-loss' ? 'validation loss' : 'validation accuracy'} did not improve for ${settings.earlyStopping.patience} epochs.`;
          patienceOut = true;
        }
      }
      if (ctx.checkpoints) {
        const names = new Set([...finalSet].filter((name) => layers.some((l) => l.name === name && l.weights.length > 0)));
        const checkpoint = await captureCheckpoint(layers, names, epoch, { head: headOpt, backbone: backOpt });
        if (settings.earlyStopping.enabled) {
          if (isBest && settings.earlyStopping.restoreBest) bestWeights = layerWeightsOf(checkpoint).buffer as ArrayBuffer;
          checkpoint.stopping = {
            bestValue,
            bestEpoch: bestEpochSoFar,
            sinceBest,
            bestWeights: bestWeights ? bestWeights.slice(0) : null,
          };
        }
        onEvent({ type: 'checkpoint', checkpoint });
      }
      if (patienceOut) break;
    }
    let bestEpoch: number | null = history.length ? history.length : null;
    if (best && best.epoch !== history.length) {
      best.values.forEach((value, variable) => variable.write(value));
      bestEpoch = best.epoch;
    } else if (!best && resume && bestWeights && bestEpochSoFar !== null && bestEpochSoFar !== history.length) {
      // The best epoch was before the interruption: its weights came with the checkpoint.
      restoreLayerWeights(tf, model, withLayerWeights(resume.checkpoint, bestWeights, bestEpochSoFar));
      bestEpoch = bestEpochSoFar;
    }
    return {
      epochsCompleted: history.length,
      stopped: ctx.shouldStop(),
      stoppedEarly,
      bestEpoch,
      history,
      trainableParams: Math.max(0, ...history.map((h) => h.trainableParams)),
    };
  } finally {
    cacheTrain?.tensor.dispose();
    cacheVal?.tensor.dispose();
    headOpt?.dispose();
    backOpt?.dispose();
    best?.values.forEach((t) => t.dispose());
  }
}
