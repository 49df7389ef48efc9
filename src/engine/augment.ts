/** Seeded image augmentation on batches of [0, 1] pixels (n × s × s × 3). */
import type * as tfTypes from '@tensorflow/tfjs';
import type { Rng } from '../lib/random';
import type { AugmentationSettings } from './types';

type Tf = typeof tfTypes;

/** Per-sample random parameters, drawn from the seeded generator (not from tfjs' own randomness). */
export interface AugmentParams {
  flip: boolean[];
  boxes: number[][];
  radians: number[];
  brightness: number[];
  contrast: number[];
}

export function drawAugmentParams(n: number, a: AugmentationSettings, rng: Rng): AugmentParams {
  const p: AugmentParams = { flip: [], boxes: [], radians: [], brightness: [], contrast: [] };
  for (let i = 0; i < n; i++) {
    p.flip.push(a.flip && rng() < 0.5);
    const side = a.cropScale < 1 ? a.cropScale + (1 - a.cropScale) * rng() : 1;
    const y0 = (1 - side) * rng();
    const x0 = (1 - side) * rng();
    p.boxes.push([y0, x0, y0 + side, x0 + side]);
    p.radians.push(a.rotationDeg > 0 ? ((rng() * 2 - 1) * a.rotationDeg * Math.PI) / 180 : 0);
    p.brightness.push(a.brightness > 0 ? (rng() * 2 - 1) * a.brightness : 0);
    p.contrast.push(a.contrast > 0 ? 1 + (rng() * 2 - 1) * a.contrast : 1);
  }
  return p;
}

/** Applies the drawn augmentation; returns a new tensor (call inside tf.tidy). */
export function applyAugment(tf: Tf, x: tfTypes.Tensor4D, a: AugmentationSettings, p: AugmentParams): tfTypes.Tensor4D {
  const [n, h, w] = x.shape;
  let out: tfTypes.Tensor4D = x;
  if (a.flip && p.flip.some(Boolean)) {
    const mask = tf
      .tensor4d(
        p.flip.map((f) => (f ? 1 : 0)),
        [n, 1, 1, 1],
      )
      .cast('bool');
    out = tf.where(tf.broadcastTo(mask, out.shape), tf.image.flipLeftRight(out), out) as tfTypes.Tensor4D;
  }
  if (a.cropScale < 1) {
    out = tf.image.cropAndResize(out, tf.tensor2d(p.boxes, [n, 4]), tf.range(0, n, 1, 'int32') as tfTypes.Tensor1D, [h, w], 'bilinear');
  }
  if (a.rotationDeg > 0) {
    const parts = tf.split(out, n, 0).map((img, i) => tf.image.rotateWithOffset(img as tfTypes.Tensor4D, p.radians[i] ?? 0, 0.5));
    out = tf.concat(parts, 0) as tfTypes.Tensor4D;
  }
  if (a.contrast > 0) {
    const c = tf.tensor4d(p.contrast, [n, 1, 1, 1]);
    const mean = tf.mean(out, [1, 2, 3], true);
    out = tf.add(tf.mul(tf.sub(out, mean), c), mean) as tfTypes.Tensor4D;
  }
  if (a.brightness > 0) {
    out = tf.add(out, tf.tensor4d(p.brightness, [n, 1, 1, 1])) as tfTypes.Tensor4D;
  }
  return tf.clipByValue(out, 0, 1) as tfTypes.Tensor4D;
}

/**
 * The same drawn augmentation's geometry on class maps (segmentation masks as [n, h, w, 1] floats
 * holding class indices): the flip, the crop-and-resize (nearest neighbour, so no class is blended
 * into another) and the rotation (corners it brings in hold `fill`, the ignored class). Colour changes
 * are for the image only. Call inside tf.tidy, with the `p` that `applyAugment` got for the images.
 */
export function applyAugmentToMask(tf: Tf, m: tfTypes.Tensor4D, a: AugmentationSettings, p: AugmentParams, fill: number): tfTypes.Tensor4D {
  const [n, h, w] = m.shape;
  let out: tfTypes.Tensor4D = m;
  if (a.flip && p.flip.some(Boolean)) {
    const flipped = tf.tensor4d(
      p.flip.map((f) => (f ? 1 : 0)),
      [n, 1, 1, 1],
    );
    out = tf.where(tf.broadcastTo(flipped.cast('bool'), out.shape), tf.image.flipLeftRight(out), out) as tfTypes.Tensor4D;
  }
  if (a.cropScale < 1) {
    out = tf.image.cropAndResize(out, tf.tensor2d(p.boxes, [n, 4]), tf.range(0, n, 1, 'int32') as tfTypes.Tensor1D, [h, w], 'nearest');
  }
  if (a.rotationDeg > 0) {
    const parts = tf.split(out, n, 0).map((one, i) => tf.image.rotateWithOffset(one as tfTypes.Tensor4D, p.radians[i] ?? 0, fill));
    out = tf.concat(parts, 0) as tfTypes.Tensor4D;
  }
  return out;
}
