/**
 * The one contract between the UI thread and the training worker.
 *
 * Task commands are the verbs — `load`, `train`, `evaluate`, `infer`, `export`, `findLr`, `jobStart` — each carrying
 * its task id; a task answers the verbs it has (`TaskVerbs`), through its session in the worker's
 * registry (./sessions.ts). Four tool commands are not about a task: `init`, `stop`, `loseDevice`,
 * `augmentPreview`. Every command carries an `id` and is answered by a `result` or `error` event;
 * progress is a stream of events. The UI imports this file as types only.
 */
import type { SerializedError } from '../lib/errors';
import type { BackendName, BatchMetrics, EpochMetrics, EvalResult, ModelSummary, TrainResult, TrainSettings } from '../engine/types';
import type { Checkpoint } from '../engine/checkpoint';
import type { JobStart } from '../engine/engine';
import type { LrFinderOptions, LrFinderResult, LrPoint } from '../engine/lr-finder';
import type { TextTrainEvent, TextTrainSettings, TextTrainingData } from '../text/types';
import type { TextResume } from '../text/finetune';
import type { TextJobStart } from '../text/job';
import type { GenerateRequest, TextBaseSummary, TextRunResult } from './text-session';
import type { HfInputFile } from '../models/hf/import';
import type { ImageRunRecord, RunRecord, RunStart, SegRunRecord, TextRunRecord } from '../engine/run-record';
import type { SegEvalResult, SegPrediction, WorkerSegPair } from '../tasks/image-segmentation/types';
import type { AudioEvalResult, AudioPrediction, WorkerClip } from '../tasks/audio-classification/types';

export type TaskId = 'image-classification' | 'image-segmentation' | 'audio-classification' | 'text-generation' | 'text-classification';
export const TASK_IDS: readonly TaskId[] = [
  'image-classification',
  'image-segmentation',
  'audio-classification',
  'text-generation',
  'text-classification',
];

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

export interface Exported {
  files: ExportedFile[];
}

/** Grad-CAM heat-map: height×width values in [0, 1], row-major; `method` 'saliency' when the model has no 4-D feature map. */
export interface Explanation {
  heatmap: number[];
  width: number;
  height: number;
  classIndex: number;
  method: 'grad-cam' | 'saliency';
}

/** A pre-trained image model: a model.json by URL, or files the person gave. */
export type ImageModelSource =
  /**
   * `keep`: store it in the browser cache (hosted catalog models); `inputRange` and `name` default
   * to the catalog entry's. Reports `download` events while the weights arrive.
   */
  | { source: 'url'; modelId: string; url: string; name?: string; inputRange?: [number, number]; keep?: boolean }
  /** `names[i]` is the name of `files[i]`. */
  | {
      source: 'files';
      modelId: string;
      name: string;
      files: Blob[];
      names: string[];
      inputRange?: [number, number];
      headLabels?: string[];
      teachable?: boolean;
    };

/** A text run: `resume` continues an interrupted one from its last checkpoint (its epochs, first evaluation and record). */
export interface TextTrainPayload {
  settings: TextTrainSettings;
  labels: string[];
  data: TextTrainingData;
  run?: RunStart & { validationSplit: number };
  resume?: TextResume & { record?: TextRunRecord | null };
  /** Send a `checkpoint` event after each completed epoch, and one of the weights the model ends with. */
  checkpoints?: boolean;
  /**
   * Makes a finished run's model current, training nothing: its record and stored checkpoint (the runs
   * view). A classifier is evaluated on `data.validation` when that is the run's own validation split.
   */
  restore?: { record: TextRunRecord; checkpoint: Checkpoint };
}

interface TextVerbs {
  /**
   * The pre-trained language model: the bundled one from the folder URL of its model.json, or a
   * Hugging Face model folder's files (config.json, tokenizer.json, model.safetensors or shards).
   */
  load: { payload: { url: string; name: string } | { files: HfInputFile[] }; result: TextBaseSummary };
  /** Fine-tunes a fresh copy of it; progress as `text` events; `stop` ends it. */
  train: { payload: TextTrainPayload; result: TextRunResult };
  /** The learning-rate range test on a fresh copy of the model (src/engine/lr-finder.ts); each step as an `lr-point` event; `stop` ends it. */
  findLr: { payload: { settings: TextTrainSettings; labels: string[]; data: TextTrainingData }; result: LrFinderResult };
  /** The fine-tuned model's files; metadata.json and the model card come from its run record. `hf`: Hugging Face layout (imported models). */
  export: { payload: { format?: 'tfjs' | 'hf' }; result: Exported };
}

