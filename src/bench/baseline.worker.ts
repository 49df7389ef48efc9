/// <reference lib="webworker" />
/**
 * The hand-written tfjs baseline: the same backbone and head, the same layers frozen, the same
 * batch size, trained with plain `model.fit` on pixel tensors held in memory. Its total is timed from
 * right after the model is loaded to the end of the last epoch, as the studio's train command is.
 */
import * as tf from '@tensorflow/tfjs';
import { startBackend } from '../engine/backend';
import { decodeToPixels } from '../data/decode-browser';
import { applyFreezing, composeClassifier } from '../models/head';
import { EPSILON } from '../engine/optimizers';
import { rebuildAtInputSize } from '../models/resize';
import type { BaselineEvent, BaselineRequest } from './protocol';

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

self.onmessage = (e: MessageEvent<BaselineRequest>) => {
  run(e.data).catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
};
