import type { Rng } from '../lib/random';

/** Where training examples come from. The engine only sees this interface, so it runs in Node tests too. */
export interface SampleSource {
  readonly ids: readonly string[];
  /** Class index per example. */
  readonly labels: Int32Array;
  /**
   * Pixels of the given examples at `size`×`size`, RGB, row-major HWC, values in [0, 1],
   * concatenated: indices.length × size × size × 3 floats.
   */
  pixels(indices: readonly number[], size: number): Promise<Float32Array>;
  /**
   * Augmentation the source does itself, on what it holds before it becomes pixels (audio: the
   * waveform and the spectrogram). When present it replaces the image augmentation: `on` says whether
   * it augments at all, `key` names its settings (for caches), `pixels` draws from `rng`.
   */
  readonly augment?: {
    on: boolean;
    key: string;
    pixels(indices: readonly number[], size: number, rng: Rng): Promise<Float32Array>;
  };
}

/** A source over pixels already in memory (tests, benchmarks). `images[i]` is size×size×3 in [0, 1]. */
export function arraySource(
  images: readonly Float32Array[],
  labels: readonly number[],
  size: number,
  ids?: readonly string[],
): SampleSource {
  const per = size * size * 3;
  return {
    ids: ids ?? images.map((_, i) => `s${i}`),
    labels: Int32Array.from(labels),
    async pixels(indices, requested) {
      if (requested !== size) throw new Error(`arraySource holds ${size}px images, asked for ${requested}px`);
      const out = new Float32Array(indices.length * per);
      indices.forEach((idx, k) => {
        const img = images[idx];
        if (!img) throw new Error(`no example ${idx}`);
        out.set(img, k * per);
      });
      return out;
    },
  };
}
