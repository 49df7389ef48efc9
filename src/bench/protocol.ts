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

export type BaselineEvent =
  { type: 'epoch'; epoch: number; ms: number; numTensors: number } | { type: 'done' } | { type: 'error'; message: string };
