/**
 * Image segmentation's task runner for the one training loop (src/engine/loop.ts): batches of
 * decoded pixels and class maps with the same augmentation's geometry on both (or rows of the
 * frozen-part cache: the encoder's skips and bottleneck, per augmentation variant, with the masks
 * that go with them), a loss of pixel cross-entropy (optionally class-weighted) plus soft Dice, and
 * an evaluation of the loss, pixel accuracy, the pixel confusion matrix and the foreground mean IoU.
 * Owns the cache tensors it makes.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { StudioError } from '../../lib/errors';
import { createRng, deriveSeed, shuffled, type Rng } from '../../lib/random';
import { IGNORE_CLASS } from '../../data/segmentation';
import { applyAugment, applyAugmentToMask, drawAugmentParams } from '../../engine/augment';
import { frozenFrontier, hasWeights, runFrom, type Layer } from '../../engine/graph';
import { runLoop, type Evaluation, type LoopEvent, type TaskRunner } from '../../engine/loop';
import { augmentationOn, type EpochMetrics, type TrainSettings } from '../../engine/types';
import type { Checkpoint } from '../../engine/checkpoint';
import { imageTrainables, range0, toInputRange } from '../image-classification/runner';
import { confusionRows, segScores } from './metrics';
import { isDecoderLayer } from './model';

type Tf = typeof tfTypes;
type Tensor = tfTypes.Tensor;

const CACHE_CHUNK = 8;
export const EVAL_CHUNK = 8;

/** Where a segmentation run's examples come from (the worker decodes compressed images; tests hold arrays). */
export interface SegSource {
  readonly ids: readonly string[];
  /** Pixels of the examples at size×size, RGB, row-major HWC in [0, 1], concatenated. */
  pixels(indices: readonly number[], size: number): Promise<Float32Array>;
  /** Class maps of the examples at size×size (nearest neighbour), `IGNORE_CLASS` where a pixel has none, concatenated. */
  masks(indices: readonly number[], size: number): Promise<Uint8Array>;
}

/** A source over images and class maps already in memory at one size (tests, benchmarks). */
export function arraySegSource(
  images: readonly Float32Array[],
  masks: readonly Uint8Array[],
  size: number,
  ids?: readonly string[],
): SegSource {
  const check = (requested: number) => {
    if (requested !== size) throw new Error(`arraySegSource holds ${size}px images, asked for ${requested}px`);
  };
  return {
    ids: ids ?? images.map((_, i) => `s${i}`),
    async pixels(indices, requested) {
      check(requested);
      const per = size * size * 3;
      const out = new Float32Array(indices.length * per);
      indices.forEach((i, k) => out.set(images[i] as Float32Array, k * per));
      return out;
    },
    async masks(indices, requested) {
      check(requested);
      const per = size * size;
      const out = new Uint8Array(indices.length * per);
      indices.forEach((i, k) => out.set(masks[i] as Uint8Array, k * per));
      return out;
    },
  };
}

/** What a segmentation run's validation measures after each epoch. */
export interface SegEvaluation extends Evaluation {
  /** Pixel accuracy. */
  accuracy: number;
  /** Mean IoU over the foreground classes (NaN when the split holds none). */
  iou: number;
  /** Pixels per [truth][predicted] at the model's resolution. */
  confusion: number[][];
}

/** The loss's settings: how much soft Dice adds to the cross-entropy, and per-class weights of the cross-entropy. */
export interface SegLoss {
  diceWeight: number;
  /** One weight per class (null: every class weighs 1). */
  classWeights: readonly number[] | null;
}

export interface SegRunContext {
  tf: Tf;
  model: tfTypes.LayersModel;
  settings: TrainSettings;
  numClasses: number;
  inputRange: [number, number];
  train: SegSource;
  val: SegSource;
  loss: SegLoss;
  onEvent: (e: LoopEvent<SegEvaluation>) => void;
  shouldStop: () => boolean;
  resume?: { checkpoint: Checkpoint; history: readonly EpochMetrics[] } | null;
  checkpoints?: boolean;
}

/**
 * Balanced class weights from the training pixels of each class: 1/√share, scaled so the mean weight
 * of a pixel is 1 (a class absent from the training masks weighs 0). The square root keeps a class of
 * 1 % from weighing a hundred times more than the background, which makes training unstable.
 */
