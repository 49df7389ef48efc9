/**
 * Small pictures of a clip for the data step: its waveform (min/max per pixel column) and the
 * log-mel spectrogram of its first window, drawn with the exported front end (frontend.js), so the
 * picture is what the model reads. Each costs a few milliseconds; `idleQueue` spreads them out.
 */
import { DEFAULTS, logMel, melImage, prepare, windowLength } from '../../tasks/audio-classification/frontend.js';

/** Colour stops of the spectrogram (quiet → loud): dark blue, violet, orange, pale yellow. */
const STOPS: [number, number, number][] = [
  [12, 16, 48],
  [88, 36, 140],
  [222, 90, 70],
  [252, 232, 150],
];

function colour(v: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, v)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const t = x - i;
  const a = STOPS[i] ?? [0, 0, 0];
  const b = STOPS[i + 1] ?? a;
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** Draws the waveform of `samples` across the canvas. */
export function drawWaveform(canvas: HTMLCanvasElement, samples: Float32Array, stroke = '#3b5bdb'): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width: w, height: h } = canvas;
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = stroke;
  const mid = h / 2;
  const per = Math.max(1, samples.length / w);
  for (let x = 0; x < w; x++) {
    const from = Math.floor(x * per);
    const to = Math.min(samples.length, Math.floor((x + 1) * per));
    let lo = 0;
    let hi = 0;
    for (let i = from; i < to; i++) {
      const v = samples[i] ?? 0;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const top = mid - Math.min(1, hi) * mid;
    const bottom = mid - Math.max(-1, lo) * mid;
    ctx.fillRect(x, top, 1, Math.max(1, bottom - top));
  }
}

/** Draws the log-mel spectrogram of the clip's first window (the first image the model sees of it). */
export function drawSpectrogram(canvas: HTMLCanvasElement, samples: Float32Array, sampleRate: number): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  // Only what one window needs (plus the resampler's reach), not the whole clip.
  const need = Math.ceil(((windowLength(DEFAULTS) + 64) / DEFAULTS.sampleRate) * sampleRate) + 64;
  const x = prepare(samples.subarray(0, need), sampleRate, DEFAULTS);
  const img = melImage(logMel(x, 0, DEFAULTS), DEFAULTS);
  const size = DEFAULTS.imageSize;
  const data = ctx.createImageData(size, size);
  for (let p = 0; p < size * size; p++) {
    const [r, g, b] = colour(img[p * 3] ?? 0);
    data.data[p * 4] = r;
    data.data[p * 4 + 1] = g;
    data.data[p * 4 + 2] = b;
    data.data[p * 4 + 3] = 255;
  }
  if (canvas.width !== size || canvas.height !== size) {
    canvas.width = size;
    canvas.height = size;
  }
  ctx.putImageData(data, 0, 0);
}
