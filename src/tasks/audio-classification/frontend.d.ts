/** Types of ./frontend.js (the audio front end shipped in every audio export as frontend.js). */
export interface FrontendSettings {
  /** The rate every clip is resampled to (Hz). */
  sampleRate: number;
  fftSize: number;
  /** STFT frame length and hop, in samples at `sampleRate`. */
  winLength: number;
  hopLength: number;
  melBins: number;
  /** STFT frames per window. */
  frames: number;
  fMin: number;
  fMax: number;
  /** Decibels below the window's loudest value that map to 0. */
  topDb: number;
  /** Seconds between the starts of a long clip's windows. */
  windowHop: number;
  /** Longer clips: only their first `maxSeconds` are used. */
  maxSeconds: number;
  /** The model's square input side. */
  imageSize: number;
  /** What [0, 1] maps to (the pre-trained model's pixel range). */
  inputRange: readonly [number, number] | [number, number];
}

export const DEFAULTS: Readonly<FrontendSettings>;
export const SETTINGS: Readonly<FrontendSettings>;
export function windowLength(s?: FrontendSettings): number;
export function resample(x: Float32Array, from: number, to: number): Float32Array;
export function windowStarts(n: number, s?: FrontendSettings): number[];
export function logMel(x: Float32Array, start: number, s?: FrontendSettings): Float32Array;
export function melImage(db: Float32Array, s?: FrontendSettings): Float32Array;
export function prepare(samples: Float32Array, sampleRate: number, s?: FrontendSettings): Float32Array;
export function features(samples: Float32Array, sampleRate: number, s?: FrontendSettings): { data: Float32Array; shape: number[] };
