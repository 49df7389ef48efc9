/**
 * The record of one run: its resolved configuration, written when training starts by the side that
 * trains (the engine in the worker), and its metrics as they come. Export, the model card, evaluation
 * and resume read this record, never the settings on screen. Plain data and pure functions, no tfjs.
 */
import type { HeadLayerChoice } from './head-layer';
import { sha256, sha256Hex } from '../data/hash';
import type { TextEpochMetrics, TextTask, TextTrainSettings, TextTrainingData } from '../text/types';
import type { BackendName, EpochMetrics, ResizeMode, TrainResult, TrainSettings } from './types';

export type RunTask = 'image-classification' | 'image-segmentation' | 'audio-classification' | TextTask;

export interface SplitManifest {
  /** Examples in the split. */
  count: number;
  /** SHA-256 over the split's sorted `[label, contentKey]` lines: equal exactly when the same contents carry the same labels. */
  digest: string;
}

export interface DataManifest {
  train: SplitManifest;
  val: SplitManifest;
  /** Examples of each class in each split, in label order (empty for text generation). */
  classes: { label: string; train: number; val: number }[];
  /** The fraction held out for validation, as asked. */
  validationSplit: number;
}

/** What a studio export said about itself, when a run continued from it (the next export says it too). */
export interface ContinuedFrom {
  /** The export's `createdAt`, `model`, `labels` and `settings`, as its metadata.json had them (null when absent). */
  createdAt: unknown;
  model: unknown;
  labels: unknown;
  settings: unknown;
  /** Epochs the model trained before this run: the export's own, plus those it continued from. */
  epochs: number;
  /** The export's run id. */
  run: string | null;
  /** Where it trained when that was not the studio (a PyTorch job: metadata.json's `trainedBy`). */
  trainedBy?: unknown;
}

/** Where the model that was fine-tuned came from. */
export interface ModelOrigin {
  id: string;
  name: string;
  licence: string;
  /** 'catalog', 'files' (imported; for text, the studio's text export), 'url', 'bundled' (the text model) or 'hf'. */
  source: string;
  /** When the run continued a studio export: what that export said about itself. */
  continuedFrom?: ContinuedFrom | null;
}

export interface RunEvaluation {
  accuracy: number;
  loss: number;
  examples: number;
  /** Whether it was measured on the run's own validation split (its digest matches the record's). */
  onRunSplit: boolean;
  /** Audio: measured per clip (the mean of its windows); the unweighted average recall and macro-F1 beside accuracy. */
  uar?: number;
  macroF1?: number;
}

interface RunRecordBase<S, M> {
  version: 1;
  id: string;
  task: RunTask;
  /** ISO time the run started. */
  startedAt: string;
  /** The backend the run trained on last, and every backend it used, in order (a resume may change it). */
  backend: BackendName;
  backends: BackendName[];
  seed: number;
  /** Class names in output order (empty for text generation). */
  labels: string[];
  model: ModelOrigin;
  /** Every setting as the trainer used it. */
  settings: S;
  /** The layers (images) or parameter groups (text) that train, in model order. */
  trainable: string[];
  /** Trainable parameters at the widest point of the run. */
  trainableParams: number;
  data: DataManifest;
  metrics: {
    /** Validation loss of the model before its first step. */
    initialValLoss: number | null;
    history: M[];
    epochsCompleted: number;
    /** The epoch whose weights the model holds (after restoring the best), 1-based. */
    bestEpoch: number | null;
    stopped: boolean;
    stoppedEarly: string | null;
    /** ISO time the run ended; null while it runs. */
    finishedAt: string | null;
    evaluation: RunEvaluation | null;
  };
  /** Sentences the trainer said about the run (a halved batch size after running out of memory). */
  notes: string[];
  /** Each time the run continued from a checkpoint: after which epoch, and on which backend. */
  resumes: { afterEpoch: number; backend: BackendName; at: string }[];
}

/** An image classifier's run, or an audio classifier's (spectrogram windows as images: its front end is `settings.audio`). */
export interface ImageRunRecord extends RunRecordBase<TrainSettings, EpochMetrics> {
  task: 'image-classification' | 'audio-classification';
  /** The input the model takes: the side of model.json's input, pixel range and resize mode. */
  input: { imageSize: number; inputRange: [number, number]; resize: ResizeMode };
  /** When the head's layer was left to Auto: what it chose and why (`settings.headLayer` holds the choice). */
  auto?: HeadLayerChoice;
}

export interface TextRunRecord extends RunRecordBase<TextTrainSettings, TextEpochMetrics> {
  task: TextTask;
}

