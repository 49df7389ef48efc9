/**
 * Explanations: which parts of an image drove a prediction.
 *
 * Grad-CAM on the last 4-D feature map (the one feeding `head_pool`): its activations A come from a
 * forward pass of the backbone, then the gradient of log p(class) with respect to A is taken over the
 * head only (pooling → dropout → dense), which needs no convolution gradients and so runs on WASM too.
 * Without a 4-D feature map it falls back to gradient saliency with respect to the input pixels.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { StudioError } from '../lib/errors';
import { cutPoints, inboundNames, runSegment } from './graph';
import { toInputRange } from '../tasks/image-classification/runner';

type Tf = typeof tfTypes;
type Tensor = tfTypes.Tensor;

export type ExplainMethod = 'grad-cam' | 'saliency';

export interface Explanation {
  /** height×width values in [0, 1], row-major: how much each region pushed towards `classIndex`. */
  heatmap: Float32Array;
  width: number;
  height: number;
  classIndex: number;
  probabilities: number[];
  /** 'saliency' when the model has no 4-D feature map before its head (then the map is input-sized). */
  method: ExplainMethod;
  /** The layer whose activations were weighted (Grad-CAM), or the input layer (saliency). */
  layer: string;
}

/** Index in `model.layers` of the last 4-D feature map the head reads: head_pool's input, else the last 4-D cut point. */
export function featureMapIndex(model: tfTypes.LayersModel): number {
  const layers = model.layers;
  const is4d = (i: number) => {
    const shape = layers[i]?.outputShape;
    return Array.isArray(shape) && !Array.isArray(shape[0]) && shape.length === 4;
  };
  const pool = layers.find((l) => l.name === 'head_pool');
  if (pool) {
    const name = inboundNames(pool, model)[0];
    const i = layers.findIndex((l) => l.name === name);
    return i > 0 && is4d(i) ? i : -1;
  }
  const cuts = cutPoints(model);
  for (let i = layers.length - 2; i > 0; i--) if (cuts[i] && is4d(i)) return i;
  return -1;
}

/**
 * Grad-CAM heat-map of `pixels` (size×size×3 in [0, 1], HWC) for `classIndex` (default: the top class).
 * `inputRange` is what the model expects pixels 0 and 255 to become.
 */
export async function gradCam(
  tf: Tf,
  model: tfTypes.LayersModel,
  pixels: Float32Array,
  size: number,
  classIndex?: number,
  inputRange: [number, number] = [0, 1],
): Promise<Explanation> {
  if (pixels.length !== size * size * 3) {
    throw new StudioError('unsupported', `The image must be ${size}×${size} RGB pixels to explain it.`);
  }
  const last = model.layers.length - 1;
  const f = featureMapIndex(model);
  const x = tf.tidy(() => toInputRange(tf, tf.tensor4d(pixels, [1, size, size, 3]), inputRange));
  try {
    if (f < 0) return await saliency(tf, model, x, size, classIndex);
    const features = tf.tidy(() => runSegment(model, 0, f, x, { training: false }));
    try {
      const probsT = tf.tidy(() => runSegment(model, f, last, features, { training: false }));
      const probabilities = Array.from(await probsT.data());
      probsT.dispose();
      const target = pickClass(probabilities, classIndex);
      const [, h, w] = features.shape as [number, number, number, number];
      const cam = tf.tidy(() => {
        const logProb = (a: Tensor) =>
          tf.log(tf.add(tf.slice(runSegment(model, f, last, a, { training: false }), [0, target], [1, 1]), 1e-7)).sum();
        const grads = tf.grad(logProb)(features);
        const weights = tf.mean(grads, [1, 2], true); // [1, 1, 1, K]
        const map = tf.relu(tf.sum(tf.mul(features, weights), -1)); // [1, h, w]
        return normalise(tf, map);
      });
      const heatmap = (await cam.data()) as Float32Array;
      cam.dispose();
      return { heatmap, width: w, height: h, classIndex: target, probabilities, method: 'grad-cam', layer: model.layers[f]?.name ?? '' };
    } finally {
      features.dispose();
    }
  } finally {
    x.dispose();
  }
}

/** |∂ log p(class) / ∂ input|, the largest over the colour channels, normalised: for models with no 4-D feature map. */
async function saliency(tf: Tf, model: tfTypes.LayersModel, x: Tensor, size: number, classIndex?: number): Promise<Explanation> {
  const probsT = tf.tidy(() => model.predict(x) as Tensor);
  const probabilities = Array.from(await probsT.data());
  probsT.dispose();
  const target = pickClass(probabilities, classIndex);
  const map = tf.tidy(() => {
    const logProb = (input: Tensor) => tf.log(tf.add(tf.slice(model.predict(input) as Tensor, [0, target], [1, 1]), 1e-7)).sum();
    const grads = tf.grad(logProb)(x);
    return normalise(tf, tf.max(tf.abs(grads), -1));
  });
  const heatmap = (await map.data()) as Float32Array;
  map.dispose();
  return {
    heatmap,
    width: size,
    height: size,
    classIndex: target,
    probabilities,
    method: 'saliency',
    layer: model.layers[0]?.name ?? 'input',
  };
}

/** Divides by the maximum (values are ≥ 0); an all-zero map stays zero. */
function normalise(tf: Tf, map: Tensor): Tensor {
  const max = tf.max(map);
  return tf.div(map, tf.maximum(max, 1e-12));
}

function pickClass(probabilities: readonly number[], classIndex: number | undefined): number {
  if (classIndex !== undefined) {
    if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= probabilities.length) {
      throw new StudioError('unsupported', `There is no class ${classIndex} to explain; the model has ${probabilities.length} classes.`);
    }
    return classIndex;
  }
  let best = 0;
  for (let i = 1; i < probabilities.length; i++) if ((probabilities[i] ?? 0) > (probabilities[best] ?? 0)) best = i;
  return best;
}
