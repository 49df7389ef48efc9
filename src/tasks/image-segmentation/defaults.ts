/**
 * The settings a segmentation run starts from when the task is chosen. Decoder only (the encoder
 * frozen and cached), so it trains on every backend, WASM included; Adam at 1e-3 (the decoder's
 * convolutions start from random weights, and 1e-2 overshoots them); 128 px, batch 8, 10 epochs,
 * horizontal flips (two cached variants per image); the loss cross-entropy + soft Dice.
 * The measurement behind them is in the README ("Image segmentation").
 */
import { DEFAULT_SETTINGS, NO_AUGMENTATION, type TrainSettings } from '../../engine/types';
import { DEFAULT_SEG_LOSS } from './types';

export const SEG_DEFAULT_SETTINGS: TrainSettings = {
  ...DEFAULT_SETTINGS,
  imageSize: 128,
  batchSize: 8,
  epochs: 10,
  learningRate: 0.001,
  optimizer: 'adam',
  dropout: 0,
  labelSmoothing: 0,
  mode: 'head-only',
  trainableLayers: [],
  resize: 'stretch',
  headLayer: 'output',
  augmentation: { ...NO_AUGMENTATION, flip: true, variants: 2 },
  earlyStopping: { ...DEFAULT_SETTINGS.earlyStopping, monitor: 'val-iou' },
  segmentation: DEFAULT_SEG_LOSS,
};
