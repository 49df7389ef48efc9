/**
 * A segmentation source over the pairs the worker was sent: images decoded on demand (stretched to
 * the model's square input, like the exported model expects) through the image path's decoder and
 * its budgeted cache, class maps resized with nearest neighbour (kept per size).
 */
import { resizeNearest } from '../../data/segmentation';
import { imageSource, type Decoder } from '../../worker/image-source';
import type { SegSource } from './runner';
import type { WorkerSegPair } from './types';

export function segSource(pairs: readonly WorkerSegPair[], decode: Decoder): SegSource {
  const images = imageSource(
    pairs.map((p) => ({ id: p.id, label: 0, blob: p.blob, ...(p.hash ? { hash: p.hash } : {}) })),
    'stretch',
    decode,
  );
  const resized = new Map<string, Uint8Array>();
  return {
    ids: images.ids,
    pixels: (indices, size) => images.pixels(indices, size),
    async masks(indices, size) {
      const per = size * size;
      const out = new Uint8Array(indices.length * per);
      indices.forEach((i, k) => {
        const p = pairs[i];
        if (!p) throw new Error(`no pair ${i}`);
        const key = `${i}@${size}`;
        let m = resized.get(key);
        if (!m) {
          m = resizeNearest(p.mask, p.width, p.height, size, size);
          resized.set(key, m);
        }
        out.set(m, k * per);
      });
      return out;
    },
  };
}
