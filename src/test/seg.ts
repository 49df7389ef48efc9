/** Tiny seeded segmentation models and data for Node tests. */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../lib/random';
import { summarize } from '../models/inspect';
import { arraySegSource, type SegSource } from '../tasks/image-segmentation/runner';
import type { BackboneSource } from '../tasks/image-segmentation/engine';

/**
 * A small convolutional backbone that halves its input five times (like MobileNetV2), with batch norm
 * and a residual add, so the decoder finds a skip at every stride: input size×size×3 → [size/32, size/32, 24].
 */
export function tinySegBackbone(size = 32, seed = 1): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 3], name: 'input_1' });
  const conv = (name: string, filters: number, strides: number, s: number) =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize: 3,
      strides,
      padding: 'same',
      kernelInitializer: tf.initializers.glorotUniform({ seed: s }),
    });
  let x = conv('block_1_conv', 8, 2, seed).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'block_1_bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'block_1_relu' }).apply(x) as tf.SymbolicTensor;
  x = conv('block_2_conv', 12, 2, seed + 1).apply(x) as tf.SymbolicTensor;
  const a = tf.layers.reLU({ maxValue: 6, name: 'block_2_relu' }).apply(x) as tf.SymbolicTensor;
  const b = conv('block_3_conv', 12, 1, seed + 2).apply(a) as tf.SymbolicTensor;
  x = tf.layers.add({ name: 'block_3_add' }).apply([a, b]) as tf.SymbolicTensor;
  x = conv('block_4_conv', 16, 2, seed + 3).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'block_4_relu' }).apply(x) as tf.SymbolicTensor;
  x = conv('block_5_conv', 16, 2, seed + 4).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'block_5_relu' }).apply(x) as tf.SymbolicTensor;
  x = conv('block_6_conv', 24, 2, seed + 5).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'out_relu' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: 'tiny_seg' });
}

/** A backbone source over `tinySegBackbone`: every copy has the same (seeded) weights. */
export function tinyBackboneSource(seed = 1): BackboneSource {
  const reference = tinySegBackbone(32, seed);
  const summary = summarize('tiny-seg', 'Tiny segmentation backbone', reference, [0, 1]);
  return {
    summary: () => summary,
    backboneCopy: async (size) => tinySegBackbone(size, seed),
  };
}

/**
 * Squares (class 1, reddish) and discs (class 2, greenish) on a noisy dark background, one or two of
 * each per image, with their class maps.
 */
export function shapesSet(count: number, size: number, seed: number): { images: Float32Array[]; masks: Uint8Array[] } {
  const rng = createRng(seed);
  const images: Float32Array[] = [];
  const masks: Uint8Array[] = [];
  for (let n = 0; n < count; n++) {
    const img = new Float32Array(size * size * 3);
    const mask = new Uint8Array(size * size);
    for (let p = 0; p < size * size; p++) for (let c = 0; c < 3; c++) img[p * 3 + c] = 0.1 + rng() * 0.15;
    const shapes = 1 + Math.floor(rng() * 3);
    for (let s = 0; s < shapes; s++) {
      const cls = s === 0 ? 1 + (n % 2) : 1 + Math.floor(rng() * 2);
      const r = size * (0.12 + rng() * 0.1);
      const cx = r + rng() * (size - 2 * r);
      const cy = r + rng() * (size - 2 * r);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const inside = cls === 1 ? Math.abs(x + 0.5 - cx) < r && Math.abs(y + 0.5 - cy) < r : Math.hypot(x + 0.5 - cx, y + 0.5 - cy) < r;
          if (!inside) continue;
          const p = y * size + x;
          mask[p] = cls;
          const colour = cls === 1 ? [0.8, 0.35, 0.3] : [0.3, 0.8, 0.35];
          for (let c = 0; c < 3; c++) img[p * 3 + c] = (colour[c] as number) + (rng() - 0.5) * 0.1;
        }
      }
    }
    images.push(img);
    masks.push(mask);
  }
  return { images, masks };
}

/** `shapesSet` as training and validation sources: every `valEvery`-th pair validates. */
export function shapesSources(count: number, size: number, seed: number, valEvery = 4): { train: SegSource; val: SegSource } {
  const { images, masks } = shapesSet(count, size, seed);
  const pick = (keep: (i: number) => boolean) => {
    const idx = images.map((_, i) => i).filter(keep);
    return arraySegSource(
      idx.map((i) => images[i] as Float32Array),
      idx.map((i) => masks[i] as Uint8Array),
      size,
      idx.map((i) => `pair-${i}`),
    );
  };
  return { train: pick((i) => i % valEvery !== 0), val: pick((i) => i % valEvery === 0) };
}