/** For each task, the verbs it answers: what each takes and what it returns. */
export interface TaskVerbs {
  'image-classification': {
    load: { payload: ImageModelSource; result: ModelSummary };
    /**
     * `resume`: continue an interrupted run from its last checkpoint (`history`: the epochs it completed;
     * `record`: its run record, which the resumed run continues). `run`: the new run's id and model origin.
     */
    train: {
      payload: {
        settings: TrainSettings;
        labels: string[];
        train: WorkerImage[];
        val: WorkerImage[];
        run?: RunStart;
        resume?: { checkpoint: Checkpoint; history: EpochMetrics[]; record?: ImageRunRecord | null };
        /** Makes a finished run's model current, training nothing: its record and stored checkpoint (the runs view). */
        restore?: { record: ImageRunRecord; checkpoint: Checkpoint };
      };
      result: TrainResult;
    };
    evaluate: { payload: { images: WorkerImage[] }; result: EvalResult };
    /** The learning-rate range test for a run with these settings (src/engine/lr-finder.ts); each step as an `lr-point` event; `stop` ends it. */
    findLr: {
      payload: { settings: TrainSettings; labels: string[]; train: WorkerImage[]; options?: LrFinderOptions };
      result: LrFinderResult;
    };
    /** Class probabilities of one image; with `explain`, its Grad-CAM heat-map for `classIndex` (default: the predicted class). */
    infer: { payload: { blob: Blob; explain?: { classIndex?: number } }; result: { probabilities: number[]; explanation?: Explanation } };
    /** The last run's model; metadata.json and the model card come from its run record. `name`: the project's, for the card. */
    export: { payload: { format?: ExportFormat; name: string }; result: Exported };
    /**
     * The start of a run handed to PyTorch (`export.job`, src/job/README.md): the classifier as `train`
     * would start it on these images (model.json, weights.bin; files transferred), the record such a run
     * would write, and what trains by name. Trains nothing; the last run's model stays as it was.
     */
    jobStart: {
      payload: { settings: TrainSettings; labels: string[]; train: WorkerImage[]; val: WorkerImage[]; run?: RunStart };
      result: JobStart;
    };
  };
  /** Segmentation shares the image task's pre-trained backbone: its `load` is the image task's. */
  'image-segmentation': {
    load: { payload: ImageModelSource; result: ModelSummary };
    /** Builds the U-Net decoder on a copy of the loaded backbone and trains it; `resume` and `restore` as for images. */
    train: {
      payload: {
        settings: TrainSettings;
        /** Class names, background first. */
        labels: string[];
        train: WorkerSegPair[];
        val: WorkerSegPair[];
        run?: RunStart;
        resume?: { checkpoint: Checkpoint; history: EpochMetrics[]; record?: SegRunRecord | null };
        restore?: { record: SegRunRecord; checkpoint: Checkpoint };
      };
      result: TrainResult;
    };
    /** Per-class IoU and Dice, pixel accuracy, the pixel confusion matrix, and each pair's predicted map and score. */
    evaluate: { payload: { pairs: WorkerSegPair[] }; result: SegEvalResult };
    /** Per-pixel class probabilities and the predicted map of one image, at the model's input size. */
    infer: { payload: { blob: Blob }; result: SegPrediction };
    /** The last run's model: `tfjs` (model.json, weights.bin, metadata.json, README.md) or `onnx`. */
    export: { payload: { format?: 'tfjs' | 'onnx'; name: string }; result: Exported };
  };
  /**
   * Audio shares the image task's pre-trained backbone (its `load` is the image task's): clips become
   * log-mel spectrogram windows (./frontend.js, `settings.audio`) that the image engine trains on.
   */
  'audio-classification': {
    load: { payload: ImageModelSource; result: ModelSummary };
    /** Each clip's windows are examples of its class; `resume` and `restore` as for images. */
    train: {
      payload: {
        settings: TrainSettings;
        labels: string[];
        train: WorkerClip[];
        val: WorkerClip[];
        run?: RunStart;
        resume?: { checkpoint: Checkpoint; history: EpochMetrics[]; record?: ImageRunRecord | null };
        restore?: { record: ImageRunRecord; checkpoint: Checkpoint };
      };
      result: TrainResult;
    };
    /** Clip-level metrics (a clip's probabilities are the mean over its windows): accuracy, per-class P/R/F1, macro-F1, UAR. */
    evaluate: { payload: { clips: WorkerClip[] }; result: AudioEvalResult };
    /** One clip's class probabilities (mono samples at their own rate). */
    infer: { payload: { samples: Float32Array; sampleRate: number }; result: AudioPrediction };
    /** The last run's model: `tfjs` (model.json, weights.bin, metadata.json, frontend.js, README.md) or `onnx`. */
    export: { payload: { format?: 'tfjs' | 'onnx'; name: string }; result: Exported };
  };
  'text-generation': TextVerbs & {
    /** Writes from a prompt with the fine-tuned model (the pre-trained one before a run, or with `pretrained`); the text streams as `generated` events. */
    infer: { payload: GenerateRequest; result: { text: string } };
    /**
     * The start of a run handed to PyTorch (`export.job`, src/job/README.md): the model as `train` would
     * start it (the text export's files), the tokens of the text, the record such a run would write and
     * what trains by name (src/text/job.ts). Trains nothing; the fine-tuned model stays as it was.
     */
    jobStart: {
      payload: { settings: TextTrainSettings; labels: string[]; data: TextTrainingData; run?: RunStart & { validationSplit: number } };
      result: TextJobStart;
    };
  };
  'text-classification': TextVerbs & {
    /** Class probabilities of each text, from the fine-tuned classifier. */
    infer: { payload: { texts: string[] }; result: { probabilities: number[][] } };
  };
}