export function balancedClassWeights(pixelCounts: readonly number[]): number[] {
  const total = pixelCounts.reduce((s, n) => s + n, 0);
  if (total === 0) return pixelCounts.map(() => 1);
  const raw = pixelCounts.map((n) => (n > 0 ? 1 / Math.sqrt(n / total) : 0));
  const meanWeight = raw.reduce((s, w, c) => s + (w * (pixelCounts[c] ?? 0)) / total, 0);
  return raw.map((w) => w / meanWeight);
}

/**
 * The loss of a batch: pixel cross-entropy (weighted per class when weights are given, averaged over
 * the weights of the counted pixels) plus `diceWeight` × (1 − soft Dice averaged over the classes,
 * smoothed by 1), and the pixel accuracy. `probs` [b, h, w, C]; `mask` int32 [b, h, w] with
 * `IGNORE_CLASS` where a pixel is not counted (its one-hot row is all zeros). Call inside tidy/grads.
 */
export function segLoss(
  tf: Tf,
  probs: Tensor,
  mask: Tensor,
  numClasses: number,
  loss: SegLoss,
): { loss: tfTypes.Scalar; accuracy: Tensor } {
  const p = tf.reshape(probs, [-1, numClasses]);
  const hot = tf.oneHot(tf.reshape(mask, [-1]), numClasses).toFloat();
  const valid = tf.sum(hot, -1);
  const logp = tf.log(tf.clipByValue(p, 1e-7, 1));
  const weights = loss.classWeights ? tf.tensor1d([...loss.classWeights]) : null;
  const weighted = weights ? tf.mul(hot, weights) : hot;
  const ce = tf.div(tf.neg(tf.sum(tf.mul(weighted, logp))), tf.maximum(tf.sum(weighted), 1));
  let total: Tensor = ce;
  if (loss.diceWeight > 0) {
    const pv = tf.mul(p, tf.expandDims(valid, -1));
    const inter = tf.sum(tf.mul(pv, hot), 0);
    const denom = tf.add(tf.sum(pv, 0), tf.sum(hot, 0));
    const dice = tf.div(tf.add(tf.mul(inter, 2), 1), tf.add(denom, 1));
    total = tf.add(ce, tf.mul(tf.sub(1, tf.mean(dice)), loss.diceWeight));
  }
  const right = tf.mul(tf.cast(tf.equal(tf.argMax(p, -1), tf.argMax(hot, -1)), 'float32'), valid);
  const accuracy = tf.div(tf.sum(right), tf.maximum(tf.sum(valid), 1));
  return { loss: total as tfTypes.Scalar, accuracy };
}

/** Pixels per [truth][predicted] of a batch as a C×C tensor (ignored pixels have an all-zero truth row). */
export function batchConfusion(tf: Tf, probs: Tensor, mask: Tensor, numClasses: number): Tensor {
  const hot = tf.oneHot(tf.reshape(mask, [-1]), numClasses).toFloat();
  const predicted = tf.oneHot(tf.argMax(tf.reshape(probs, [-1, numClasses]), -1), numClasses).toFloat();
  return tf.matMul(hot, predicted, true, false);
}

interface Cache {
  /** Frontier layer → [variants × n, …] its outputs. */
  features: Map<string, Tensor>;
  /** [variants × n, S, S] int32 class maps, augmented as the pixels were. */
  masks: Tensor;
  variants: number;
}

