// frontend.js: the audio front end of a model exported by the fine-tuning studio. An ES module with
// no imports. It turns a clip into the model's input: log-mel spectrogram windows drawn as images.
//
//   import { features } from './frontend.js';
//   const { data, shape } = features(samples, sampleRate); // mono Float32Array in [-1, 1], any rate
//   const probs = model.predict(tf.tensor(data, shape)).mean(0); // the clip's class probabilities
//
// What it does, with SETTINGS below:
//   1. Keeps the first `maxSeconds` seconds and resamples to `sampleRate` (windowed sinc).
//   2. Cuts windows of `frames` STFT frames (`winLength` samples, Hann, `hopLength` apart, FFT of
//      `fftSize`); a window starts every `windowHop` seconds, and a last one ends at the clip's end;
//      a clip shorter than one window is padded with silence.
//   3. Per window: power spectrum → `melBins` triangular mel filters (HTK mel scale, `fMin`..`fMax` Hz)
//      → decibels relative to the window's loudest value, floored at −`topDb` → [0, 1].
//   4. Draws it as an image: rows are mel bins (highest at the top), columns are frames, resized
//      (bilinear) to `imageSize`², the same value in R, G and B, mapped to `inputRange`.
// Output: { data, shape: [windows, imageSize, imageSize, 3] }. The clip's probabilities are the mean
// of the model's over the first axis.

/** The studio's defaults; an export carries the settings its model was trained with (SETTINGS). */
export const DEFAULTS = Object.freeze({
  sampleRate: 16000,
  fftSize: 1024,
  winLength: 640,
  hopLength: 160,
  melBins: 96,
  frames: 96,
  fMin: 50,
  fMax: 8000,
  topDb: 80,
  windowHop: 0.5,
  maxSeconds: 60,
  imageSize: 96,
  inputRange: [-1, 1],
});

export const SETTINGS = DEFAULTS; // @settings (an export writes its own here)

/** Samples one window spans at the target rate. */
export function windowLength(s = SETTINGS) {
  return (s.frames - 1) * s.hopLength + s.winLength;
}

/** Resamples `x` from `from` Hz to `to` Hz with a Hann-windowed sinc (low-passed below the lower Nyquist). */
export function resample(x, from, to) {
  if (from === to) return x;
  const ratio = to / from;
  const n = Math.max(1, Math.round(x.length * ratio));
  const out = new Float32Array(n);
  const cutoff = Math.min(1, ratio) * 0.97; // of the input's Nyquist
  const half = Math.ceil(12 / cutoff); // taps each side, in input samples
  for (let i = 0; i < n; i++) {
    const t = i / ratio;
    const centre = Math.floor(t);
    let acc = 0;
    let norm = 0;
    for (let k = centre - half + 1; k <= centre + half; k++) {
      const d = t - k;
      const w = 0.5 + 0.5 * Math.cos((Math.PI * d) / half);
      const arg = Math.PI * d * cutoff;
      const sinc = Math.abs(arg) < 1e-9 ? 1 : Math.sin(arg) / arg;
      const c = w * sinc;
      norm += c;
      if (k >= 0 && k < x.length) acc += c * x[k];
    }
    out[i] = norm > 0 ? acc / norm : 0;
  }
  return out;
}

/** Where each window starts, in samples, in a clip of `n` samples at the target rate. */
export function windowStarts(n, s = SETTINGS) {
  const len = windowLength(s);
  if (n <= len) return [0];
  const hop = Math.max(1, Math.round(s.windowHop * s.sampleRate));
  const starts = [];
  for (let start = 0; start + len <= n; start += hop) starts.push(start);
  // The last window ends at the clip's end: added, or moved there when it would nearly repeat the one before.
  const last = n - len;
  const prev = starts[starts.length - 1];
  if (last - prev > hop / 2) starts.push(last);
  else starts[starts.length - 1] = last;
  return starts;
}

const hzToMel = (f) => 2595 * Math.log10(1 + f / 700);
const melToHz = (m) => 700 * (10 ** (m / 2595) - 1);

const tables = new Map();

/** Hann window, FFT twiddles and the mel filter bank for settings `s` (made once per shape). */
function tablesFor(s) {
  const key = [s.sampleRate, s.fftSize, s.winLength, s.melBins, s.fMin, s.fMax].join(',');
  let t = tables.get(key);
  if (t) return t;
  const hann = new Float64Array(s.winLength);
  for (let i = 0; i < s.winLength; i++) hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / s.winLength);
  const N = s.fftSize;
  const cos = new Float64Array(N / 2);
  const sin = new Float64Array(N / 2);
  for (let i = 0; i < N / 2; i++) {
    cos[i] = Math.cos((2 * Math.PI * i) / N);
    sin[i] = -Math.sin((2 * Math.PI * i) / N);
  }
  const bins = N / 2 + 1;
  const lo = hzToMel(s.fMin);
  const hi = hzToMel(Math.min(s.fMax, s.sampleRate / 2));
  const edges = [];
  for (let m = 0; m < s.melBins + 2; m++) edges.push(melToHz(lo + ((hi - lo) * m) / (s.melBins + 1)));
  // filters[m] = [first bin, weights…]: triangles on the bins' centre frequencies.
  const filters = [];
  for (let m = 0; m < s.melBins; m++) {
    const [a, b, c] = [edges[m], edges[m + 1], edges[m + 2]];
    const weights = [];
    let first = -1;
    for (let k = 0; k < bins; k++) {
      const f = (k * s.sampleRate) / N;
      const w = f <= a || f >= c ? 0 : f <= b ? (f - a) / (b - a) : (c - f) / (c - b);
      if (w > 0) {
        if (first < 0) first = k;
        weights.push(w);
      }
    }
    if (first < 0) {
      // A band narrower than a bin: the nearest bin stands for it.
      first = Math.min(bins - 1, Math.round((b * N) / s.sampleRate));
      weights.push(1);
    }
    filters.push({ first, weights: Float64Array.from(weights) });
  }
  t = { hann, cos, sin, filters, re: new Float64Array(N), im: new Float64Array(N), power: new Float64Array(bins) };
  tables.set(key, t);
  return t;
}