export type Verb = 'load' | 'train' | 'evaluate' | 'infer' | 'export' | 'findLr' | 'jobStart';
export type VerbOf<T extends TaskId> = keyof TaskVerbs[T] & Verb;
type VerbEntry<T extends TaskId, V extends VerbOf<T>> = TaskVerbs[T][V] extends { payload: infer P; result: infer R }
  ? { payload: P; result: R }
  : never;
export type PayloadOf<T extends TaskId, V extends VerbOf<T>> = VerbEntry<T, V>['payload'];
export type TaskResultOf<T extends TaskId, V extends VerbOf<T>> = VerbEntry<T, V>['result'];

export type TaskCommand = {
  [T in TaskId]: { [V in VerbOf<T>]: { kind: V; task: T } & PayloadOf<T, V> }[VerbOf<T>];
}[TaskId];

/** Commands about the worker itself, not a task. */
export interface ToolCommands {
  init: { payload: { backend: BackendName | null; wasmPath: string }; result: { backend: BackendName } };
  /** Ends the running run of any task after its current batch. */
  stop: { payload: object; result: { ok: true } };
  /** Test hook: really loses the GPU device or WebGL context of the running backend. */
  loseDevice: { payload: object; result: { ok: boolean } };
  /** Augmented variants of one image as PNG blobs, for the preview grid (seeded). */
  augmentPreview: { payload: { blob: Blob; settings: TrainSettings; count: number }; result: { images: Blob[] } };
}
export type ToolKind = keyof ToolCommands;
export type ToolCommand = { [K in ToolKind]: { kind: K } & ToolCommands[K]['payload'] }[ToolKind];

export type Command = TaskCommand | ToolCommand;

/** What a command resolves with. */
export type ResultOf<C extends Command> = C extends { task: infer T extends TaskId; kind: infer V }
  ? V extends VerbOf<T>
    ? TaskResultOf<T, V>
    : never
  : C extends { kind: infer K extends ToolKind }
    ? ToolCommands[K]['result']
    : never;

export interface Request {
  id: number;
  command: Command;
}

export type WorkerEvent =
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'phase'; phase: 'decoding' | 'probing' | 'caching' | 'training' | 'evaluating'; done: number; total: number }
  /** Image runs' batch metrics, about ten messages a second. */
  | { type: 'batches'; items: BatchMetrics[] }
  | { type: 'epoch'; metrics: EpochMetrics }
  /** The run's state after each completed epoch, any task (its buffer is transferred). */
  | { type: 'checkpoint'; checkpoint: Checkpoint }
  | { type: 'log'; message: string }
  /** The run's record (src/engine/run-record.ts), any task: when it starts, after each epoch and when it ends. */
  | { type: 'run'; record: RunRecord }
  /** One step of a learning-rate range test, any task. */
  | { type: 'lr-point'; point: LrPoint; step: number; steps: number }
  /** Progress of a text run. */
  | { type: 'text'; event: TextTrainEvent }
  /** The text a generation has written so far (streamed token by token). */
  | { type: 'generated'; text: string }
  /** The GPU device or WebGL context under the backend is gone; the worker can do no more work on it. */
  | { type: 'device-lost'; backend: BackendName; reason: string }
  /** Bytes of a model's weights downloaded so far. */
  | { type: 'download'; modelId: string; loaded: number; total: number };
