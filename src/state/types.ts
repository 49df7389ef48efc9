/** The studio store's shape: one store built from typed slices. */
import type { LrPoint } from '../engine/lr-finder';
import type { TextDocument, TextExample, TextExamples, TextTable } from '../data/text';
import type { DatasetImage, DatasetSplit, DatasetWarning, SkippedFile } from '../data/types';
import type { BackendName, EpochMetrics, EvalResult, ModelSummary, TrainResult, TrainSettings, TrainMode } from '../engine/types';
import type { FreezePreset } from '../models/freeze';
import type { ImageRunRecord, SegRunRecord, TextRunRecord } from '../engine/run-record';
import type { ColourClass, SegSummary } from '../data/segmentation';
import type { SegDrop, SegPairItem } from '../data/seg-ingest';
import type { SegEvalResult, SegPrediction } from '../tasks/image-segmentation/types';
import type { AudioEvalResult, AudioPrediction } from '../tasks/audio-classification/types';
import type { LoraTarget, Pooling, TextEpochMetrics, TextOptimizerName, TextScheduleKind, TextTask, TextTrainResult } from '../text/types';
import type { TextBaseSummary } from '../worker/text-session';
import type { NumericField } from './validation';
import type { RunRecord as StoredRun } from '../storage/projects';
import type { SettingKey, SortOrder } from './runRows';
import type { SweepSpace, TrialParams, TrialState } from '../engine/sweep';

export type TrainStatus = 'idle' | 'loading' | 'running' | 'paused' | 'stopping' | 'done' | 'error';
export type PhaseName = 'decoding' | 'probing' | 'caching' | 'training' | 'evaluating';

export interface DatasetSlice {
  images: DatasetImage[];
  skipped: SkippedFile[];
  emptyClasses: string[];
  largeImages: string[];
  warnings: DatasetWarning[];
  split: DatasetSplit;
  ingesting: boolean;
  ingestError: string | null;
  looseClass: string;
  projectName: string;
  /** Set when an ingest or dataset action changes images; resets when the dataset is cleared. */
  addDataset(result: { images: DatasetImage[]; skipped: SkippedFile[]; emptyClasses: string[]; largeImages: string[] }): void;
  setIngesting(busy: boolean): void;
  setIngestError(message: string | null): void;
  setLooseClass(name: string): void;
  setProjectName(name: string): void;
  renameClass(from: string, to: string): string | null;
  deleteClass(name: string): void;
  deleteImages(ids: string[]): void;
  moveImages(ids: string[], to: string): void;
  clearDataset(): void;
  /** Recomputes split and warnings (after images, seed or validation split change). */
  refreshDerived(): void;
}

export type ModelLoadState = 'idle' | 'loading' | 'loaded' | 'error';

export interface DownloadProgress {
  modelId: string;
  loaded: number;
  total: number;
}

export interface ModelSlice {
  modelId: string;
  summary: ModelSummary | null;
  modelState: ModelLoadState;
  modelError: string | null;
  /** The model being switched to (a catalog card, files or a URL) while the current one stays loaded. */
  pendingModelId: string | null;
  /** Weights downloaded so far for the model being loaded. */
  download: DownloadProgress | null;
  /** Why the last switch or import failed (the previous model stayed loaded). */
  importError: string | null;
  /** Hosted catalog models already in browser storage. */
  cachedModels: string[];
  setModelSwitch(patch: Partial<Pick<ModelSlice, 'pendingModelId' | 'download' | 'importError'>>): void;
  setCachedModels(ids: string[]): void;
  /** Backbone layers that train (checked boxes), in model order. */
  trainable: string[];
  selectModel(id: string): void;
  setModelLoading(): void;
  setModelLoaded(summary: ModelSummary): void;
  setModelError(message: string): void;
  setTrainable(names: Iterable<string>): void;
  toggleLayer(name: string, on: boolean): void;
  toggleBlock(block: string, on: boolean): void;
  /** A freezing preset; `'top-blocks'` alone means the top two blocks. */
  applyPreset(preset: FreezePreset | FreezePreset['kind']): void;
}

export type SettingsGroup = 'schedule' | 'earlyStopping' | 'gradualUnfreezing' | 'augmentation';

export interface SettingsSlice {
  settings: TrainSettings;
  /** True while the user has not picked an input size: it follows the dataset's image sizes. */
  imageSizeAuto: boolean;
  fieldErrors: Partial<Record<NumericField, string>>;
  updateSettings(patch: Partial<TrainSettings>): void;
  updateGroup<G extends SettingsGroup>(group: G, patch: Partial<TrainSettings[G]>): void;
  setImageSize(size: number | 'auto'): void;
  setFieldError(field: NumericField, message: string | null): void;
  setMode(mode: TrainMode): void;
}

