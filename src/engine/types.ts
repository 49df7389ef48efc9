/** Plain types of the training engine: settings, progress events, results. No tfjs here. */
import type { AudioSettings } from '../tasks/audio-classification/types';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
const BACKEND_LABELS: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };

/** The name people know a backend by. */
export function backendLabel(name: BackendName): string {
  return BACKEND_LABELS[name];
}

export type OptimizerName = 'adam' | 'adamw' | 'sgd' | 'rmsprop';
export type ScheduleKind = 'constant' | 'step' | 'cosine' | 'warmup-cosine';
/** 'val-iou' (segmentation): the mean IoU over the foreground classes. */
export type MonitoredMetric = 'val-loss' | 'val-accuracy' | 'val-iou';
export type TrainMode = 'head-only' | 'fine-tune';
export type ResizeMode = 'stretch' | 'center-crop';

export interface TrainSettings {
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerName;
  /** Fraction of each class held out for validation (0..0.9). */
  validationSplit: number;
  /** Dropout before the new dense head. */
  dropout: number;
  mode: TrainMode;
  /** With mode 'fine-tune': layers of the pre-trained model that train (names as in model.json). */
  trainableLayers: string[];
  /** Square input side given to the model. */
  imageSize: number;
  resize: ResizeMode;
  /** Weight decay: decoupled for AdamW, an L2 penalty for the others. 0 = off. */
  weightDecay: number;
  /** Label smoothing for the cross-entropy loss (0..0.5). */
  labelSmoothing: number;
  schedule: ScheduleSettings;
  earlyStopping: EarlyStoppingSettings;
  /** Unfreeze one more block of the trainable set, from the top, every `everyEpochs` epochs. */
  gradualUnfreezing: { enabled: boolean; everyEpochs: number };
  /** The backbone's learning rate is the head's times this (0..1]. */
  backboneLrMultiplier: number;
  augmentation: AugmentationSettings;
  /** Cache the frozen prefix's outputs (per augmentation variant). Off: recompute every batch. */
  useCache: boolean;
  /**
   * The layer the new head reads: `'output'` (the pre-trained model's own output), a layer name (the
   * blocks after it are left out), or `'auto'`, chosen from the training images when a run starts
   * (engine/head-layer.ts). A run's record holds the layer it used, never `'auto'`.
   */
  headLayer: string;
  /** Segmentation's loss (absent for other tasks: the defaults of src/tasks/image-segmentation/types.ts). */
  segmentation?: { diceWeight: number; classWeights: 'none' | 'balanced' };
  /** Audio's front end and sound augmentation (absent for other tasks; src/tasks/audio-classification/types.ts). */
  audio?: AudioSettings;
}

export interface ScheduleSettings {
  kind: ScheduleKind;
  /** 'step': multiply by `stepFactor` every `stepEpochs` epochs. */
  stepEpochs: number;
  stepFactor: number;
  /** 'warmup-cosine': linear warm-up over this many epochs. */
  warmupEpochs: number;
  /** Cosine schedules end at learningRate × this. */
  minFactor: number;
}

export interface EarlyStoppingSettings {
  enabled: boolean;
  monitor: MonitoredMetric;
  patience: number;
  restoreBest: boolean;
}

export interface AugmentationSettings {
  flip: boolean;
  /** Random crop-and-resize keeping at least this fraction of the side (1 = off). */
  cropScale: number;
  /** Random rotation up to ± this many degrees (0 = off). */
  rotationDeg: number;
  /** Random brightness shift up to ± this (0 = off), on [0, 1] pixels. */
  brightness: number;
  /** Random contrast factor in [1 − c, 1 + c] (0 = off). */
  contrast: number;
  /** Augmented variants cached per image when the frozen prefix is cached. */
  variants: number;
}

export const NO_AUGMENTATION: AugmentationSettings = {
  flip: false,
  cropScale: 1,
  rotationDeg: 0,
  brightness: 0,
  contrast: 0,
  variants: 4,
};

export function augmentationOn(a: AugmentationSettings): boolean {
  return a.flip || a.cropScale < 1 || a.rotationDeg > 0 || a.brightness > 0 || a.contrast > 0;
}

export const DEFAULT_SETTINGS: TrainSettings = {
  seed: 42,
  epochs: 20,
  batchSize: 16,
  learningRate: 0.01,
  optimizer: 'adam',
  validationSplit: 0.2,
  dropout: 0.2,
  mode: 'head-only',
  trainableLayers: [],
  imageSize: 224,
  resize: 'stretch',
  weightDecay: 0,
  labelSmoothing: 0,
  schedule: { kind: 'constant', stepEpochs: 5, stepFactor: 0.5, warmupEpochs: 1, minFactor: 0.01 },
  earlyStopping: { enabled: false, monitor: 'val-loss', patience: 3, restoreBest: true },
  gradualUnfreezing: { enabled: false, everyEpochs: 2 },
  backboneLrMultiplier: 0.1,
  augmentation: NO_AUGMENTATION,
  useCache: true,
  headLayer: 'auto',
};

/** One row of the model view's layer table. */
export interface LayerInfo {
  name: string;
  className: string;
  outputShape: (number | null)[];
  /** All weights, batch-norm moving statistics included. */
  params: number;
  /** Weights that train when the layer trains (batch-norm moving statistics never do). */
  trainableParams: number;
  trainable: boolean;
  /** Block the layer belongs to (for MobileNetV2: stem, block_1 … block_16, top). */
  block: string;
  /** Whether it holds weights at all. */
  hasWeights: boolean;
  /** Whether its output alone carries the model forward (no later layer reads an earlier one): a place a decoder may read or a cache may cut. */
  cut?: boolean;
}

/** Said when someone asks a graph model's layers to train (the engine refuses; the UI warns first). */
export const GRAPH_TRAIN_MESSAGE =
  'Graph models cannot be trained; only the new head trains. Choose "Head only" to train the new head on its features.';

export interface ModelSummary {
  id: string;
  name: string;
  inputSize: number;
  inputRange: [number, number];
  layers: LayerInfo[];
  totalParams: number;
  /** 'graph': a TF.js graph model wrapped as one frozen feature extractor; only the head trains. */
  format?: 'layers' | 'graph';
  /** Sentences about how the model was adapted (a removed classifier, a frozen graph). */
  notes?: string[];
}

export interface BatchMetrics {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
  /** Global step counter (batches seen so far in this run). */
  step: number;
}

export interface EpochMetrics {
  epoch: number;
  /** Learning rate of the head at the end of the epoch. */
  learningRate: number;
  /** Trainable parameters during this epoch (changes with gradual unfreezing). */
  trainableParams: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  /** Segmentation: the validation mean IoU over the foreground classes (absent for other tasks). */
  valIou?: number | null;
  ms: number;
  /** Live tensors after the epoch (flat across epochs when nothing leaks). */
  numTensors: number;
}

export interface TrainResult {
  epochsCompleted: number;
  stopped: boolean;
  /** Why training ended early, in words, when it did (early stopping). */
  stoppedEarly: string | null;
  /** Epoch whose weights the model holds (after restoring the best), 1-based. */
  bestEpoch: number | null;
  history: EpochMetrics[];
  trainableParams: number;
}

export interface EvalResult {
  accuracy: number;
  loss: number;
  /** confusion[actual][predicted] counts. */
  confusion: number[][];
  labels: string[];
  /** Per validation example: predicted class and its probability. */
  predictions: { id: string; actual: number; predicted: number; confidence: number }[];
}
