/**
 * Clips as the image engine's examples: each clip is resampled once (./frontend.js `prepare`) and cut
 * into windows; a window is one example of its clip's class, drawn as a log-mel image. Augmentation
 * happens where sound lives — a time shift inside the clip, gain and added noise on the waveform, then
 * SpecAugment's frequency and time masks on the spectrogram — seeded by the run's generator.
 */
import type { SampleSource } from '../../engine/sources';
import type { Rng } from '../../lib/random';
import { logMel, melImage, prepare, windowLength, windowStarts } from './frontend.js';
import type { AudioAugmentSettings, FrontendSettings, WorkerClip } from './types';

export interface AudioWindows {
  /** The clip each window comes from (index into the clips). */
  clipOf: Int32Array;
  /** Where each window starts in its clip, in samples at the front end's rate. */
  starts: Int32Array;
  /** Each clip's samples at the front end's rate (its first `maxSeconds`). */
  prepared: Float32Array[];
}

/** Every clip's windows, in clip order. */
export function cutWindows(clips: readonly WorkerClip[], fe: FrontendSettings): AudioWindows {
  const clipOf: number[] = [];
  const starts: number[] = [];
  const prepared = clips.map((c, i) => {
    const x = prepare(c.samples, c.sampleRate, fe);
    for (const start of windowStarts(x.length, fe)) {
      clipOf.push(i);
      starts.push(start);
    }
    return x;
  });
  return { clipOf: Int32Array.from(clipOf), starts: Int32Array.from(starts), prepared };
}

export function augmentOn(a: AudioAugmentSettings): boolean {
  return (
    a.timeShift > 0 ||
    a.gainDb > 0 ||
    a.noiseSnrDb > 0 ||
    (a.freqMasks > 0 && a.freqMaskWidth > 0) ||
    (a.timeMasks > 0 && a.timeMaskWidth > 0)
  );
}

/** A standard normal draw from the seeded generator (Box–Muller). */
function gaussian(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

function rms(x: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += (x[i] ?? 0) ** 2;
  return Math.sqrt(sum / Math.max(1, x.length));
}

/**
 * One augmented window of `x` (a clip at the front end's rate) as an image in [0, 1]: shifted by up to
 * ± `timeShift` s (silence where it runs past the clip), its speech scaled by up to ± `gainDb` and
 * noise added at `noiseSnrDb`..40 dB below the clip's own level, then masked.
 */
export function augmentedWindow(
  x: Float32Array,
  start: number,
  clipRms: number,
  a: AudioAugmentSettings,
  fe: FrontendSettings,
  rng: Rng,
): Float32Array {
  const len = windowLength(fe);
  const shift = a.timeShift > 0 ? Math.round((rng() * 2 - 1) * a.timeShift * fe.sampleRate) : 0;
  const gain = a.gainDb > 0 ? 10 ** (((rng() * 2 - 1) * a.gainDb) / 20) : 1;
  const snr = a.noiseSnrDb > 0 ? a.noiseSnrDb + rng() * Math.max(0, 40 - a.noiseSnrDb) : null;
  const noise = snr === null ? 0 : Math.max(clipRms, 1e-4) * 10 ** (-snr / 20);
  const wave = new Float32Array(len);
  const from = start + shift;
  for (let i = 0; i < len; i++) {
    const v = x[from + i];
    wave[i] = (v === undefined ? 0 : v * gain) + (noise > 0 ? noise * gaussian(rng) : 0);
  }
  const img = melImage(logMel(wave, 0, fe), fe);
  const S = fe.imageSize;
  const mask = (count: number, width: number, rows: boolean) => {
    for (let k = 0; k < count; k++) {
      const w = Math.floor(rng() * width * S);
      const at = Math.floor(rng() * Math.max(1, S - w));
      for (let j = at; j < at + w; j++) {
        for (let o = 0; o < S; o++) {
          const p = (rows ? j * S + o : o * S + j) * 3;
          img[p] = img[p + 1] = img[p + 2] = 0;
        }
      }
    }
  };
  if (a.freqMaskWidth > 0) mask(a.freqMasks, a.freqMaskWidth, true);
  if (a.timeMaskWidth > 0) mask(a.timeMasks, a.timeMaskWidth, false);
  return img;
}

/**
 * The windows of `clips` as the engine's examples (ids `clipId#n`, labels their clip's). `fe` is the
 * run's front end; `pixels` is asked at `fe.imageSize`.
 */
export function audioSource(
  clips: readonly WorkerClip[],
  fe: FrontendSettings,
  augment: AudioAugmentSettings | null,
): SampleSource & { windows: AudioWindows } {
  const windows = cutWindows(clips, fe);
  const clipRms = windows.prepared.map(rms);
  const per = fe.imageSize * fe.imageSize * 3;
  const counts = new Map<number, number>();
  const ids = Array.from(windows.clipOf, (c) => {
    const k = counts.get(c) ?? 0;
    counts.set(c, k + 1);
    return `${clips[c]?.id ?? c}#${k}`;
  });
  const check = (size: number) => {
    if (size !== fe.imageSize) throw new Error(`audio windows are drawn at ${fe.imageSize}px, asked for ${size}px`);
  };
  const clipAt = (i: number) => windows.prepared[windows.clipOf[i] ?? 0] as Float32Array;
  return {
    ids,
    labels: Int32Array.from(windows.clipOf, (c) => clips[c]?.label ?? 0),
    windows,
    async pixels(indices, size) {
      check(size);
      const out = new Float32Array(indices.length * per);
      indices.forEach((i, k) => out.set(melImage(logMel(clipAt(i), windows.starts[i] ?? 0, fe), fe), k * per));
      return out;
    },
    ...(augment
      ? {
          augment: {
            on: augmentOn(augment),
            key: JSON.stringify(augment),
            async pixels(indices: readonly number[], size: number, rng: Rng) {
              check(size);
              const out = new Float32Array(indices.length * per);
              indices.forEach((i, k) =>
                out.set(
                  augmentedWindow(clipAt(i), windows.starts[i] ?? 0, clipRms[windows.clipOf[i] ?? 0] ?? 0, augment, fe, rng),
                  k * per,
                ),
              );
              return out;
            },
          },
        }
      : {}),
  } satisfies SampleSource & { windows: AudioWindows };
}
