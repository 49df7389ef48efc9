/** Types of the synthetic speech-emotion sample generator (scripts/make-audio-sample.mjs). */
export type AudioClass = 'neutral' | 'happy' | 'sad' | 'angry';
export const AUDIO_CLASSES: AudioClass[];
export const SAMPLE_RATE: 16000;
export const LICENCE: string;
/** The phrases every voice says in every class: consonant-vowel syllables. */
export const PHRASES: { consonant: string; vowel: string }[][];
export interface Voice {
  /** `v01`, `v02`, …: the speaker key of the file names. */
  id: string;
  /** Base F0 in Hz: 85–145 (odd voice numbers) or 165–260 (even). */
  f0: number;
  /** Vocal-tract scale applied to every formant, 0.85–1.2. */
  tract: number;
  /** Speaking-rate factor, 0.85–1.15. */
  rate: number;
  /** Period-to-period F0 variation (a fraction). */
  jitter: number;
  /** Period-to-period amplitude variation (a fraction). */
  shimmer: number;
  /** Aspiration-noise factor (1 is average). */
  breathiness: number;
  /** Peak-level factor. */
  loudness: number;
}
export interface AudioSampleOptions {
  out: string;
  voices?: number;
  clipsPerVoice?: number;
  seed?: number;
  firstVoice?: number;
}
export interface AudioSampleManifest {
  generator: { voices: number; clipsPerVoice: number; seed: number; firstVoice: number };
  /** Paths relative to `out`: `<class>/<voice>_<nn>.wav`. */
  files: { path: string; label: AudioClass; voice: string; seconds: number }[];
}
export function makeVoices(count: number, seed: number, firstVoice?: number): Voice[];
/** 16 kHz mono samples, peaks at most 0.95. */
export function synthClip(voice: Voice, emotion: AudioClass, phraseIndex: number, seed: number): Float32Array;
export function writeAudioSample(opts: AudioSampleOptions): AudioSampleManifest;
export function parseArgs(argv: string[]): Required<AudioSampleOptions>;
export function main(argv?: string[]): AudioSampleManifest | undefined;