/** A segmentation run: the classifier's input, plus the decoder it built and the loss it trained with. */
export interface SegRunRecord extends RunRecordBase<TrainSettings, EpochMetrics> {
  task: 'image-segmentation';
  /** The input the model takes (its output is per-pixel class probabilities at the same side). */
  input: { imageSize: number; inputRange: [number, number]; resize: ResizeMode };
  /** The U-Net decoder on the backbone: the layers its skips read, its widths and its own parameters. */
  decoder: { skips: { layer: string; stride: number; channels: number }[]; widths: { reduce: number; levels: number[] }; params: number };
  /** The loss as used: soft Dice's weight beside the cross-entropy, and the cross-entropy's class weights (null: all 1). */
  loss: { diceWeight: number; classWeights: number[] | null };
  /** Foreground mean IoU, Dice and pixel accuracy of the evaluation after training (null until then). */
  segEvaluation: { meanIou: number; meanDice: number; pixelAccuracy: number; perClassIou: (number | null)[]; onRunSplit: boolean } | null;
}

export type RunRecord = ImageRunRecord | TextRunRecord | SegRunRecord;

export type RunMetrics<M> = RunRecordBase<unknown, M>['metrics'];

/** The metrics of a run that has not trained yet. */
export function newRunMetrics<M>(): RunMetrics<M> {
  return {
    initialValLoss: null,
    history: [],
    epochsCompleted: 0,
    bestEpoch: null,
    stopped: false,
    stoppedEarly: null,
    finishedAt: null,
    evaluation: null,
  };
}

/** The part of a run record every task's new run starts with (the task adds its task, labels, settings and own fields). */
export function newRecordBase(args: {
  id: string;
  startedAt: string;
  backend: BackendName;
  seed: number;
  model: ModelOrigin;
  data: DataManifest;
}): Pick<
  RunRecordBase<unknown, never>,
  'version' | 'id' | 'startedAt' | 'backend' | 'backends' | 'seed' | 'model' | 'trainableParams' | 'data' | 'notes' | 'resumes'
> & { metrics: RunMetrics<never> } {
  const { id, startedAt, backend, seed, model, data } = args;
  return {
    version: 1,
    id,
    startedAt,
    backend,
    backends: [backend],
    seed,
    model,
    trainableParams: 0,
    data,
    metrics: newRunMetrics(),
    notes: [],
    resumes: [],
  };
}

/**
 * The record of a run that continues `resumed` after epoch `afterEpoch` on `backend` (its settings and
 * data stand; the resume is noted, and so is data that differs from the run's, counted in `noun`).
 */
export function resumedRecord<R extends RunRecord>(
  resumed: R,
  args: { backend: BackendName; afterEpoch: number; at: string; data?: DataManifest | null; noun: string },
): R {
  const { backend, afterEpoch, at, data } = args;
  const r: R = {
    ...structuredClone(resumed),
    backend,
    backends: [...resumed.backends, backend],
    resumes: [...resumed.resumes, { afterEpoch, backend, at }],
    metrics: { ...structuredClone(resumed.metrics), finishedAt: null, evaluation: null },
  };
  if (data && (data.train.digest !== resumed.data.train.digest || data.val.digest !== resumed.data.val.digest)) {
    r.notes.push(
      `Resumed after epoch ${afterEpoch} on data that differs from the run's (${data.train.count} training and ${data.val.count} validation ${args.noun} now).`,
    );
  }
  return r;
}

/** An image run's epoch from the loop into its record (epoch 0: the validation loss before training); true for a completed epoch. */
export function noteImageEpoch(record: { metrics: RunMetrics<EpochMetrics>; trainableParams: number }, m: EpochMetrics): boolean {
  if (m.epoch === 0) record.metrics.initialValLoss = m.valLoss;
  else recordEpoch(record.metrics, m);
  record.trainableParams = Math.max(record.trainableParams, m.trainableParams);
  return m.epoch > 0;
}

/** Closes an image run's record with what the loop returned. */
export function finishImageRecord(record: { metrics: RunMetrics<EpochMetrics>; trainableParams: number }, result: TrainResult): void {
  Object.assign(record.metrics, {
    history: result.history,
    epochsCompleted: result.epochsCompleted,
    bestEpoch: result.bestEpoch,
    stopped: result.stopped,
    stoppedEarly: result.stoppedEarly,
    finishedAt: new Date().toISOString(),
  });
  record.trainableParams = Math.max(record.trainableParams, result.trainableParams);
}

/** Puts a completed epoch into the record's history (replacing a repeat of it and any later epochs). */
export function recordEpoch<M extends { epoch: number }>(metrics: RunMetrics<M>, m: M): void {
  metrics.history = [...metrics.history.filter((h) => h.epoch < m.epoch), m];
  metrics.epochsCompleted = metrics.history.length;
}

/** The epoch whose weights the model holds: the best one when early stopping restored it, else the last. */
export function heldEpoch<M extends { epoch: number }>(metrics: Pick<RunMetrics<M>, 'history' | 'bestEpoch'>): M | null {
  const h = metrics.history;
  return h.find((e) => e.epoch === metrics.bestEpoch) ?? h[h.length - 1] ?? null;
}

/** What the side that starts a run knows and the trainer does not: the run's id and the model's origin. */
export interface RunStart {
  id: string;
  model: ModelOrigin;
}

// ---------------------------------------------------------------- content digests

