#!/usr/bin/env node
// Generates a synthetic speech-emotion sample: 16 kHz mono clips of made-up voices saying the same
// few nonsense phrases as neutral, happy, sad or angry. The classes differ in HOW a phrase is said
// (pitch level and range, contour, rate, loudness, voice quality), never in what is said.
//
// Source-filter synthesis: a Rosenberg glottal pulse train at a time-varying F0 (with jitter and
// shimmer), a one-pole spectral tilt, aspiration noise, then five cascaded formant resonators; a
// parallel noise resonator makes bursts and fricatives. A voice is a base F0, a vocal-tract length
// (scales every formant), a speaking rate, jitter, shimmer, breathiness and loudness, drawn from the
// seed and the voice's number, so `--first-voice 101` gives voices that a default sample never has.
// Seeded (the same files for the same options), dependency-free apart from scripts/wav.mjs and the
// random helpers of scripts/make-fixtures.mjs, no recordings, no network.
//
//   node scripts/make-audio-sample.mjs --out DIR [--voices 12] [--clips 6] [--seed 1] [--first-voice 1]
//
// Writes DIR/<class>/<voice>_<nn>.wav (16-bit PCM), DIR/LICENSE.txt (CC0-1.0) and DIR/README.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng, gaussian, uniform } from './make-fixtures.mjs';
import { encodeWav } from './wav.mjs';

export const AUDIO_CLASSES = ['neutral', 'happy', 'sad', 'angry'];
export const SAMPLE_RATE = 16000;
export const LICENCE =
  'CC0-1.0: synthesised from random numbers by scripts/make-audio-sample.mjs; no recordings or real voices are involved. ' +
  'Public domain dedication: https://creativecommons.org/publicdomain/zero/1.0/';

/** Vowel formants F1–F3 (Hz) of an adult male tract; a voice scales them. */
const VOWELS = {
  a: [730, 1090, 2440],
  i: [270, 2290, 3010],
  u: [300, 870, 2240],
  e: [530, 1840, 2480],
  o: [570, 840, 2410],
};
/** F4 and F5, fixed apart from the voice's scale. */
const HIGH_FORMANTS = [3300, 3850];
const BANDWIDTHS = [80, 100, 140, 200, 260];

/**
 * Consonants. stop: closure, a noise burst at `burst` Hz, then aspiration (voiceless) before the
 * vowel; `loci` are where the formants start their transition into the vowel. fric: shaped noise.
 * sonorant: voiced, quieter, with its own formants.
 */
const CONSONANTS = {
  p: { kind: 'stop', voiced: false, burst: 900, bw: 1400, loci: [250, 800, 2200] },
  b: { kind: 'stop', voiced: true, burst: 900, bw: 1400, loci: [250, 800, 2200] },
  t: { kind: 'stop', voiced: false, burst: 4200, bw: 2200, loci: [250, 1800, 2700] },
  d: { kind: 'stop', voiced: true, burst: 4200, bw: 2200, loci: [250, 1800, 2700] },
  k: { kind: 'stop', voiced: false, burst: 2300, bw: 900, loci: [250, 1700, 2300] },
  g: { kind: 'stop', voiced: true, burst: 2300, bw: 900, loci: [250, 1700, 2300] },
  s: { kind: 'fric', freq: 5600, bw: 1800, level: 1, formants: [300, 1700, 2600] },
  sh: { kind: 'fric', freq: 3000, bw: 1300, level: 0.9, formants: [300, 1800, 2500] },
  f: { kind: 'fric', freq: 5000, bw: 5000, level: 0.35, formants: [300, 900, 2300] },
  m: { kind: 'sonorant', level: 0.35, formants: [280, 1100, 2300] },
  n: { kind: 'sonorant', level: 0.35, formants: [280, 1600, 2500] },
  l: { kind: 'sonorant', level: 0.55, formants: [360, 1300, 2800] },
};

/** The phrases every voice says in every class: 3 to 5 consonant-vowel syllables. */
export const PHRASES = [
  ['ba', 'di', 'gu'],
  ['ma', 'so', 'ke', 'la'],
  ['ti', 'na', 'po', 'su', 'de'],
  ['sha', 'mo', 'ti'],
  ['la', 'bi', 'ko', 'na'],
  ['fe', 'du', 'ka', 'mi', 'so'],
].map((phrase) => phrase.map((s) => ({ consonant: s.slice(0, -1), vowel: s.slice(-1) })));

