/**
 * The one contract between the UI thread and the training worker.
 * Commands are request/response calls (each carries an `id`, answered by a `result` or `error` event);
 * progress is a stream of events. The UI imports this file as types only.
 */
import type { SerializedError } from '../lib/errors';
import type { BackendName, BatchMetrics, EpochMetrics, EvalResult, ModelSummary, TrainResult, TrainSettings } from '../engine/types';
import type { Checkpoint } from '../engine/checkpoint';
import type { TextTrainEvent, TextTrainResult, TextTrainSettings, TextTrainingData } from '../text/types';
import type { TextBaseSummary } from './text-session';
import type { TextResume } from '../text/finetune';
import type { ImageRunRecord, RunRecord, RunStart, TextRunRecord } from '../engine/run-record';

/** An image sent to the worker: the compressed original, decoded there per batch or once for the cache. */
export interface WorkerImage {
  id: string;
  label: number;
  blob: Blob;
  /** The file's SHA-256 (hex): its content key in the run record's data manifest (the id when absent). */
  hash?: string;
}

/** tfjs: model.json + weights.bin + metadata.json; onnx: model.onnx; teachable: a Teachable Machine image package. */
export type ExportFormat = 'tfjs' | 'onnx' | 'teachable';

export interface ExportedFile {
  name: string;
  data: ArrayBuffer;
}

export type Command =
  | { kind: 'init'; backend: BackendName | null; wasmPath: string }
  /**
   * A model.json by URL. `keep`: store it in the browser cache (hosted catalog models); `inputRange`
   * and `name` default to the catalog entry's. Reports `download` events while the weights arrive.
   */
  | { kind: 'loadModel'; modelId: string; url: string; name?: string; inputRange?: [number, number]; keep?: boolean }
  /** A model.json and its weight files given by the user (`names[i]` is the name of `files[i]`). */
  | {
      kind: 'loadModelFiles';
      modelId: string;
      name: string;
      files: Blob[];
      names: string[];
      inputRange?: [number, number];
      headLabels?: string[];
      teachable?: boolean;
    }
  /**
   * `resume`: continue an interrupted run from its last checkpoint (`history`: the epochs it completed;
   * `record`: its run record, which the resumed run continues). `run`: the new run's id and model origin.
   */
  | {
      kind: 'train';
      settings: TrainSettings;
      labels: string[];
      train: WorkerImage[];
      val: WorkerImage[];
      run?: RunStart;
      resume?: { checkpoint: Checkpoint; history: EpochMetrics[]; record?: ImageRunRecord | null };
    }
  | { kind: 'stop' }
  /** Test hook: really loses the GPU device or WebGL context of the running backend. */
  | { kind: 'loseDevice' }
  | { kind: 'evaluate'; images: WorkerImage[] }
  | { kind: 'predict'; blob: Blob }
  /** Grad-CAM heat-map of one image for `classIndex` (default: the predicted class). */
  | { kind: 'explain'; blob: Blob; classIndex?: number }
  /** The last run's model; metadata.json and the model card come from its run record. `name`: the project's, for the card. */
  | { kind: 'export'; format?: ExportFormat; name: string }
  /** Augmented variants of one image as PNG blobs, for the preview grid (seeded). */
  | { kind: 'augmentPreview'; blob: Blob; settings: TrainSettings; count: number }
  /** Text: the pre-trained language model from the folder URL of its model.json. */
  | { kind: 'textLoad'; url: string; name: string }
  /** Text: fine-tunes a fresh copy of it (`labels` for classification); progress as `text` events. `stop` ends it. */
  | {
      kind: 'textTrain';
      settings: TextTrainSettings;
      labels: string[];
      data: TextTrainingData;
      run?: RunStart & { validationSplit: number };
      /** Continue an interrupted run from its last checkpoint (its epochs, first evaluation and record come with it). */
      resume?: TextResume & { record?: TextRunRecord | null };
      /** Send a `checkpoint` event after each completed epoch. */
      checkpoints?: boolean;
    }
  | { kind: 'textGenerate'; prompt: string; maxTokens: number; temperature: number; topK: number; seed: number }
  /** Text: class probabilities of each text, from the fine-tuned classifier. */
  | { kind: 'textClassify'; texts: string[] }
  /** Text: the fine-tuned model's files; metadata.json and the model card come from its run record. */
  | { kind: 'textExport' };

export interface CommandResults {
  init: { backend: BackendName };
  loadModel: ModelSummary;
  loadModelFiles: ModelSummary;
  train: TrainResult;
  stop: { ok: true };
  loseDevice: { ok: boolean };
  evaluate: EvalResult;
  predict: { probabilities: number[] };
  /** `heatmap`: height×width values in [0, 1], row-major; `method` 'saliency' when the model has no 4-D feature map. */
  explain: {
    heatmap: number[];
    width: number;
    height: number;
    classIndex: number;
    probabilities: number[];
    method: 'grad-cam' | 'saliency';
  };
  export: { files: ExportedFile[] };
  augmentPreview: { images: Blob[] };
  textLoad: TextBaseSummary;
  textTrain: TextTrainResult & { record: TextRunRecord };
  textGenerate: { text: string };
  textClassify: { probabilities: number[][] };
  textExport: { files: ExportedFile[] };
}

export type CommandKind = Command['kind'];

export interface Request {
  id: number;
  command: Command;
}

export type WorkerEvent =
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'phase'; phase: 'decoding' | 'caching' | 'training' | 'evaluating'; done: number; total: number }
  | { type: 'batches'; items: BatchMetrics[] }
  | { type: 'epoch'; metrics: EpochMetrics }
  /** The run's weights after each completed epoch (its buffer is transferred). */
  | { type: 'checkpoint'; checkpoint: Checkpoint }
  | { type: 'log'; message: string }
  /** The run's record (src/engine/run-record.ts): when it starts, after each epoch and when it ends. */
  | { type: 'run'; record: RunRecord }
  /** Progress of a text run. */
  | { type: 'text'; event: TextTrainEvent }
  /** The GPU device or WebGL context under the backend is gone; the worker can do no more work on it. */
  | { type: 'device-lost'; backend: BackendName; reason: string }
  /** Bytes of a model's weights downloaded so far. */
  | { type: 'download'; modelId: string; loaded: number; total: number };
