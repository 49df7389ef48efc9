/** Augmented variants of one image, as PNG blobs, drawn with the same seeded augmentation as training. */
import type * as tfTypes from '@tensorflow/tfjs';
import { applyAugment, drawAugmentParams } from '../engine/augment';
import { createRng, deriveSeed } from '../lib/random';
import type { TrainSettings } from '../engine/types';
import type { Decoder } from './image-source';

export async function augmentPreview(
  tf: typeof tfTypes,
  blob: Blob,
  settings: TrainSettings,
  count: number,
  decode: Decoder,
): Promise<Blob[]> {
  const size = Math.min(settings.imageSize, 160);
  const pixels = await decode(blob, size, settings.resize);
  const rng = createRng(deriveSeed(settings.seed, 'augment-preview'));
  const params = drawAugmentParams(count, settings.augmentation, rng);
  const out = tf.tidy(() => {
    const x = tf.tile(tf.tensor4d(pixels, [1, size, size, 3]), [count, 1, 1, 1]) as tfTypes.Tensor4D;
    return applyAugment(tf, x, settings.augmentation, params);
  });
  const data = await out.data();
  out.dispose();
  const blobs: Blob[] = [];
  for (let i = 0; i < count; i++) {
    const rgba = new Uint8ClampedArray(size * size * 4);
    for (let p = 0; p < size * size; p++) {
      for (let c = 0; c < 3; c++) rgba[p * 4 + c] = Math.round((data[(i * size * size + p) * 3 + c] ?? 0) * 255);
      rgba[p * 4 + 3] = 255;
    }
    const canvas = new OffscreenCanvas(size, size);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d context');
    ctx.putImageData(new ImageData(rgba, size, size), 0, 0);
    blobs.push(await canvas.convertToBlob({ type: 'image/png' }));
  }
  return blobs;
}
