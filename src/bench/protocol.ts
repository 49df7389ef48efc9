import type { BackendName } from '../engine/types';

export interface BaselineRequest {
  backend: BackendName;
  wasmPath: string;
  modelUrl: string;
  images: { blob: Blob; label: number }[];
  numClasses: number;
  imageSize: number;
  batchSize: number;
  epochs: number;
  trainable: string[];
  learningRate: number;
  seed: number;
}

/**
 * `done` carries the baseline's time to a trained model, measured in its worker the way the studio's
 * train command is measured: from right after the model is loaded (the studio's `load` call)
 * through resizing, composing, decoding and the pixel tensors (`prepareMs`) to the end of the last epoch.
 */
export type BaselineEvent =
  | { type: 'epoch'; epoch: number; ms: number; numTensors: number }
  | { type: 'done'; prepareMs: number; totalMs: number }
  | { type: 'error'; message: string };