/**
 * How each class is said, relative to the voice. f0: mean pitch factor; range: the contour's reach
 * (a fraction of F0); contour(j, n, rng) → [start, end] of syllable j of n, in units of range;
 * trend: [start, end] of the phrase-level line; tau: how fast pitch follows (s); rate: speaking
 * rate; level: peak level; tilt: one-pole low-pass coefficient of the source (more = darker);
 * oq: open quotient (small = pressed, bright; large = breathy); breath: aspiration factor; jitter
 * and rough(ness): period irregularity; attack: amplitude time constant (s); bw: bandwidth factor;
 * pause: chance of a pause after a syllable; stress: loudness of a stressed syllable; fade: how
 * much quieter the last syllable is than the first.
 */
const PROSODY = {
  neutral: {
    f0: 1,
    range: 0.1,
    trend: [0.5, -0.6],
    contour: (_j, _n, rng) => {
      const a = uniform(rng, -0.35, 0.35);
      return [a + 0.1, a - 0.1];
    },
    tau: 0.04,
    rate: 1,
    level: 0.5,
    tilt: 0.45,
    oq: 0.6,
    breath: 1,
    jitter: 1,
    rough: 0,
    attack: 0.012,
    bw: 1,
    pause: 0.1,
    stress: 1.1,
    fade: 0.15,
  },
  happy: {
    f0: 1.25,
    range: 0.35,
    trend: [-0.1, 0.3],
    // Bouncing: each syllable rises, alternately from a lower and a higher step.
    contour: (j, _n, rng) => {
      const a = (j % 2 === 0 ? -0.3 : 0.35) + uniform(rng, -0.15, 0.15);
      return [a - 0.5, a + 0.5];
    },
    tau: 0.03,
    rate: 1.15,
    level: 0.66,
    tilt: 0.25,
    oq: 0.5,
    breath: 0.8,
    jitter: 1,
    rough: 0,
    attack: 0.008,
    bw: 1,
    pause: 0.05,
    stress: 1.15,
    fade: 0.1,
  },
  sad: {
    f0: 0.85,
    range: 0.06,
    trend: [0.7, -1],
    contour: (_j, _n, rng) => {
      const a = uniform(rng, -0.2, 0.2);
      return [a + 0.15, a - 0.15];
    },
    tau: 0.05,
    rate: 0.75,
    level: 0.3,
    tilt: 0.72,
    oq: 0.72,
    breath: 2.6,
    jitter: 1.3,
    rough: 0,
    attack: 0.03,
    bw: 1.3,
    pause: 0.4,
    stress: 1.05,
    fade: 0.45,
  },
  angry: {
    f0: 1.15,
    range: 0.25,
    trend: [0.3, -0.4],
    // Jerky: a random level per syllable, an abrupt accent on some, falling within the syllable.
    contour: (_j, _n, rng) => {
      const a = rng() < 0.35 ? uniform(rng, 0.6, 1) : uniform(rng, -0.5, 0.2);
      return [a + 0.3, a - 0.3];
    },
    tau: 0.007,
    rate: 1.12,
    level: 0.88,
    tilt: 0.08,
    oq: 0.4,
    breath: 0.5,
    jitter: 2.5,
    rough: 0.18,
    attack: 0.003,
    bw: 0.85,
    pause: 0.05,
    stress: 1.45,
    fade: 0.1,
  },
};