export interface PhaseProgress {
  phase: PhaseName;
  done: number;
  total: number;
}

export interface TrainingSlice {
  status: TrainStatus;
  requestedBackend: BackendName | null;
  backend: BackendName | null;
  backendError: string | null;
  phase: PhaseProgress | null;
  history: EpochMetrics[];
  initialValLoss: number | null;
  runStartedAt: number | null;
  trainingStartedAt: number | null;
  result: TrainResult | null;
  trainError: string | null;
  lastLog: string | null;
  /** Labels of the last run, in output order. */
  runLabels: string[];
  /** The id of the last run (its record's and its stored run's). */
  runId: string | null;
  /** The last run's record, as the worker wrote it: what export, evaluation and resume describe (an image task's: classification or segmentation). */
  runRecord: ImageRunRecord | SegRunRecord | null;
  setBackend(backend: BackendName | null, error: string | null): void;
  beginRun(labels: string[], runId: string): void;
  setStatus(status: TrainStatus): void;
  finishRun(result: TrainResult): void;
  failRun(message: string): void;
  resetRun(): void;
}

export type EvalState = 'idle' | 'running' | 'done' | 'error';

export interface Prediction {
  name: string;
  probabilities: number[];
  labels: string[];
}

export interface EvaluationSlice {
  evaluation: EvalResult | null;
  evalState: EvalState;
  evalError: string | null;
  exporting: boolean;
  exportError: string | null;
  /** A training job for PyTorch being made (`export.job`), and why the last one failed. */
  exportingJob: boolean;
  jobError: string | null;
  prediction: Prediction | null;
  predicting: boolean;
  predictError: string | null;
  setEvaluation(patch: Partial<Pick<EvaluationSlice, 'evaluation' | 'evalState' | 'evalError'>>): void;
  setExport(patch: Partial<Pick<EvaluationSlice, 'exporting' | 'exportError' | 'exportingJob' | 'jobError'>>): void;
  setPrediction(patch: Partial<Pick<EvaluationSlice, 'prediction' | 'predicting' | 'predictError'>>): void;
}

// ---------------------------------------------------------------- text tasks

/** The tasks that share the image slices (the pre-trained image model, freezing, settings, the run): audio reads spectrograms as images. */
export type ImageTask = 'image-classification' | 'image-segmentation' | 'audio-classification';
export type Task = ImageTask | TextTask;

export interface TextSettings {
  learningRate: number;
  batchSize: number;
  epochs: number;
  validationSplit: number;
  optimizer: TextOptimizerName;
  weightDecay: number;
  dropout: number;
  schedule: TextScheduleKind;
  earlyStopping: boolean;
  patience: number;
  pooling: Pooling;
  /** Generation: the prompt of the sample written after each epoch. */
  samplePrompt: string;
  temperature: number;
  topK: number;
  /** Nucleus sampling: 1 = off. */
  topP: number;
  maxTokens: number;
  /** Train low-rank adapters (LoRA) on the frozen transformer; the default for imported models. */
  lora: boolean;
  loraRank: number;
  loraAlpha: number;
  loraDropout: number;
  loraTargets: LoraTarget[];
  /** Training context in tokens; null = the model's whole context. */
  contextLength: number | null;
}

/** One text batch's loss, as the chart reads it from the text metrics buffer (not from the store). */
export interface TextBatchPoint {
  /** Global step (batches seen so far in this run). */
  step: number;
  /** Batches per epoch. */
  batches: number;
  loss: number;
}

/**
 * The text tasks' state: the task picker's choice, the text dataset, the language model and its
 * trainable groups, the settings, and the last text run with its results. It lives under `text` in
 * the store, so its `status`, `settings`, `history` and `trainable` never mix with the image fields.
 */
export interface TextState {
  task: Task;
  // data
  corpus: TextDocument[];
  table: TextTable | null;
  textColumn: string | null;
  labelColumn: string | null;
  examples: TextExamples | null;
  dataBusy: boolean;
  dataError: string | null;
  // model
  base: TextBaseSummary | null;
  baseState: 'idle' | 'loading' | 'loaded' | 'error';
  baseError: string | null;
  /** Why the last model import failed (the model loaded before stays). */
  importError: string | null;
  trainable: string[];
  // settings
  settings: TextSettings;
  seed: number;
  // run (its per-batch losses are in textBatchMetrics)
  status: TrainStatus;
  runError: string | null;
  runTask: TextTask | null;
  runLabels: string[];
  valExamples: TextExample[];
  initial: TextEpochMetrics | null;
  history: TextEpochMetrics[];
  batchesPerEpoch: number;
  result: TextTrainResult | null;
  /** The run's record, as the worker wrote it: what the export describes. */
  record: TextRunRecord | null;
  /** The run `train.resume` continues (interrupted by a reload), and the epochs its checkpoint holds. */
  resumeRunId: string | null;
  resumeEpoch: number | null;
  // try it
  generated: string | null;
  generating: boolean;
  tryError: string | null;
  classified: { text: string; probabilities: number[] } | null;
  exportError: string | null;
}