const utf8 = new TextEncoder();

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** A split's manifest from each example's content key (a file's SHA-256, or a text's) and label. */
export function splitManifest(entries: readonly { key: string; label: string }[]): SplitManifest {
  const lines = entries.map((e) => JSON.stringify([e.label, e.key])).sort();
  return { count: entries.length, digest: toHex(sha256(utf8.encode(lines.join('\n')))) };
}

/** The content key of a text: its UTF-8 SHA-256. */
export function textKey(text: string): Promise<string> {
  return sha256Hex(utf8.encode(text));
}

/** The data manifest of a classification split: `labels[i]` names class i. */
export function classificationManifest(
  labels: readonly string[],
  train: readonly { key: string; label: number }[],
  val: readonly { key: string; label: number }[],
  validationSplit: number,
): DataManifest {
  const named = (xs: readonly { key: string; label: number }[]) => xs.map((x) => ({ key: x.key, label: labels[x.label] ?? `#${x.label}` }));
  const count = (xs: readonly { label: number }[], i: number) => xs.reduce((n, x) => n + (x.label === i ? 1 : 0), 0);
  return {
    train: splitManifest(named(train)),
    val: splitManifest(named(val)),
    classes: labels.map((label, i) => ({ label, train: count(train, i), val: count(val, i) })),
    validationSplit,
  };
}

/** The data manifest of text training data: each text's SHA-256 with its label; generation: each joined split, `count` in UTF-8 bytes. */
export async function textDataManifest(data: TextTrainingData, labels: readonly string[], validationSplit: number): Promise<DataManifest> {
  if (data.task === 'text-classification') {
    const keyed = (xs: typeof data.train) => Promise.all(xs.map(async (x) => ({ key: await textKey(x.text), label: x.label })));
    return classificationManifest(labels, await keyed(data.train), await keyed(data.validation), validationSplit);
  }
  const split = async (text: string) => ({ ...splitManifest([{ key: await textKey(text), label: '' }]), count: utf8.encode(text).length });
  return { train: await split(data.train), val: await split(data.validation), classes: [], validationSplit };
}

// ---------------------------------------------------------------- what changed since the run

const SETTING_NAMES: Record<string, string> = {
  epochs: 'epochs',
  learningRate: 'learning rate',
  batchSize: 'batch size',
  optimizer: 'optimizer',
  validationSplit: 'validation split',
  dropout: 'dropout',
  imageSize: 'input size',
  resize: 'resize',
  weightDecay: 'weight decay',
  labelSmoothing: 'label smoothing',
  schedule: 'learning-rate schedule',
  earlyStopping: 'early stopping',
  gradualUnfreezing: 'gradual unfreezing',
  backboneLrMultiplier: 'backbone learning-rate multiplier',
  augmentation: 'augmentation',
  useCache: 'feature cache',
  headLayer: 'the layer the head reads',
  seed: 'seed',
  mode: 'what trains',
  trainableLayers: 'the layers that train',
  trainableGroups: 'the parts that train',
  pooling: 'pooling',
};

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function shown(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `${v.length} chosen`;
  return 'changed';
}

/**
 * The settings that differ between a run and what would be sent now, as short phrases
 * ("epochs 3 → 5"). Keys missing on either side are ignored; `mode`/`trainableLayers` count once.
 */
export function settingsDrift(used: object, now: object): string[] {
  const a = used as Record<string, unknown>;
  const b = now as Record<string, unknown>;
  const out: string[] = [];
  for (const key of Object.keys(SETTING_NAMES)) {
    if (!(key in a) || !(key in b) || same(a[key], b[key])) continue;
    const name = SETTING_NAMES[key] ?? key;
    const x = a[key];
    const y = b[key];
    const scalar = (v: unknown) => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
    out.push(scalar(x) && scalar(y) ? `${name} ${shown(x)} → ${shown(y)}` : `${name} changed`);
  }
  if (out.includes('what trains head-only → fine-tune') || out.includes('what trains fine-tune → head-only')) {
    return out.filter((p) => p !== 'the layers that train changed');
  }
  return out;
}

/** How the data differs from the run's, as short phrases; empty when the splits are the same. */
export function dataDrift(used: DataManifest, now: DataManifest): string[] {
  if (used.train.digest === now.train.digest && used.val.digest === now.val.digest) return [];
  const out: string[] = [];
  const before = new Set(used.classes.map((c) => c.label));
  const after = new Set(now.classes.map((c) => c.label));
  const added = [...after].filter((l) => !before.has(l));
  const removed = [...before].filter((l) => !after.has(l));
  if (added.length) out.push(`${added.length === 1 ? 'class' : 'classes'} added: ${added.join(', ')}`);
  if (removed.length) out.push(`${removed.length === 1 ? 'class' : 'classes'} removed: ${removed.join(', ')}`);
  const total = (m: DataManifest) => m.train.count + m.val.count;
  if (total(used) !== total(now)) out.push(`${total(now)} examples now, ${total(used)} when it trained`);
  if (out.length === 0) out.push('the examples or their labels changed');
  return out;
}
