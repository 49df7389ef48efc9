/**
 * Audio fixtures for the e2e tests, made on the fly: held-out voices from the sample's generator
 * (scripts/make-audio-sample.mjs, voices never in the sample), zips of class folders with good and bad
 * clips, and scoring of a downloaded model in Node with its own frontend.js — the unweighted average
 * recall written here from its definition, independent of the studio's metrics code.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import { writeAudioSample, type AudioClass } from '../scripts/make-audio-sample.mjs';
import { encodeWav, parseWav } from '../scripts/wav.mjs';
import { expect } from './fixtures';
import type { StudioPage } from './pages/StudioPage';

export const audioDir = mkdtempSync(join(tmpdir(), 'studio-audio-'));

export interface HeldClip {
  path: string;
  label: AudioClass;
  voice: string;
  samples: Float32Array;
  sampleRate: number;
}

/** `voices` voices the sample never had (ids from `firstVoice`), 6 clips each per class, written as WAVs. */
export function heldOutVoices(voices: number, firstVoice: number, seed: number): HeldClip[] {
  const out = join(audioDir, `held-${firstVoice}-${seed}`);
  const manifest = writeAudioSample({ out, voices, clipsPerVoice: 6, seed, firstVoice });
  return manifest.files.map((f) => {
    const wav = parseWav(new Uint8Array(readFileSync(join(out, f.path))));
    return {
      path: join(out, f.path),
      label: f.label,
      voice: f.voice,
      samples: wav.channels[0] as Float32Array,
      sampleRate: wav.sampleRate,
    };
  });
}

/** Opens the studio at `query` on the audio task, its model loaded. */
export async function openAudio(studio: StudioPage, query: string): Promise<void> {
  await studio.open(query);
  await studio.id('task.audio-classification').click();
  await expect(studio.id('task.audio-classification')).toHaveAttribute('aria-checked', 'true');
  await studio.waitForModel();
}

/** Writes a zip of `entries` (path → bytes) under the fixture folder and returns its path. */
export function audioZip(name: string, entries: Record<string, Uint8Array>): string {
  const path = join(audioDir, name);
  writeFileSync(path, zipSync(entries, { level: 0 }));
  return path;
}

/** A tone of `seconds` at `hz` as a 16-bit WAV at `rate`. */
export function toneWav(seconds: number, hz: number, rate = 16000, amplitude = 0.3): Uint8Array {
  const x = new Float32Array(Math.round(seconds * rate));
  for (let i = 0; i < x.length; i++)
    x[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / rate) * (1 + 0.3 * Math.sin((2 * Math.PI * 3 * i) / rate));
  return encodeWav(x, rate);
}

interface Frontend {
  features(samples: Float32Array, sampleRate: number): { data: Float32Array; shape: number[] };
  SETTINGS: { imageSize: number };
}

/** The export's frontend.js, written out and imported as the ES module a person gets. */
export async function importFrontend(source: Uint8Array): Promise<Frontend> {
  const dir = mkdtempSync(join(audioDir, 'export-'));
  const path = join(dir, 'frontend.js');
  writeFileSync(path, source);
  // An ES module: Node reads .js as one inside a package that says so (as a person's project would).
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  return (await import(pathToFileURL(path).href)) as Frontend;
}

/** A clip's class probabilities from the export: its windows through the model, averaged. */
export function clipProbabilities(model: tf.LayersModel, frontend: Frontend, samples: Float32Array, sampleRate: number): number[] {
  const { data, shape } = frontend.features(samples, sampleRate);
  return tf.tidy(() => (model.predict(tf.tensor(data, shape)) as tf.Tensor).mean(0).arraySync() as number[]);
}

/** Unweighted average recall: for each class with clips, the share of its clips predicted as it; then the mean. */
export function unweightedAverageRecall(actual: readonly string[], predicted: readonly string[]): number {
  const classes = [...new Set(actual)];
  const recalls = classes.map((c) => {
    const idx = actual.flatMap((a, i) => (a === c ? [i] : []));
    return idx.filter((i) => predicted[i] === c).length / idx.length;
  });
  return recalls.reduce((a, b) => a + b, 0) / recalls.length;
}
