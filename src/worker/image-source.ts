/** A SampleSource over compressed images: decoded on demand, small decoded copies kept within a budget. */
import type { SampleSource } from '../engine/sources';
import type { ResizeMode } from '../engine/types';
import { StudioError } from '../lib/errors';
import type { WorkerImage } from './protocol';

export type Decoder = (blob: Blob, size: number, resize: ResizeMode) => Promise<Float32Array>;

/** Decoded pixels are kept as bytes (¼ of floats) while they fit in this budget. */
const DECODED_BUDGET_BYTES = 384 * 1024 * 1024;
let decodedBytes = 0;
const decoded = new Map<string, Uint8Array>();

export function imageSource(images: readonly WorkerImage[], resize: ResizeMode, decode: Decoder): SampleSource {
  return {
    ids: images.map((i) => i.id),
    labels: Int32Array.from(images.map((i) => i.label)),
    async pixels(indices, size) {
      const per = size * size * 3;
      const out = new Float32Array(indices.length * per);
      await Promise.all(
        indices.map(async (idx, k) => {
          const img = images[idx];
          if (!img) throw new Error(`no image ${idx}`);
          const key = `${img.id}@${size}/${resize}`;
          const bytes = decoded.get(key);
          if (bytes) {
            for (let j = 0; j < per; j++) out[k * per + j] = (bytes[j] ?? 0) / 255;
            return;
          }
          const px = await decode(img.blob, size, resize).catch((err: unknown) => {
            throw new StudioError(
              'file-unreadable',
              `An image (${img.id}) could not be decoded during training; remove it and train again.`,
              {
                cause: err,
              },
            );
          });
          out.set(px, k * per);
          if (decodedBytes + per <= DECODED_BUDGET_BYTES) {
            const keep = new Uint8Array(per);
            for (let j = 0; j < per; j++) keep[j] = Math.round((px[j] ?? 0) * 255);
            decoded.set(key, keep);
            decodedBytes += per;
          }
        }),
      );
      return out;
    },
  };
}
