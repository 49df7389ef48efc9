/**
 * Image classification's task runner for the one training loop (src/engine/loop.ts): batches of
 * decoded (and augmented) pixels or rows of the frozen-prefix cache, the cross-entropy loss with
 * label smoothing, accuracy, and the trainable parts (the chosen backbone layers grouped in blocks).
 * Owns the cache tensors it makes.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { StudioError } from '../../lib/errors';
import { createRng, deriveSeed, shuffled, type Rng } from '../../lib/random';
import { HEAD_LAYERS } from '../../models/head';
import { blockOf } from '../../models/inspect';
import { applyAugment, drawAugmentParams } from '../../engine/augment';
import { actsInTraining, frozenPrefixEnd, hasWeights, runSegment, type Layer } from '../../engine/graph';
import { runLoop, type Evaluation, type LoopEvent, type TaskRunner, type TrainablePart } from '../../engine/loop';
import type { SampleSource } from '../../engine/sources';
import { augmentationOn, type EpochMetrics, type TrainResult, type TrainSettings } from '../../engine/types';
import type { EngineEvent } from '../../engine/engine';
import { layerState, type Checkpoint } from '../../engine/checkpoint';

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
  /** Where frozen-prefix caches outlive a run, for the next run with the same key (sweep trials). */
  prefixCache?: PrefixCacheStore | null;
}

/** The frozen prefix's outputs for one run's training and validation examples. */
export interface PrefixCaches {
  train: Cache;
  val: Cache | null;
}

/**
 * Keeps caches across runs (owned by the engine). `scope` names what the key cannot see: the loaded
 * model and the content of the data. The store owns what it is given: a runner never disposes it.
 */
export interface PrefixCacheStore {
  scope: string;
  get(key: string): PrefixCaches | null;
  put(key: string, caches: PrefixCaches): void;
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
  if (rng && source.augment) {
    const augmented = await source.augment.pixels(indices, size, rng);
    return tf.tidy(() => toInputRange(tf, tf.tensor4d(augmented, [indices.length, size, size, 3]), range));
  }
  const data = await source.pixels(indices, size);
  const params = rng ? drawAugmentParams(indices.length, settings.augmentation, rng) : null;
  return tf.tidy(() => {
    let x = tf.tensor4d(data, [indices.length, size, size, 3]);
    if (params) x = applyAugment(tf, x, settings.augmentation, params);
    return toInputRange(tf, x, range);
  });
}

function crossEntropy(tf: Tf, probs: Tensor, target: Tensor): Tensor {
  return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.log(tf.clipByValue(probs, 1e-7, 1))), -1)));
}

export interface Cache {
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
  shouldStop: () => boolean,
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
        if (shouldStop()) throw new StudioError('cancelled', 'Training was stopped while the cache was being built.');
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
async function measure(ctx: RunContext, from: number, cache: Cache | null, source: SampleSource): Promise<Evaluation> {
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
          idx.map((i) => source.labels[i] ?? 0),
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

function trainableVariables(layers: readonly Layer[]): tfTypes.Variable[] {
  return layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tfTypes.Variable));
}

/**
 * The chosen backbone layers as parts, one per block, top first (gradual unfreezing opens them in
 * this order); the head's layers (a classifier's head, a segmenter's decoder: `isHead`) apart.
 */
function imageParts(
  layers: readonly Layer[],
  chosen: ReadonlySet<string>,
  isHead: (name: string) => boolean = (name) => (HEAD_LAYERS as readonly string[]).includes(name),
): { head: Layer[]; parts: { name: string; layers: Layer[] }[] } {
  const head = layers.filter((l) => isHead(l.name));
  const parts: { name: string; layers: Layer[] }[] = [];
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i] as Layer;
    if (!chosen.has(l.name) || isHead(l.name)) continue;
    const name = blockOf(l.name, l.getClassName());
    let part = parts.find((p) => p.name === name);
    if (!part) parts.push((part = { name, layers: [] }));
    part.layers.unshift(l);
  }
  return { head, parts };
}

/** The backbone layers a run's settings choose to train (none when only the head trains). */
const chosenLayers = (settings: Pick<TrainSettings, 'mode' | 'trainableLayers'>) =>
  new Set(settings.mode === 'fine-tune' ? settings.trainableLayers : []);

/**
 * What a classifier's run trains, by name: the head's layers and the chosen backbone layers by block,
 * top first, as the loop opens them (a training job's `head` and `parts`, src/job/README.md).
 */
export function imagePartNames(layers: readonly Layer[], settings: Pick<TrainSettings, 'mode' | 'trainableLayers'>) {
  const { head, parts } = imageParts(layers, chosenLayers(settings));
  return { head: head.map((l) => l.name), parts: parts.map((p) => ({ name: p.name, layers: p.layers.map((l) => l.name) })) };
}

/**
 * What the loop trains of an image model (a classifier, a segmenter): the head's variables (`isHead`:
 * a classifier's head, a segmenter's decoder), the chosen backbone layers as parts top first, the
 * named state a checkpoint holds (every weight of those layers, batch-norm statistics included), and
 * how opening parts sets the layers' `trainable` flags. `finalSet`: every layer that trains by the end.
 */
