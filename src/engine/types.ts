/** Plain types of the training engine: settings, progress events, results. No tfjs here. */

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export type OptimizerName = 'adam' | 'sgd' | 'rmsprop';
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
}

export const DEFAULT_SETTINGS: TrainSettings = {
  seed: 42,
  epochs: 10,
  batchSize: 16,
  learningRate: 0.003,
  optimizer: 'adam',
  validationSplit: 0.2,
  dropout: 0.2,
  mode: 'head-only',
  trainableLayers: [],
  imageSize: 224,
  resize: 'stretch',
};

/** One row of the model view's layer table. */
export interface LayerInfo {
  name: string;
  className: string;
  outputShape: (number | null)[];
  params: number;
  trainable: boolean;
  /** Block the layer belongs to (for MobileNetV2: stem, block_1 … block_16, top). */
  block: string;
  /** Whether it holds weights at all. */
  hasWeights: boolean;
}

export interface ModelSummary {
  id: string;
  name: string;
  inputSize: number;
  inputRange: [number, number];
  layers: LayerInfo[];
  totalParams: number;
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
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  ms: number;
}

export interface TrainResult {
  epochsCompleted: number;
  stopped: boolean;
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
