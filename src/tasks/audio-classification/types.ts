/** Plain types of the audio task, shared by the worker and the UI. No tfjs here. */
import type { EvalResult } from '../../engine/types';
import type { FrontendSettings } from './frontend.js';

export type { FrontendSettings };

/** Sound augmentation, drawn per window from the run's seed (0 = off for each). */
export interface AudioAugmentSettings {
  /** Shift the window by up to ± this many seconds inside its clip. */
  timeShift: number;
  /** Scale the waveform by up to ± this many decibels. */
  gainDb: number;
  /** Add white noise at a signal-to-noise ratio drawn between this many dB and 40 dB (0 = off). */
  noiseSnrDb: number;
  /** SpecAugment: this many frequency masks, each up to `freqMaskWidth` of the mel bins. */
  freqMasks: number;
  freqMaskWidth: number;
  /** SpecAugment: this many time masks, each up to `timeMaskWidth` of the frames. */
  timeMasks: number;
  timeMaskWidth: number;
}

/** What an audio run adds to the image settings (`TrainSettings.audio`): its front end and augmentation. */
export interface AudioSettings {
  frontend: FrontendSettings;
  augment: AudioAugmentSettings;
  /** Where the clips came from, in sentences for the model card (the built-in sample's generator and licence). */
  provenance?: string[];
}

/** A clip as the worker takes it: mono samples at their own rate. */
export interface WorkerClip {
  id: string;
  label: number;
  samples: Float32Array;
  sampleRate: number;
  /** The file's SHA-256 (hex): its content key in the run record's data manifest (the id when absent). */
  hash?: string;
}

/** Per class, over the evaluated clips. */
export interface AudioClassMetrics {
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** Clips of the class. */
  support: number;
}

/**
 * Clip-level evaluation: a clip's probabilities are the mean over its windows. `predictions[i].id` is a
 * clip id; `probabilities` its class probabilities.
 */
export interface AudioEvalResult extends EvalResult {
  perClass: AudioClassMetrics[];
  macroF1: number;
  /** Unweighted average recall: the mean of the classes' recalls (classes with clips). */
  uar: number;
  /** Windows evaluated (≥ clips). */
  windows: number;
  probabilities: number[][];
}

/** One clip's answer (try-it). */
export interface AudioPrediction {
  probabilities: number[];
  /** Per window: its class probabilities (the clip's are their mean). */
  windows: number[][];
  /** Seconds of audio the front end read (at most its `maxSeconds`). */
  seconds: number;
}
