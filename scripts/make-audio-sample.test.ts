import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseWav } from '../src/data/wav';
import { AUDIO_CLASSES, makeVoices, parseArgs, PHRASES, synthClip, writeAudioSample, type AudioClass } from './make-audio-sample.mjs';

const SR = 16000;
const dir = mkdtempSync(join(tmpdir(), 'audio-sample-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** A crude pitch: the median over loud 40 ms frames of the autocorrelation peak (60–500 Hz) of a low-passed copy at 8 kHz. */
function pitch(x: Float32Array): number {
  const y = new Float32Array(x.length >> 1);
  let a = 0;
  let b = 0;
  x.forEach((v, i) => {
    a += 0.35 * (v - a);
    b += 0.35 * (a - b);
    if (!(i & 1)) y[i >> 1] = b;
  });
  const N = 320;
  const energies: number[] = [];
  for (let o = 0; o + N <= y.length; o += 80) energies.push(y.subarray(o, o + N).reduce((s, v) => s + v * v, 0));
  const loud = Math.max(...energies) / 300; // frames within 25 dB of the loudest
  const found: number[] = [];
  for (let o = 0, f = 0; o + N + 125 <= y.length; o += 80, f++) {
    if ((energies[f] ?? 0) < loud) continue;
    const r: number[] = [];
    for (let lag = 16; lag <= 125; lag++) {
      let s = 0;
      let e0 = 0;
      let e1 = 0;
      for (let i = o; i < o + N; i++) {
        s += (y[i] as number) * (y[i + lag] as number);
        e0 += (y[i] as number) ** 2;
        e1 += (y[i + lag] as number) ** 2;
      }
      r.push(s / Math.sqrt(e0 * e1 + 1e-12));
    }
    const best = Math.max(...r);
    if (best < 0.6) continue;
    // The first peak near the best one, so that a period's multiples do not win.
    let k = r.findIndex((v) => v >= 0.9 * best);
    while (k + 1 < r.length && (r[k + 1] as number) > (r[k] as number)) k++;
    found.push(8000 / (k + 16));
  }
  return median(found);
}

describe('make-audio-sample', () => {
  it('draws voices from the seed and their number: ids, ranges, and a held-out set that shares none', () => {
    const voices = makeVoices(12, 1);
    expect(voices.map((v) => v.id)).toEqual(['v01', 'v02', 'v03', 'v04', 'v05', 'v06', 'v07', 'v08', 'v09', 'v10', 'v11', 'v12']);
    expect(makeVoices(12, 1)).toEqual(voices);
    expect(makeVoices(3, 1, 5)).toEqual(voices.slice(4, 7)); // a voice does not depend on how many are made
    for (const [i, v] of voices.entries()) {
      const [low, high] = i % 2 === 0 ? [85, 145] : [165, 260];
      expect(v.f0).toBeGreaterThanOrEqual(low);
      expect(v.f0).toBeLessThanOrEqual(high);
      expect(v.tract).toBeGreaterThanOrEqual(0.85);
      expect(v.tract).toBeLessThanOrEqual(1.2);
      expect(v.rate).toBeGreaterThanOrEqual(0.85);
      expect(v.rate).toBeLessThanOrEqual(1.15);
    }
    const heldOut = makeVoices(6, 7, 101);
    expect(heldOut.map((v) => v.id)).toEqual(['v101', 'v102', 'v103', 'v104', 'v105', 'v106']);
    const f0s = new Set(voices.map((v) => v.f0));
    expect(heldOut.some((v) => f0s.has(v.f0))).toBe(false);
    expect(makeVoices(1, 2)[0]?.f0).not.toBe(voices[0]?.f0);
  });

  it('synthesises deterministic 16 kHz clips of 1.0–2.2 s that never clip and start and end near silence', () => {
    const [voice] = makeVoices(1, 1);
    if (!voice) throw new Error('no voice');
    const clip = synthClip(voice, 'happy', 2, 9);
    expect(synthClip(voice, 'happy', 2, 9)).toEqual(clip);
    expect(synthClip(voice, 'happy', 2, 10)).not.toEqual(clip);
    for (const emotion of AUDIO_CLASSES) {
      for (let p = 0; p < PHRASES.length; p++) {
        const x = synthClip(voice, emotion, p, 3);
        expect(x.length / SR).toBeGreaterThanOrEqual(1);
        expect(x.length / SR).toBeLessThanOrEqual(2.2);
        const peak = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        expect(peak).toBeLessThanOrEqual(0.95);
        expect(peak).toBeGreaterThan(0.1);
        // The first and last 40 ms are room noise only (−50 to −40 dBFS), well below the speech.
        for (const edge of [x.subarray(0, 640), x.subarray(x.length - 640)]) {
          expect(rms(edge)).toBeLessThan(0.012);
          expect(rms(edge)).toBeGreaterThan(0.002);
        }
        expect(rms(x)).toBeGreaterThan(5 * rms(x.subarray(0, 640)));
      }
    }
    expect(() => synthClip(voice, 'bored' as AudioClass, 0, 1)).toThrow(/^bored is not one of neutral, happy, sad, angry\./);
  });

  it('says the classes differently on the same voice: loudness, pitch and rate', () => {
    for (const voice of makeVoices(2, 1)) {
      const per = Object.fromEntries(
        AUDIO_CLASSES.map((emotion) => {
          const clips = PHRASES.map((_, p) => synthClip(voice, emotion, p, 11));
          return [
            emotion,
            {
              rms: clips.reduce((s, x) => s + rms(x), 0) / clips.length,
              pitch: median(clips.map(pitch)),
              seconds: clips.reduce((s, x) => s + x.length, 0) / clips.length / SR,
            },
          ];
        }),
      ) as Record<AudioClass, { rms: number; pitch: number; seconds: number }>;
      expect(per.angry.rms).toBeGreaterThan(1.6 * per.sad.rms);
      expect(per.happy.rms).toBeGreaterThan(per.sad.rms);
      expect(per.happy.pitch).toBeGreaterThan(1.25 * per.sad.pitch);
      expect(per.angry.pitch).toBeGreaterThan(per.neutral.pitch);
      expect(per.neutral.pitch).toBeGreaterThan(per.sad.pitch);
      // The pitch found is the voice's: sad ≈ 0.85× and happy ≈ 1.25× its base, give or take contours.
      expect(per.sad.pitch / voice.f0).toBeGreaterThan(0.7);
      expect(per.happy.pitch / voice.f0).toBeLessThan(1.6);
      expect(per.sad.seconds).toBeGreaterThan(1.2 * per.happy.seconds);
    }
  });

  it('writes <class>/<voice>_<nn>.wav files that parse as 16 kHz mono, a licence, a README and a manifest', () => {
    const out = join(dir, 'sample');
    const manifest = writeAudioSample({ out, voices: 2, clipsPerVoice: 2, seed: 5, firstVoice: 3 });
    expect(manifest.generator).toEqual({ voices: 2, clipsPerVoice: 2, seed: 5, firstVoice: 3 });
    expect(readdirSync(out).sort()).toEqual(['LICENSE.txt', 'README.md', 'angry', 'happy', 'neutral', 'sad']);
    expect(readdirSync(join(out, 'sad'))).toEqual(['v03_01.wav', 'v03_02.wav', 'v04_01.wav', 'v04_02.wav']);
    expect(manifest.files).toHaveLength(16);
    for (const file of manifest.files) {
      expect(file.path).toBe(`${file.label}/${file.voice}_${file.path.slice(-6, -4)}.wav`);
      expect(/^(v\d+)_/.exec(file.path.split('/')[1] ?? '')?.[1]).toBe(file.voice);
      const audio = parseWav(readFileSync(join(out, file.path)));
      expect(audio.sampleRate).toBe(SR);
      expect(audio.channels).toHaveLength(1);
      expect(Math.abs((audio.channels[0]?.length ?? 0) - file.seconds * SR)).toBeLessThanOrEqual(8); // seconds are rounded to ms
    }
    // The same options write the same bytes.
    const again = join(dir, 'again');
    writeAudioSample({ out: again, voices: 2, clipsPerVoice: 2, seed: 5, firstVoice: 3 });
    for (const file of manifest.files) expect(readFileSync(join(again, file.path)).equals(readFileSync(join(out, file.path)))).toBe(true);
    expect(readFileSync(join(out, 'LICENSE.txt'), 'utf8')).toMatch(/CC0-1\.0: synthesised from random numbers .* no recordings/);
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    expect(readme).toContain('node scripts/make-audio-sample.mjs --out DIR --voices 2 --clips 2 --seed 5 --first-voice 3');
    expect(readme).toContain('`^(v\\d+)_`');
  });

  it('CLI: writes the set, and refuses a bad command line with a sentence', () => {
    expect(parseArgs(['--out', 'x', '--voices', '3', '--clips', '2', '--seed', '7', '--first-voice', '101'])).toMatchObject({
      voices: 3,
      clipsPerVoice: 2,
      seed: 7,
      firstVoice: 101,
    });
    expect(() => parseArgs(['--voices', '5'])).toThrow(/^Say where to write the sample with --out DIR\./);
    expect(() => parseArgs(['--out', 'x', '--first-voice', '0'])).toThrow(/^--first-voice must be a whole number of at least 1, not 0\./);
    expect(() => parseArgs(['--out', 'x', '--loud'])).toThrow(/^--loud is not an option here \(or it has no value\)\./);

    const script = join(process.cwd(), 'scripts/make-audio-sample.mjs');
    const out = join(dir, 'cli');
    const ok = spawnSync(process.execPath, [script, '--out', out, '--voices', '1', '--clips', '1', '--first-voice', '101', '--seed', '7'], {
      encoding: 'utf8',
    });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^make-audio-sample: 4 clips \(1 voices from v101 × 4 classes × 1\), 16 kHz, seed 7 -> /);
    expect(readdirSync(join(out, 'angry'))).toEqual(['v101_01.wav']);
    const bad = spawnSync(process.execPath, [script, '--out', out, '--clips', 'many'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^--clips must be a whole number of at least 1, not many\./);
  });
});
