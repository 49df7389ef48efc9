import type { BackendName } from '../engine/types';

export interface BaselineRequest {
  kind?: 'classification';
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
 * The segmentation baseline: `composeSegmenter` on the same backbone at the same size, the same
 * layers frozen (`applySegFreezing`), Adam at the same learning rate, the studio's loss (pixel
 * cross-entropy + soft Dice) written as a plain tfjs loss function, trained with `model.fit` on the
 * same pixels and one-hot masks with the same batch size and epochs.
 */
export interface SegBaselineRequest {
  kind: 'segmentation';
  backend: BackendName;
  wasmPath: string;
  modelUrl: string;
  /** The images (PNG blobs) and their class maps at imageSize × imageSize. */
  pairs: { blob: Blob; mask: Uint8Array }[];
  numClasses: number;
  imageSize: number;
  /** The model's input range (the studio scales [0, 1] pixels to it). */
  inputRange: [number, number];
  batchSize: number;
  epochs: number;
  /** Encoder layers that train; the decoder always trains. */
  trainable: string[];
  learningRate: number;
  /** Weight of soft Dice beside the cross-entropy (the studio's default is 1). */
  diceWeight: number;
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