export interface TextSlice {
  text: TextState;
  setText(patch: Partial<TextState>): void;
  /** Clears the last text run (and its batch buffer), then applies `patch`. */
  resetTextRun(patch?: Partial<TextState>): void;
}

// ---------------------------------------------------------------- segmentation

/**
 * The segmentation task's data and results (its model, settings and run share the image slices: the
 * pre-trained backbone, the layer table's freezing, the settings, the run's status and curves).
 */
export interface SegState {
  /** Every drop read so far (their pairs together make the dataset); kept to read the masks again when the colour map changes. */
  drops: SegDrop[];
  pairs: SegPairItem[];
  classNames: string[];
  classSource: 'classes.txt' | 'inferred';
  /** Pixel counts and shares per class, and every issue (missing partners, unreadable files, resized masks, values beyond the classes…). */
  summary: SegSummary | null;
  /** The colour map of RGB masks (null when no mask is a colour mask); the person may edit it. */
  colourMap: ColourClass[] | null;
  busy: boolean;
  /** Why the last drop could not be used, in a sentence (the pairs loaded before stay). */
  error: string | null;
  evaluation: SegEvalResult | null;
  evalState: EvalState;
  evalError: string | null;
  /** Try-it: the picked image and the model's answer. */
  prediction: { name: string; image: Blob; result: SegPrediction } | null;
  predicting: boolean;
  predictError: string | null;
  exporting: boolean;
  exportError: string | null;
  /** How opaque the class overlays are (0..1), in the gallery and try-it. */
  opacity: number;
  /** Which image task the image settings on screen belong to, and the other one's, parked while it is not chosen. */
  settingsTask: ImageTask;
  /** The image settings of the image tasks not on screen, by task. */
  parked: Partial<Record<ImageTask, ParkedImageSettings>>;
}

export interface SegSlice {
  seg: SegState;
  setSeg(patch: Partial<SegState>): void;
}

/** The image settings of the image task not on screen (classification's while segmentation is chosen, and back). */
export interface ParkedImageSettings {
  task: ImageTask;
  settings: TrainSettings;
  trainable: string[];
  imageSizeAuto: boolean;
}

// ---------------------------------------------------------------- audio

/** One clip of the audio dataset: its file (to listen to) and its decoded samples. */
export interface AudioClipItem {
  /** Unique in the dataset: the path it came with (`class/…/file.wav`), or `recording/<class>/<n>` for a recording. */
  id: string;
  /** The file's own name (no folders). */
  name: string;
  /** The path as given (folders included): the speaker key reads it. */
  path: string;
  label: string;
  /** The original file (compressed as it came), for listening. */
  file: Blob;
  /** Mono samples in [-1, 1] at `sampleRate`: the first `maxSeconds` of the clip (the front end reads no more). */
  samples: Float32Array;
  sampleRate: number;
  /** The whole clip's length in seconds (longer than the samples when it was cut). */
  seconds: number;
  /** SHA-256 of the file (hex). */
  hash: string;
  /** Peak and RMS of the samples (silence shows as a peak near 0). */
  peak: number;
  rms: number;
}

/**
 * How a clip's speaker or session is found, so that one voice never lands on both sides of the split:
 * `folder` takes the first sub-folder under the class folder; `pattern` the first capture group of a
 * regular expression over the file name (the whole match when it has no group); `none`: every clip
 * is its own group (the split cannot keep voices apart, and the data step says so).
 */
export type AudioGroupKey = { kind: 'none' } | { kind: 'folder' } | { kind: 'pattern'; pattern: string };

/**
 * The audio task's data and results (its model, settings and run share the image slices, as
 * segmentation's do; its front end and augmentation are `settings.audio`).
 */
export interface AudioState {
  clips: AudioClipItem[];
  /** Class names in output order (sorted, as image class folders are). */
  classNames: string[];
  groupKey: AudioGroupKey;
  /** Listed warnings about the data (a cut clip, silence, a class with one clip, a corrupt file skipped…), each naming its file. */
  warnings: string[];
  /** Where the clips came from, in sentences a run records for its model card (the built-in sample's generator and licence). */
  sources: string[];
  busy: boolean;
  /** Why the last drop could not be used, in a sentence (the clips loaded before stay). */
  error: string | null;
  evaluation: AudioEvalResult | null;
  evalState: EvalState;
  evalError: string | null;
  /** Try-it: the clip (a file or a recording) and the model's answer. */
  prediction: { name: string; clip: Blob; result: AudioPrediction } | null;
  predicting: boolean;
  predictError: string | null;
  exporting: boolean;
  exportError: string | null;
}