export function imageTrainables(
  layers: readonly Layer[],
  settings: Pick<TrainSettings, 'mode' | 'trainableLayers'>,
  isHead?: (name: string) => boolean,
) {
  const { head, parts } = imageParts(layers, chosenLayers(settings), isHead);
  const finalSet = new Set([...head, ...parts.flatMap((p) => p.layers)].map((l) => l.name));
  return {
    finalSet,
    head: trainableVariables(head),
    parts: parts.map((p) => ({ name: p.name, variables: trainableVariables(p.layers) }) satisfies TrainablePart),
    state: layerState(layers.filter((l) => finalSet.has(l.name))),
    setOpen(open: ReadonlySet<string>): void {
      const names = new Set([...head, ...parts.filter((p) => open.has(p.name)).flatMap((p) => p.layers)].map((l) => l.name));
      for (const l of layers) l.trainable = names.has(l.name);
    },
  };
}

/** The task runner of one image-classification run. */
export function imageClassificationRunner(ctx: RunContext): TaskRunner {
  const { tf, model, settings, numClasses, train, val } = ctx;
  const layers = model.layers as Layer[];
  const end = layers.length - 1;
  const { finalSet, head, parts, state, setOpen } = imageTrainables(layers, settings);
  const cut = settings.useCache ? frozenPrefixEnd(model, (l) => (finalSet.has(l.name) && hasWeights(l)) || actsInTraining(l)) : 0;
  const augment = train.augment ? train.augment.on : augmentationOn(settings.augmentation);
  const variants = augment ? Math.max(1, Math.round(settings.augmentation.variants)) : 1;
  const n = train.ids.length;
  let cacheTrain: Cache | null = null;
  let cacheVal: Cache | null = null;
  let shared = false;
  let rng: Rng = createRng(settings.seed);
  return {
    trainCount: n,
    valCount: val.ids.length,
    lastBatch: 'drop',
    head,
    parts,
    setOpen,
    state: () => state,
    async prepare(report, shouldStop) {
      if (cut <= 0) return;
      const total = n * variants + val.ids.length;
      report(0, total);
      // Everything the cached activations depend on: the frozen layers' weights are the pre-trained ones
      // at the start of every run, so the cut, the input and the examples decide them.
      const store = ctx.prefixCache ?? null;
      const key = store
        ? JSON.stringify([
            store.scope,
            layers[cut - 1]?.name,
            cut,
            settings.imageSize,
            settings.resize,
            ctx.inputRange,
            augment ? [train.augment?.key ?? settings.augmentation, variants, settings.seed] : null,
            train.ids,
            val.ids,
          ])
        : null;
      const kept = key ? (store?.get(key) ?? null) : null;
      if (kept) {
        cacheTrain = kept.train;
        cacheVal = kept.val;
        shared = true;
        report(total, total);
        return;
      }
      cacheTrain = await cachePrefix(ctx, cut, train, variants, augment, shouldStop, (d) => report(d, total));
      if (val.ids.length > 0) cacheVal = await cachePrefix(ctx, cut, val, 1, false, shouldStop, (d) => report(n * variants + d, total));
      if (store && key) {
        store.put(key, { train: cacheTrain, val: cacheVal });
        shared = true;
      }
    },
    epochOrder(epoch) {
      rng = createRng(deriveSeed(settings.seed, `epoch-${epoch}`));
      return shuffled(range0(0, n), rng);
    },
    async batch(idx) {
      const cache = cacheTrain;
      const x = cache
        ? tf.gather(
            cache.tensor,
            idx.map((i) => (cache.variants > 1 ? Math.floor(rng() * cache.variants) : 0) * n + i),
          )
        : await pixelTensor(tf, train, idx, settings, ctx.inputRange, augment ? rng : null);
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
      return {
        weight: idx.length,
        loss: () => {
          const probs = runSegment(model, cut, end, x, { training: true });
          const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(probs, -1), tf.argMax(target, -1)), 'float32'));
          return { loss: crossEntropy(tf, probs, target) as tfTypes.Scalar, accuracy };
        },
        dispose: () => {
          x.dispose();
          target.dispose();
        },
      };
    },
    evaluate: () => measure(ctx, cacheVal ? cut : 0, cacheVal, val),
    dispose() {
      if (shared) return; // the store's
      cacheTrain?.tensor.dispose();
      cacheVal?.tensor.dispose();
    },
  };
}

/** One image-classification run on the one loop, its events in the engine's words. */
export async function runTraining(ctx: RunContext): Promise<TrainResult> {
  const result = await runLoop({
    tf: ctx.tf,
    runner: imageClassificationRunner(ctx),
    settings: ctx.settings,
    shouldStop: ctx.shouldStop,
    resume: ctx.resume ?? null,
    checkpoints: ctx.checkpoints ?? false,
    onEvent: (e: LoopEvent) => {
      if (e.type === 'batch') {
        const { epoch, batch, batches, loss, accuracy, step } = e;
        ctx.onEvent({ type: 'batch', metrics: { epoch, batch, batches, loss, accuracy, step } });
      } else if (e.type === 'epoch') ctx.onEvent({ type: 'epoch', metrics: e.metrics });
      else ctx.onEvent(e);
    },
  });
  return {
    epochsCompleted: result.epochsCompleted,
    stopped: result.stopped,
    stoppedEarly: result.stoppedEarly,
    bestEpoch: result.bestEpoch,
    history: result.history,
    trainableParams: result.trainableParams,
  };
}