/** In-place iterative radix-2 FFT of (re, im), length a power of two. */
function fft(re, im, cos, sin) {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const halfSize = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < halfSize; k++) {
        const wr = cos[k * step];
        const wi = sin[k * step];
        const a = start + k;
        const b = a + halfSize;
        const xr = re[b] * wr - im[b] * wi;
        const xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
      }
    }
  }
}

/**
 * The log-mel spectrogram of the window of `x` (target rate) starting at `start`: frames × melBins
 * decibels (frame-major), samples past the end read as silence.
 */
export function logMel(x, start, s = SETTINGS) {
  const { hann, cos, sin, filters, re, im, power } = tablesFor(s);
  const out = new Float32Array(s.frames * s.melBins);
  for (let f = 0; f < s.frames; f++) {
    re.fill(0);
    im.fill(0);
    const at = start + f * s.hopLength;
    for (let i = 0; i < s.winLength; i++) {
      const v = x[at + i];
      re[i] = v === undefined ? 0 : v * hann[i];
    }
    fft(re, im, cos, sin);
    for (let k = 0; k < power.length; k++) power[k] = re[k] * re[k] + im[k] * im[k];
    for (let m = 0; m < s.melBins; m++) {
      const { first, weights } = filters[m];
      let e = 0;
      for (let w = 0; w < weights.length; w++) e += weights[w] * power[first + w];
      out[f * s.melBins + m] = 10 * Math.log10(Math.max(e, 1e-10));
    }
  }
  return out;
}

/**
 * A log-mel window (frames × melBins dB) as an `imageSize`² RGB image in [0, 1], row-major HWC: rows
 * are mel bins, highest at the top; columns are frames.
 */
export function melImage(db, s = SETTINGS) {
  let ref = -Infinity;
  for (let i = 0; i < db.length; i++) if (db[i] > ref) ref = db[i];
  const S = s.imageSize;
  const out = new Float32Array(S * S * 3);
  const value = (f, m) => Math.min(1, Math.max(0, (db[f * s.melBins + m] - ref + s.topDb) / s.topDb));
  for (let y = 0; y < S; y++) {
    // Row y's mel position (top = highest bin), pixel centres aligned as in a bilinear resize.
    const my = Math.min(s.melBins - 1, Math.max(0, ((y + 0.5) * s.melBins) / S - 0.5));
    const m0 = Math.floor(my);
    const m1 = Math.min(s.melBins - 1, m0 + 1);
    const wy = my - m0;
    for (let x = 0; x < S; x++) {
      const fx = Math.min(s.frames - 1, Math.max(0, ((x + 0.5) * s.frames) / S - 0.5));
      const f0 = Math.floor(fx);
      const f1 = Math.min(s.frames - 1, f0 + 1);
      const wx = fx - f0;
      const top = value(f0, m0) * (1 - wx) + value(f1, m0) * wx;
      const bottom = value(f0, m1) * (1 - wx) + value(f1, m1) * wx;
      const v = top * (1 - wy) + bottom * wy;
      const o = ((S - 1 - y) * S + x) * 3;
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
    }
  }
  return out;
}

/** Mono samples at any rate → the first `maxSeconds`, at the target rate. */
export function prepare(samples, sampleRate, s = SETTINGS) {
  const kept = samples.subarray(0, Math.max(1, Math.round(s.maxSeconds * sampleRate)));
  return resample(kept, sampleRate, s.sampleRate);
}

/** The model's input for a clip: every window's image, mapped to `inputRange`. */
export function features(samples, sampleRate, s = SETTINGS) {
  const x = prepare(samples, sampleRate, s);
  const starts = windowStarts(x.length, s);
  const per = s.imageSize * s.imageSize * 3;
  const data = new Float32Array(starts.length * per);
  const [lo, hi] = s.inputRange;
  starts.forEach((start, w) => {
    const img = melImage(logMel(x, start, s), s);
    for (let i = 0; i < per; i++) data[w * per + i] = lo + img[i] * (hi - lo);
  });
  return { data, shape: [starts.length, s.imageSize, s.imageSize, 3] };
}
