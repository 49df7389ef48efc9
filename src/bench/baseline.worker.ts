/// <reference lib="webworker" />
/**
 * The hand-written tfjs baseline: the same backbone and head, the same layers frozen, the same
 * batch size, trained with plain `model.fit` on pixel tensors held in memory. Its total is timed from
 * right after the model is loaded to the end of the last epoch, as the studio's train command is.
 * Two kinds: image classification (`composeClassifier`) and image segmentation (`composeSegmenter`,
 * the U-Net decoder, with the studio's loss written as a tfjs loss function).
 */
import * as tf from '@tensorflow/tfjs';
import { startBackend } from '../engine/backend';
import { decodeToPixels } from '../data/decode-browser';
import { applyFreezing, composeClassifier } from '../models/head';
import { EPSILON } from '../engine/optimizers';
import { rebuildAtInputSize } from '../models/resize';
import { registerWasmConvGradients } from '../engine/wasm-grads';
import { applySegFreezing, composeSegmenter } from '../tasks/image-segmentation/model';
import type { BaselineEvent, BaselineRequest, SegBaselineRequest } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

function post(e: BaselineEvent): void {
  self.postMessage(e);
}

async function run(req: BaselineRequest): Promise<void> {
  await startBackend(req.backend, req.wasmPath);
  let backbone = await tf.loadLayersModel(req.modelUrl);
  const t0 = performance.now();
  if (req.imageSize !== backbone.inputs[0]?.shape[1]) {
    const resized = await rebuildAtInputSize(tf, backbone, req.imageSize);
    backbone.dispose();
    backbone = resized;
  }
  const model = composeClassifier(tf, backbone, { numClasses: req.numClasses, dropout: 0.2, seed: req.seed });
  applyFreezing(model, new Set(req.trainable));
  model.compile({
    optimizer: tf.train.adam(req.learningRate, 0.9, 0.999, EPSILON),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const size = req.imageSize;
  const per = size * size * 3;
  const n = Math.floor(req.images.length / req.batchSize) * req.batchSize; // same fixed batches as the studio
  const pixels = new Float32Array(n * per);
  for (let i = 0; i < n; i++) pixels.set(await decodeToPixels(req.images[i]!.blob, size, 'stretch'), i * per);
  const xs = tf.tensor4d(pixels, [n, size, size, 3]);
  const ys = tf
    .oneHot(
      req.images.slice(0, n).map((im) => im.label),
      req.numClasses,
    )
    .toFloat();
  const prepareMs = performance.now() - t0;
  let started = performance.now();
  let ended = started;
  await model.fit(xs, ys, {
    epochs: req.epochs,
    batchSize: req.batchSize,
    shuffle: true,
    callbacks: {
      onEpochBegin: async () => {
        started = performance.now();
      },
      onEpochEnd: async (epoch) => {
        ended = performance.now();
        post({ type: 'epoch', epoch: epoch + 1, ms: ended - started, numTensors: tf.memory().numTensors });
      },
    },
  });
  xs.dispose();
  ys.dispose();
  post({ type: 'done', prepareMs, totalMs: ended - t0 });
}

/**
 * The studio's segmentation loss (src/tasks/image-segmentation/runner.ts `segLoss`, no class weights),
 * written again as a plain tfjs loss function for `model.fit`: the pixel cross-entropy averaged over
 * the batch's pixels, plus `diceWeight` × (1 − soft Dice, per class over the batch, smoothed by 1,
 * averaged over the classes). `yTrue` one-hot [b, h, w, C]; `yPred` softmax probabilities.
 */
function ceDiceLoss(numClasses: number, diceWeight: number) {
  return (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar => {
    const t = tf.reshape(yTrue, [-1, numClasses]);
    const p = tf.reshape(yPred, [-1, numClasses]);
    const ce = tf.div(tf.neg(tf.sum(tf.mul(t, tf.log(tf.clipByValue(p, 1e-7, 1))))), tf.maximum(tf.sum(t), 1));
    if (diceWeight <= 0) return ce as tf.Scalar;
    const inter = tf.sum(tf.mul(p, t), 0);
    const denom = tf.add(tf.sum(p, 0), tf.sum(t, 0));
    const dice = tf.mean(tf.div(tf.add(tf.mul(inter, 2), 1), tf.add(denom, 1)));
    return tf.add(ce, tf.mul(tf.sub(1, dice), diceWeight)) as tf.Scalar;
  };
}

async function runSeg(req: SegBaselineRequest): Promise<void> {
  // tfjs 4.22's WASM backend has no Conv2DBackpropFilter kernel: without the studio's
  // (src/engine/wasm-grads.ts) model.fit cannot train the decoder's convolutions on WASM. The studio's
  // worker registers it in startBackend; the baseline registers the same kernel (startBackend below
  // would too; the call is idempotent), so both sides run the same kernels.
  registerWasmConvGradients(tf);
  await startBackend(req.backend, req.wasmPath);
  let backbone = await tf.loadLayersModel(req.modelUrl);
  const t0 = performance.now();
  if (req.imageSize !== backbone.inputs[0]?.shape[1]) {
    const resized = await rebuildAtInputSize(tf, backbone, req.imageSize);
    backbone.dispose();
    backbone = resized;
  }
  const { model } = composeSegmenter(tf, backbone, { numClasses: req.numClasses, seed: req.seed });
  applySegFreezing(model, new Set(req.trainable));
  model.compile({
    optimizer: tf.train.adam(req.learningRate, 0.9, 0.999, EPSILON),
    loss: ceDiceLoss(req.numClasses, req.diceWeight),
    metrics: ['categoricalAccuracy'], // the studio reports pixel accuracy per batch too
  });
  const size = req.imageSize;
  const per = size * size * 3;
  const n = Math.floor(req.pairs.length / req.batchSize) * req.batchSize; // same fixed batches as the studio
  const pixels = new Float32Array(n * per);
  const masks = new Int32Array(n * size * size);
  for (let i = 0; i < n; i++) {
    const pair = req.pairs[i]!;
    pixels.set(await decodeToPixels(pair.blob, size, 'stretch'), i * per);
    masks.set(pair.mask, i * size * size);
  }
  const [lo, hi] = req.inputRange;
  const xs = tf.tidy(() => tf.add(tf.mul(tf.tensor4d(pixels, [n, size, size, 3]), hi - lo), lo));
  const ys = tf.tidy(() => tf.oneHot(tf.tensor3d(masks, [n, size, size], 'int32'), req.numClasses).toFloat());
  const prepareMs = performance.now() - t0;
  let started = performance.now();
  let ended = started;
  await model.fit(xs, ys, {
    epochs: req.epochs,
    batchSize: req.batchSize,
    shuffle: true,
    callbacks: {
      onEpochBegin: async () => {
        started = performance.now();
      },
      onEpochEnd: async (epoch) => {
        ended = performance.now();
        post({ type: 'epoch', epoch: epoch + 1, ms: ended - started, numTensors: tf.memory().numTensors });
      },
    },
  });
  xs.dispose();
  ys.dispose();
  post({ type: 'done', prepareMs, totalMs: ended - t0 });
}

self.onmessage = (e: MessageEvent<BaselineRequest | SegBaselineRequest>) => {
  const req = e.data;
  (req.kind === 'segmentation' ? runSeg(req) : run(req)).catch((err: unknown) =>
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
};