/** A 32-bit hash of whole numbers, to seed one voice or one clip. */
function mix(...values) {
  let h = 0x811c9dc5;
  for (const v of values) {
    h = Math.imul(h ^ (v >>> 0), 0x01000193);
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

const voiceId = (n) => `v${String(n).padStart(2, '0')}`;

/**
 * `count` voices numbered from `firstVoice`, alternately low (F0 85–145 Hz) and high (165–260 Hz).
 * Each is drawn from (seed, its number) alone, so a voice does not depend on how many are made.
 */
export function makeVoices(count, seed, firstVoice = 1) {
  return Array.from({ length: count }, (_, i) => {
    const n = firstVoice + i;
    const rng = createRng(mix(seed, n, 0x766f6963));
    const low = n % 2 === 1;
    return {
      id: voiceId(n),
      f0: low ? uniform(rng, 85, 145) : uniform(rng, 165, 260),
      tract: low ? uniform(rng, 0.85, 1.05) : uniform(rng, 1.0, 1.2),
      rate: uniform(rng, 0.85, 1.15),
      jitter: uniform(rng, 0.004, 0.012),
      shimmer: uniform(rng, 0.02, 0.06),
      breathiness: uniform(rng, 0.6, 1.4),
      loudness: uniform(rng, 0.8, 1.05),
    };
  });
}

/** One-pole smoothing in place: a time constant of `tau` seconds (0 leaves the track as it is). */
function smooth(track, tau) {
  if (tau <= 0) return;
  const a = Math.exp(-1 / (tau * SAMPLE_RATE));
  let y = track[0];
  for (let i = 0; i < track.length; i++) {
    y = track[i] + a * (y - track[i]);
    track[i] = y;
  }
}

/** Per-sample control tracks (F0, amplitudes, formant targets, noise filter) for one phrase. */
function controlTracks(voice, emotion, phrase, rng) {
  const p = PROSODY[emotion];
  // Per-clip variation, so that the classes overlap somewhat.
  const rate = voice.rate * p.rate * Math.exp(0.07 * gaussian(rng));
  const range = p.range * uniform(rng, 0.7, 1.3);
  const f0Mean = voice.f0 * p.f0 * Math.exp(0.06 * gaussian(rng));
  const stressed = Math.floor(rng() * phrase.length);

  // The timeline: [seconds, what] segments; durations shrink with the speaking rate.
  const segments = [];
  const lead = uniform(rng, 0.05, 0.2);
  segments.push({ dur: lead, kind: 'silence' });
  phrase.forEach(({ consonant, vowel }, j) => {
    const c = CONSONANTS[consonant];
    const final = j === phrase.length - 1;
    const amp = (j === stressed ? p.stress : 1) * (1 - (p.fade * j) / Math.max(1, phrase.length - 1)) * Math.exp(0.08 * gaussian(rng));
    const syllable = { j, amp, vowel };
    if (c.kind === 'stop') {
      segments.push({ dur: 0.05 / rate, kind: 'closure', c, syllable });
      segments.push({ dur: 0.012, kind: 'burst', c, syllable });
      if (!c.voiced) segments.push({ dur: 0.045 / rate, kind: 'aspiration', c, syllable });
    } else if (c.kind === 'fric') {
      segments.push({ dur: 0.095 / rate, kind: 'fric', c, syllable });
    } else {
      segments.push({ dur: 0.07 / rate, kind: 'sonorant', c, syllable });
    }
    const long = (j === stressed ? 1.2 : 1) * (final ? 1.4 : 1) * uniform(rng, 0.85, 1.15);
    segments.push({ dur: (0.17 * long) / rate, kind: 'vowel', syllable });
    if (!final && rng() < p.pause) segments.push({ dur: uniform(rng, 0.06, 0.16) / rate, kind: 'silence' });
  });
  const tail = uniform(rng, 0.05, 0.2);
  let speech = segments.reduce((s, x) => s + x.dur, 0) - lead;
  // Keep clips 1.0–2.2 s: squeeze a long phrase, pad a short one's trailing silence.
  if (lead + speech + tail > 2.2) {
    const k = (2.2 - lead - tail) / speech;
    for (const s of segments.slice(1)) s.dur *= k;
    speech *= k;
  }
  segments.push({ dur: Math.max(tail, 1.0 - lead - speech), kind: 'silence' });

  const n = Math.round(segments.reduce((s, x) => s + x.dur, 0) * SAMPLE_RATE);
  const t = {
    n,
    f0: new Float32Array(n),
    av: new Float32Array(n),
    ah: new Float32Array(n),
    af: new Float32Array(n),
    fricF: new Float32Array(n),
    fricBw: new Float32Array(n),
    formants: [new Float32Array(n), new Float32Array(n), new Float32Array(n)],
  };
  // Pitch targets per syllable, on a phrase-level trend line.
  const accents = phrase.map((_, j) => p.contour(j, phrase.length, rng));
  const speechStart = Math.round(lead * SAMPLE_RATE);
  const speechEnd = Math.round((lead + speech) * SAMPLE_RATE);
  let at = 0;
  let formantHold = VOWELS[phrase[0].vowel];
  for (const seg of segments) {
    const end = Math.min(n, Math.round((at / SAMPLE_RATE + seg.dur) * SAMPLE_RATE));
    const syl = seg.syllable;
    for (let i = at; i < end; i++) {
      const pos = Math.min(1, Math.max(0, (i - speechStart) / Math.max(1, speechEnd - speechStart)));
      let contour = p.trend[0] + (p.trend[1] - p.trend[0]) * pos;
      if (syl) {
        const [a, b] = accents[syl.j];
        const local = (i - at) / Math.max(1, end - at);
        contour += seg.kind === 'vowel' ? a + (b - a) * local : a;
      }
      t.f0[i] = f0Mean * (1 + range * contour);
    }
    let av = 0;
    let ah = 0;
    let af = 0;
    let formants = formantHold;
    let fricF = 1000;
    let fricBw = 1000;
    if (seg.kind === 'vowel') {
      av = syl.amp;
      formants = VOWELS[syl.vowel];
    } else if (seg.kind === 'closure') {
      av = seg.c.voiced ? 0.06 * syl.amp : 0; // the voice bar of a voiced stop
      formants = seg.c.loci;
    } else if (seg.kind === 'burst') {
      af = 0.9 * syl.amp;
      fricF = seg.c.burst;
      fricBw = seg.c.bw;
      formants = seg.c.loci;
    } else if (seg.kind === 'aspiration') {
      ah = 0.5 * syl.amp;
      formants = VOWELS[syl.vowel];
    } else if (seg.kind === 'fric') {
      af = 0.45 * seg.c.level * syl.amp;
      fricF = seg.c.freq;
      fricBw = seg.c.bw;
      formants = seg.c.formants;
    } else if (seg.kind === 'sonorant') {
      av = seg.c.level * syl.amp;
      formants = seg.c.formants;
    }
    formantHold = formants;
    for (let i = at; i < end; i++) {
      t.av[i] = av;
      t.ah[i] = ah;
      t.af[i] = af;
      t.fricF[i] = fricF;
      t.fricBw[i] = fricBw;
      for (let k = 0; k < 3; k++) t.formants[k][i] = formants[k] * voice.tract;
    }
    at = end;
  }
  smooth(t.f0, p.tau);
  smooth(t.av, p.attack);
  smooth(t.ah, 0.005);
  smooth(t.af, 0.002);
  for (const track of t.formants) smooth(track, 0.015);
  return t;
}

/**
 * A two-pole resonator (Klatt): unity gain at 0 Hz, a peak at `freq` of width `bw`.
 * Returns the three coefficients [a, b, c] of y = a·x + b·y1 + c·y2.
 */
function resonator(freq, bw, out, at) {
  const r = Math.exp((-Math.PI * bw) / SAMPLE_RATE);
  const b = 2 * r * Math.cos((2 * Math.PI * Math.min(freq, SAMPLE_RATE * 0.45)) / SAMPLE_RATE);
  const c = -r * r;
  out[at] = 1 - b - c;
  out[at + 1] = b;
  out[at + 2] = c;
}

/** Rosenberg glottal flow over one period, phase in [0, 1): 0 while closed. */
function glottalFlow(phase, oq) {
  const rise = 0.62 * oq;
  if (phase < rise) return 0.5 * (1 - Math.cos((Math.PI * phase) / rise));
  if (phase < oq) return Math.cos((0.5 * Math.PI * (phase - rise)) / (oq - rise));
  return 0;
}

/**
 * One clip: `voice` (from makeVoices) saying PHRASES[phraseIndex] as `emotion`, 16 kHz mono,
 * peaks at most 0.95. Deterministic for its arguments.
 */
export function synthClip(voice, emotion, phraseIndex, seed) {
  const p = PROSODY[emotion];
  if (!p) throw new Error(`${emotion} is not one of ${AUDIO_CLASSES.join(', ')}.`);
  const phrase = PHRASES[((phraseIndex % PHRASES.length) + PHRASES.length) % PHRASES.length];
  const rng = createRng(mix(seed, Number(voice.id.slice(1)), AUDIO_CLASSES.indexOf(emotion), phraseIndex));
  const t = controlTracks(voice, emotion, phrase, rng);
  const tilt = Math.min(0.92, Math.max(0, p.tilt + 0.07 * gaussian(rng)));
  const oq = Math.min(0.8, Math.max(0.35, p.oq + 0.04 * gaussian(rng)));
  const breath = 0.06 * voice.breathiness * p.breath * Math.exp(0.25 * gaussian(rng));
  const jitter = voice.jitter * p.jitter;
  const shimmer = voice.shimmer * (p.jitter > 1 ? 1.5 : 1);
  const bw = BANDWIDTHS.map((b) => b * p.bw);
  const high = HIGH_FORMANTS.map((f) => f * voice.tract);

  const voiced = new Float32Array(t.n);
  const noisy = new Float32Array(t.n);
  const coef = new Float64Array(15);
  const state = new Float64Array(10);
  let fricCoef = [0, 0, 0];
  let fy1 = 0;
  let fy2 = 0;
  let phase = 0;
  let prevFlow = 0;
  let periodF0 = t.f0[0];
  let periodAmp = 1;
  let odd = false;
  let tilted = 0;
  const noise = () => (rng() - 0.5) * 3.4641; // uniform, unit variance: white, and the filters make it near-normal
  for (let i = 0; i < t.n; i++) {
    if (i % 32 === 0) {
      for (let k = 0; k < 3; k++) resonator(t.formants[k][i], bw[k], coef, k * 3);
      for (let k = 0; k < 2; k++) resonator(high[k], bw[k + 3], coef, (k + 3) * 3);
      const fc = [0, 0, 0];
      resonator(t.fricF[i], t.fricBw[i], fc, 0);
      fricCoef = fc;
    }
    phase += periodF0 / SAMPLE_RATE;
    if (phase >= 1) {
      // A new glottal period: its own length (jitter), strength (shimmer) and, when rough, alternation.
      phase -= 1;
      odd = !odd;
      periodF0 = t.f0[i] * (1 + jitter * gaussian(rng)) * (odd ? 1 + p.rough * 0.04 : 1);
      periodAmp = Math.max(0.2, 1 + shimmer * gaussian(rng)) * (odd ? 1 - p.rough : 1);
    }
    const flow = glottalFlow(phase, oq);
    // The flow's derivative per period (lip radiation), so that its size does not depend on F0.
    const pulse = ((flow - prevFlow) * SAMPLE_RATE) / periodF0;
    prevFlow = flow;
    tilted = (1 - tilt) * pulse * periodAmp + tilt * tilted;
    const av = t.av[i];
    let x = tilted * av * 0.25 + noise() * (t.ah[i] + breath * av * (0.3 + 0.7 * flow));
    for (let k = 0; k < 5; k++) {
      const y = coef[k * 3] * x + coef[k * 3 + 1] * state[k * 2] + coef[k * 3 + 2] * state[k * 2 + 1];
      state[k * 2 + 1] = state[k * 2];
      state[k * 2] = y;
      x = y;
    }
    voiced[i] = x;
    // Frication and bursts: noise through one resonator, high-passed (first difference).
    const f = fricCoef[0] * noise() * t.af[i] + fricCoef[1] * fy1 + fricCoef[2] * fy2;
    noisy[i] = f - fy1;
    fy2 = fy1;
    fy1 = f;
  }

  // Mix frication at a fixed level below the voiced part, then scale to the voice's and class's level.
  const rms = (x) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / Math.max(1, x.length));
  const voicedRms = rms(voiced.filter((_, i) => t.av[i] > 0.5)) || 1;
  const noisyRms = rms(noisy.filter((_, i) => t.af[i] > 0.05)) || 1;
  const out = new Float32Array(t.n);
  const fricLevel = 0.22 * (emotion === 'angry' ? 1.3 : emotion === 'sad' ? 0.7 : 1);
  for (let i = 0; i < t.n; i++) out[i] = voiced[i] / voicedRms + (fricLevel * noisy[i]) / noisyRms;
  let peak = 0;
  for (const v of out) peak = Math.max(peak, Math.abs(v));
  const level = Math.min(0.92, voice.loudness * p.level * Math.exp(0.15 * gaussian(rng)));
  const gain = level / (peak || 1);
  // Room noise at −50 to −40 dBFS (RMS), a little low-passed.
  const floor = 10 ** (uniform(rng, -50, -40) / 20) * 1.8;
  let hum = 0;
  peak = 0;
  for (let i = 0; i < t.n; i++) {
    hum = 0.7 * hum + 0.3 * noise() * floor;
    out[i] = out[i] * gain + hum;
    peak = Math.max(peak, Math.abs(out[i]));
  }
  if (peak > 0.95) for (let i = 0; i < t.n; i++) out[i] *= 0.95 / peak;
  return out;
}

/** Writes the sample under `out`; returns its manifest (generator options, and each clip's path, label, voice and length). */
export function writeAudioSample({ out, voices = 12, clipsPerVoice = 6, seed = 1, firstVoice = 1 }) {
  const people = makeVoices(voices, seed, firstVoice);
  const files = [];
  for (const emotion of AUDIO_CLASSES) mkdirSync(join(out, emotion), { recursive: true });
  people.forEach((voice, v) => {
    for (const emotion of AUDIO_CLASSES) {
      for (let k = 1; k <= clipsPerVoice; k++) {
        // The same phrases for a voice in every class; rotated between voices.
        const clip = synthClip(voice, emotion, (k - 1 + v) % PHRASES.length, mix(seed, k));
        const path = `${emotion}/${voice.id}_${String(k).padStart(2, '0')}.wav`;
        writeFileSync(join(out, path), encodeWav(clip, SAMPLE_RATE, 16));
        files.push({ path, label: emotion, voice: voice.id, seconds: Math.round((clip.length / SAMPLE_RATE) * 1000) / 1000 });
      }
    }
  });
  const last = voiceId(firstVoice + voices - 1);
  writeFileSync(
    join(out, 'LICENSE.txt'),
    `Synthetic speech emotions: a generated audio sample (${voices} voices, ${voiceId(firstVoice)}–${last}, ` +
      `${clipsPerVoice} clips per voice and class, seed ${seed}).\nGenerated by scripts/make-audio-sample.mjs.\nLicence: ${LICENCE}\n`,
  );
  writeFileSync(
    join(out, 'README.md'),
    `# Synthetic speech emotions\n\n` +
      `${files.length} short clips (16 kHz, mono, 16-bit PCM WAV, 1.0–2.2 s) of ${voices} made-up voices saying the same ` +
      `${PHRASES.length} nonsense phrases (${PHRASES.map((ph) => ph.map((s) => s.consonant + s.vowel).join('-')).join(', ')}) ` +
      `in four ways: ${AUDIO_CLASSES.join(', ')}. The words carry no label; the classes differ in pitch level and range, ` +
      `pitch contour, speaking rate, loudness and voice quality (breathy and dark when sad, pressed and bright when angry).\n\n` +
      `Every clip is synthesised (a glottal pulse train through formant filters); there are no recordings.\n\n` +
      `- Layout: \`<class>/<voice>_<nn>.wav\`, one folder per class.\n` +
      `- Speaker: the file name's \`^(v\\d+)_\` is the voice; split by it so that no voice is in both training and test data.\n` +
      `- Made with: \`node scripts/make-audio-sample.mjs --out DIR --voices ${voices} --clips ${clipsPerVoice} --seed ${seed} --first-voice ${firstVoice}\`.\n` +
      `  Voices are drawn from the seed and their number, so \`--first-voice 101 --seed 7\` gives a held-out set of voices this one does not have.\n` +
      `- Licence: ${LICENCE}\n`,
  );
  return { generator: { voices, clipsPerVoice, seed, firstVoice }, files };
}

const USAGE = 'usage: node scripts/make-audio-sample.mjs --out DIR [--voices 12] [--clips 6] [--seed 1] [--first-voice 1]';
const FLAGS = { '--voices': ['voices', 1], '--clips': ['clipsPerVoice', 1], '--seed': ['seed', 0], '--first-voice': ['firstVoice', 1] };

/** Parses the command line; throws an Error with a sentence (and the usage) on a bad one. */
export function parseArgs(argv) {
  const opts = { voices: 12, clipsPerVoice: 6, seed: 1, firstVoice: 1 };
  let out;
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--out' && value !== undefined) out = value;
    else if (FLAGS[flag] && value !== undefined) {
      const [key, min] = FLAGS[flag];
      const v = Number(value);
      if (!Number.isInteger(v) || v < min) throw new Error(`${flag} must be a whole number of at least ${min}, not ${value}.\n${USAGE}`);
      opts[key] = v;
    } else
      throw new Error(
        `${flag} is not an option here${value === undefined && flag?.startsWith('--') ? ' (or it has no value)' : ''}.\n${USAGE}`,
      );
  }
  if (out === undefined) throw new Error(`Say where to write the sample with --out DIR.\n${USAGE}`);
  return { out: resolve(out), ...opts };
}

export function main(argv = process.argv.slice(2)) {
  let args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    console.error(e.message);
    process.exitCode = 2;
    return undefined;
  }
  const started = performance.now();
  const manifest = writeAudioSample(args);
  const ms = Math.round(performance.now() - started);
  const { voices, clipsPerVoice, seed, firstVoice } = manifest.generator;
  console.log(
    `make-audio-sample: ${manifest.files.length} clips (${voices} voices from ${voiceId(firstVoice)} × ${AUDIO_CLASSES.length} classes × ${clipsPerVoice}), ` +
      `16 kHz, seed ${seed} -> ${args.out} (${ms} ms)`,
  );
  return manifest;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