export interface AudioSlice {
  audio: AudioState;
  setAudio(patch: Partial<AudioState>): void;
}

// ---------------------------------------------------------------- projects

export interface ProjectSummary {
  id: string;
  name: string;
  updatedAt: number;
}

export interface ProjectsState {
  /** False until the last project has been restored (or storage turned out to be unavailable). */
  ready: boolean;
  available: boolean;
  projects: ProjectSummary[];
  currentId: string | null;
  usage: number | null;
  quota: number | null;
  /** The interrupted run that `train.resume` continues. */
  resumeRunId: string | null;
  /** Epochs the resumable run completed (its checkpoint's epoch). */
  resumeEpoch: number | null;
  /** Plain words about a worker that died mid-run. */
  crashNotice: string | null;
  /** After a lost GPU device or WebGL context: the backends the person may continue the run on. */
  recoverBackends: BackendName[] | null;
}

/** The saved projects and the interrupted run (persistence.ts writes it); its fields sit at the top level. */
export type ProjectSlice = ProjectsState;

/** The learning-rate range test's view: its curve as it grows, and its suggestion (src/engine/lr-finder.ts). */
export interface LrFinderView {
  state: 'idle' | 'running' | 'done' | 'error';
  /** The task it ran for (the view shows nothing on another task's page). */
  task: string | null;
  points: LrPoint[];
  /** Steps planned (the test may end sooner, when the loss diverges). */
  steps: number;
  suggestion: number | null;
  minimumAt: number | null;
  rule: string | null;
  error: string | null;
  /** The learning rate that was set when the suggestion was applied (to undo it), if it was. */
  appliedOver: number | null;
}

export interface LrFinderSlice {
  lrFinder: LrFinderView;
  setLrFinder(patch: Partial<LrFinderView>): void;
}

// ---------------------------------------------------------------- runs

/** The runs view: the current project's stored runs and how the person looks at them. */
export interface RunsState {
  /** Every run of the current project, image and text, as stored (oldest first). */
  list: StoredRun[];
  loaded: boolean;
  /** A plain sentence about what failed (loading, a restore, a delete); nothing loaded is lost. */
  error: string | null;
  /** The run whose model is being made current. */
  restoring: string | null;
  /** Runs whose curves are overlaid. */
  chosen: string[];
  differOnly: boolean;
  sort: SortOrder;
  series: 'valLoss' | 'valMetric';
  scatterX: SettingKey;
}

export interface RunsSlice {
  runs: RunsState;
  setRuns(patch: Partial<RunsState>): void;
}

// ---------------------------------------------------------------- sweeps

/** One trial of a sweep as the sweep view shows it. */
export interface SweepTrialView {
  /** 1-based. */
  trial: number;
  params: TrialParams;
  state: TrialState;
  /** Validation accuracy after each rung it completed. */
  metrics: (number | null)[];
  /** Its stored run (null until it starts). */
  runId: string | null;
  /** Epochs it has trained. */
  epochs: number;
}

/** The sweep view (src/state/sweep.ts runs it): the space, the budget, the trials and how it went. */
/** A sweep's trials are judged by validation accuracy (classification) or validation loss (generation). */
export type SweepMetric = 'accuracy' | 'loss';

export interface SweepView {
  state: 'idle' | 'running' | 'done' | 'error';
  /** The task whose runs the sweep trains (absent in sweeps stored before text sweeps: image classification). */
  task?: Task;
  /** What its trials are judged by (absent: accuracy). */
  metric?: SweepMetric;
  space: SweepSpace;
  /** Trials to run, as typed (NaN when not a number). */
  trials: number;
  /** Optional time budget in minutes (null: none). */
  minutes: number | null;
  id: string | null;
  rungs: number[];
  list: SweepTrialView[];
  stopping: boolean;
  /** A plain sentence about how it ended (stopped by the person, out of time), or why it failed. */
  note: string | null;
  error: string | null;
}

export interface SweepSlice {
  sweep: SweepView;
  setSweep(patch: Partial<SweepView>): void;
}

export type StudioState = SegSlice &
  AudioSlice &
  DatasetSlice &
  ModelSlice &
  SettingsSlice &
  TrainingSlice &
  EvaluationSlice &
  TextSlice &
  ProjectSlice &
  LrFinderSlice &
  RunsSlice &
  SweepSlice;
