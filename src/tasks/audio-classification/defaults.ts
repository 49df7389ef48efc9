/**
 * The settings an audio run starts from when the task is chosen: MobileNetV2 reading 96 px log-mel
 * spectrogram windows (the front end's defaults), the new head only (its features cached per
 * augmented variant, so it trains on every backend), Adam, and sound augmentation — time shift, gain,
 * noise and SpecAugment masks — in four cached variants per window. The measurement behind them is
 * in the README ("Audio classification").
 */
import { DEFAULT_SETTINGS, NO_AUGMENTATION, type TrainSettings } from '../../engine/types';
import { DEFAULTS as FRONTEND_DEFAULTS } from './frontend.js';
import type { AudioAugmentSettings, AudioSettings } from './types';

export const DEFAULT_AUDIO_AUGMENT: AudioAugmentSettings = {
  timeShift: 0.1,
  gainDb: 6,
  noiseSnrDb: 20,
  freqMasks: 1,
  freqMaskWidth: 0.1,
  timeMasks: 1,
  timeMaskWidth: 0.1,
};

export const NO_AUDIO_AUGMENT: AudioAugmentSettings = {
  timeShift: 0,
  gainDb: 0,
  noiseSnrDb: 0,
  freqMasks: 0,
  freqMaskWidth: 0,
  timeMasks: 0,
  timeMaskWidth: 0,
};

export const DEFAULT_AUDIO: AudioSettings = {
  frontend: { ...FRONTEND_DEFAULTS, inputRange: [-1, 1] },
  augment: DEFAULT_AUDIO_AUGMENT,
};

export const AUDIO_DEFAULT_SETTINGS: TrainSettings = {
  ...DEFAULT_SETTINGS,
  imageSize: FRONTEND_DEFAULTS.imageSize,
  batchSize: 16,
  epochs: 20,
  learningRate: 0.001,
  optimizer: 'adam',
  dropout: 0.2,
  labelSmoothing: 0.1,
  mode: 'head-only',
  trainableLayers: [],
  resize: 'stretch',
  headLayer: 'auto',
  augmentation: { ...NO_AUGMENTATION, variants: 4 },
  earlyStopping: { ...DEFAULT_SETTINGS.earlyStopping, enabled: true, monitor: 'val-loss', patience: 5, restoreBest: true },
  audio: DEFAULT_AUDIO,
};