/** The task runner of one segmentation run. */
export function segmentationRunner(ctx: SegRunContext): TaskRunner<SegEvaluation> {
  const { tf, model, settings, numClasses, train, val } = ctx;
  const size = settings.imageSize;
  const layers = model.layers as Layer[];
  const { finalSet, head, parts, state, setOpen } = imageTrainables(layers, settings, isDecoderLayer);
  const inputName = layers[0]?.name ?? '';
  const split = settings.useCache ? frozenFrontier(model, (l) => finalSet.has(l.name) && hasWeights(l)) : null;
  // Nothing to cache when the first layer trains (the frontier is the input) or caching is off.
  const cached = split !== null && split.frontier.some((name) => name !== inputName);
  const augment = augmentationOn(settings.augmentation);
  const variants = augment && cached ? Math.max(1, Math.round(settings.augmentation.variants)) : 1;
  const n = train.ids.length;
  let cacheTrain: Cache | null = null;
  let cacheVal: Cache | null = null;
  let rng: Rng = createRng(settings.seed);
  const probe = cached
    ? tf.model({
        inputs: model.inputs,
        outputs: split.frontier.filter((f) => f !== inputName).map((f) => model.getLayer(f).output as tfTypes.SymbolicTensor),
      })
    : null;

  /** Pixels (in the model's input range) and int32 class maps of `indices`, augmented alike when `rngFor` is given. */
  async function examples(source: SegSource, indices: readonly number[], r: Rng | null): Promise<{ x: Tensor; mask: Tensor }> {
    const [px, mk] = await Promise.all([source.pixels(indices, size), source.masks(indices, size)]);
    const params = r ? drawAugmentParams(indices.length, settings.augmentation, r) : null;
    const [x, mask] = tf.tidy(() => {
      let img = tf.tensor4d(px, [indices.length, size, size, 3]);
      let m = tf.tensor4d(Float32Array.from(mk), [indices.length, size, size, 1]);
      if (params) {
        img = applyAugment(tf, img, settings.augmentation, params);
        m = applyAugmentToMask(tf, m, settings.augmentation, params, IGNORE_CLASS);
      }
      return [toInputRange(tf, img, ctx.inputRange), tf.cast(tf.reshape(m, [indices.length, size, size]), 'int32')];
    });
    return { x: x as Tensor, mask: mask as Tensor };
  }

  /** The frontier's outputs for a batch of pixels, by layer name (the input's name maps to the pixels themselves). A plain object, so tf.tidy keeps what it holds. */
  function frontierOf(x: Tensor): Record<string, Tensor> {
    const names = (split?.frontier ?? []).filter((f) => f !== inputName);
    const outs = probe ? (probe.predict(x) as Tensor | Tensor[]) : [];
    const list = Array.isArray(outs) ? outs : [outs];
    const known: Record<string, Tensor> = {};
    names.forEach((name, i) => (known[name] = list[i] as Tensor));
    if (split?.frontier.includes(inputName)) known[inputName] = tf.clone(x);
    return known;
  }

  async function buildCache(
    source: SegSource,
    count: number,
    augmentIt: boolean,
    shouldStop: () => boolean,
    progress: (done: number) => void,
  ): Promise<Cache> {
    const features = new Map<string, Tensor[]>();
    const masks: Tensor[] = [];
    try {
      for (let v = 0; v < count; v++) {
        const r = augmentIt ? createRng(deriveSeed(settings.seed, `seg-cache-variant-${v}`)) : null;
        const m = source.ids.length;
        for (let start = 0; start < m; start += CACHE_CHUNK) {
          if (shouldStop()) throw new StudioError('cancelled', 'Training was stopped while the cache was being built.');
          const idx = range0(start, Math.min(m, start + CACHE_CHUNK));
          const { x, mask } = await examples(source, idx, r);
          const known = tf.tidy(() => frontierOf(x));
          x.dispose();
          for (const [name, t] of Object.entries(known)) {
            await t.data(); // keeps the GPU queue short
            const list = features.get(name) ?? [];
            list.push(t);
            features.set(name, list);
          }
          masks.push(mask);
          await new Promise<void>((resolve) => setTimeout(resolve, 0)); // lets messages (stop) through
          progress(v * m + start + idx.length);
        }
      }
      const joined = new Map<string, Tensor>();
      for (const [name, list] of features) joined.set(name, list.length === 1 ? (list[0] as Tensor) : tf.concat(list, 0));
      return { features: joined, masks: masks.length === 1 ? (masks[0] as Tensor) : tf.concat(masks, 0), variants: count };
    } finally {
      for (const list of features.values()) if (list.length > 1) list.forEach((t) => t.dispose());
      if (masks.length > 1) masks.forEach((t) => t.dispose());
    }
  }

  /** Runs the part of the model that trains (all of it without a cache). */
  function forward(known: ReadonlyMap<string, Tensor>, training: boolean): Tensor {
    return runFrom(model, known, { training, ...(cached && split ? { skip: split.frozen } : {}) });
  }

  /** Loss, pixel accuracy, foreground mean IoU and the confusion matrix over a whole source (no augmentation). */
  async function measure(source: SegSource, cache: Cache | null): Promise<SegEvaluation> {
    const m = source.ids.length;
    if (m === 0) return { loss: Number.NaN, accuracy: Number.NaN, iou: Number.NaN, confusion: [] };
    const sums: Tensor[] = [];
    const confusions: Tensor[] = [];
    for (let start = 0; start < m; start += EVAL_CHUNK) {
      const idx = range0(start, Math.min(m, start + EVAL_CHUNK));
      let known: Map<string, Tensor>;
      let mask: Tensor;
      if (cache) {
        known = new Map([...cache.features].map(([name, t]) => [name, tf.gather(t, idx)]));
        mask = tf.gather(cache.masks, idx);
      } else {
        const ex = await examples(source, idx, null);
        known = new Map([[inputName, ex.x]]);
        mask = ex.mask;
      }
      const [sum, conf] = tf.tidy(() => {
        const probs = forward(known, false);
        const out = segLoss(tf, probs, mask, numClasses, ctx.loss);
        return [tf.mul(out.loss, idx.length), batchConfusion(tf, probs, mask, numClasses)];
      });
      known.forEach((t) => t.dispose());
      mask.dispose();
      sums.push(sum as Tensor);
      confusions.push(conf as Tensor);
    }
    const [lossT, confT] = tf.tidy(() => [tf.addN(sums), tf.addN(confusions)]);
    tf.dispose([...sums, ...confusions]);
    const [lossSum, conf] = await Promise.all([(lossT as Tensor).data(), (confT as Tensor).data()]);
    tf.dispose([lossT as Tensor, confT as Tensor]);
    const confusion = confusionRows(conf, numClasses);
    const scores = segScores(confusion);
    return { loss: (lossSum[0] ?? 0) / m, accuracy: scores.pixelAccuracy, iou: scores.meanIou, confusion };
  }

  return {
    trainCount: n,
    valCount: val.ids.length,
    lastBatch: 'drop',
    head,
    parts,
    setOpen,
    state: () => state,
    async prepare(report, shouldStop) {
      if (!cached) return;
      const total = n * variants + val.ids.length;
      report(0, total);
      cacheTrain = await buildCache(train, variants, augment, shouldStop, (d) => report(d, total));
      if (val.ids.length > 0) cacheVal = await buildCache(val, 1, false, shouldStop, (d) => report(n * variants + d, total));
    },
    epochOrder(epoch) {
      rng = createRng(deriveSeed(settings.seed, `epoch-${epoch}`));
      return shuffled(range0(0, n), rng);
    },
    async batch(idx) {
      const cache = cacheTrain;
      let known: Map<string, Tensor>;
      let mask: Tensor;
      if (cache) {
        const rows = idx.map((i) => (cache.variants > 1 ? Math.floor(rng() * cache.variants) : 0) * n + i);
        known = new Map([...cache.features].map(([name, t]) => [name, tf.gather(t, rows)]));
        mask = tf.gather(cache.masks, rows);
      } else {
        const ex = await examples(train, idx, augment ? rng : null);
        known = new Map([[inputName, ex.x]]);
        mask = ex.mask;
      }
      return {
        weight: idx.length,
        loss: () => segLoss(tf, forward(known, true), mask, numClasses, ctx.loss),
        dispose: () => {
          known.forEach((t) => t.dispose());
          mask.dispose();
        },
      };
    },
    evaluate: () => measure(val, cacheVal),
    dispose() {
      for (const c of [cacheTrain, cacheVal]) {
        c?.features.forEach((t) => t.dispose());
        c?.masks.dispose();
      }
    },
  };
}

/** One segmentation run on the one loop. */
export function runSegmentation(ctx: SegRunContext) {
  return runLoop<SegEvaluation>({
    tf: ctx.tf,
    runner: segmentationRunner(ctx),
    settings: ctx.settings,
    shouldStop: ctx.shouldStop,
    resume: ctx.resume ?? null,
    checkpoints: ctx.checkpoints ?? false,
    evaluateAfterStop: true,
    onEvent: ctx.onEvent,
  });
}
