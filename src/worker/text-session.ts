/**
 * The worker's text side: the pre-trained language model (loaded once from its model.json), the
 * model being fine-tuned, and the commands on it — train, stop, generate, classify, export.
 * The engine itself is src/text (pure, Node-tested); this file only owns its state in the worker.
 */
import * as tf from '@tensorflow/tfjs';
import { StudioError } from '../lib/errors';
import type { LmConfig, SavedLm } from '../text/model';
import { createTextModel, disposeTextModel, generateText, classifyTexts, type TextModel } from '../text/text-model';
import {
  createTextFeatureCache,
  evaluateTextClassifier,
  findTextLearningRate,
  heldTextCheckpoint,
  restoreTextRun,
  ensureTextLora,
  runTextTraining,
  type TextResume,
} from '../text/finetune';
import type { LrFinderResult, LrPoint } from '../engine/lr-finder';
import type { Checkpoint } from '../engine/checkpoint';
import { exportTextModel, textExportBase, textModelJsonOf, type TextExportInfo } from '../text/export';
import { textJobProblem, textJobStart, type TextJobStart } from '../text/job';
import { exportHfModel, hfModelCard, type HfExportSource } from '../models/hf/export';
import { BUNDLED_TEXT_FILES, readHfModel, type HfInputFile } from '../models/hf/import';
import { HF_TASK, type HfArchitecture } from '../models/hf/tasks';
import type { TextTokenizer } from '../text/tokenizer';
import type {
  ClassificationEvaluation,
  TextEpochMetrics,
  TextTrainEvent,
  TextTrainResult,
  TextTrainSettings,
  TextTrainingData,
} from '../text/types';
import {
  heldEpoch,
  newRecordBase,
  recordEpoch,
  resumedRecord,
  textDataManifest,
  type DataManifest,
  type RunStart,
  type TextRunRecord,
} from '../engine/run-record';
import type { BackendName } from '../engine/types';
import type { TextTask } from '../text/types';
import type { TextTrainPayload } from './protocol';
import type { SessionContext } from './sessions';
import { createBatcher } from './batcher';

export interface TextBaseSummary {
  name: string;
  config: LmConfig;
  parameters: number;
  /**
   * 'bundled': the studio's own GPT-2 (by URL); 'hf': an imported Hugging Face checkpoint; 'files': an
   * imported text export of the studio's (src/text/export.ts: a run fine-tuned here, or a PyTorch job's model.zip).
   */
  source: 'bundled' | 'hf' | 'files';
  /** The tokenizer: tokenizer.json's model kind ('BPE', 'WordPiece') and its ids. */
  tokenizer: { kind: string; vocabSize: number };
  /** Imported models: the architecture config.json names. */
  architecture?: HfArchitecture;
}

/** The pre-trained model runs start from: its weights, its tokenizer and, when imported, what export.hf writes back. */
interface TextBase {
  /** Its URL, or a key of the imported files. */
  key: string;
  name: string;
  saved: SavedLm;
  tokenizer: TextTokenizer;
  hf: HfExportSource | null;
  /** An imported model's architecture; null for the bundled one. */
  architecture: HfArchitecture | null;
  /** An imported text export of the studio's (its weights trained further, by the studio or a job). */
  exported?: boolean;
}

let base: TextBase | null = null;
/** The pre-trained model itself, for writing before anything trained (made on first use). */
let pretrained: TextModel | null = null;
let model: TextModel | null = null;
let record: TextRunRecord | null = null;
let stopRequested = false;
/** Pooled features of texts under the loaded pre-trained body: head-only runs and the learning-rate test share them. */
const features = createTextFeatureCache();

/**
 * Loads the bundled language model from `url` (a folder URL) through the import path every GPT-2
 * takes (readHfModel): the same checks, the same tokenizer library.
 */
export async function loadTextBase(url: string, name: string): Promise<TextBaseSummary> {
  if (!base || base.key !== url) {
    const fail = (why: string, cause?: unknown) =>
      new StudioError('model-load-failed', `The language model at ${url} could not be loaded: ${why}.`, { cause });
    const files = await Promise.all(
      BUNDLED_TEXT_FILES.map(async (file) => {
        const res = await fetch(new URL(file, url)).catch((err: unknown) => {
          throw fail(`the network request for ${file} failed`, err);
        });
        if (!res.ok) throw fail(`HTTP ${res.status} for ${file}`);
        return { name: file, blob: await res.blob() };
      }),
    );
    let hf: Awaited<ReturnType<typeof readHfModel>>;
    try {
      hf = await readHfModel(files);
    } catch (err) {
      throw fail(err instanceof Error ? err.message.replace(/\.$/, '') : 'its files do not make a GPT-2 checkpoint', err);
    }
    // Not an import: it trains for both text tasks, and generation unties its head (createTextModel).
    setBase({ key: url, name, saved: hf.saved, tokenizer: hf.tokenizer, hf: null, architecture: null });
  }
  return summary(base as TextBase);
}

function setBase(next: TextBase): void {
  if (pretrained) disposeTextModel(pretrained);
  pretrained = null;
  base = next;
  features.clear();
}

function summary(b: TextBase): TextBaseSummary {
  const parameters = b.saved.weightSpecs.reduce((n, s) => n + s.shape.reduce((a, c) => a * c, 1), 0);
  return {
    name: b.name,
    config: b.saved.config,
    parameters,
    source: b.hf ? 'hf' : b.exported ? 'files' : 'bundled',
    tokenizer: { kind: b.tokenizer.kind, vocabSize: b.tokenizer.vocabSize },
    architecture: b.architecture ?? undefined,
  };
}

/**
 * Imports a Hugging Face model folder's files (src/models/hf/import.ts) as the model runs start from.
 * What cannot load throws with a sentence naming it, and the model loaded before stays.
 */
export async function importTextBase(files: HfInputFile[]): Promise<TextBaseSummary> {
  if (await isTextExport(files)) return importTextExport(files);
  // readHfModel builds the weights parameter by parameter in the model's order, each shape checked
  // against the config: nothing left for a trial load (a second copy of every weight) to find.
  const hf = await readHfModel(files);
  const key = `hf:${hf.name}:${files.map((f) => `${f.name}/${f.blob.size}`).join('|')}`;
  setBase({
    key,
    name: hf.name,
    saved: hf.saved,
    tokenizer: hf.tokenizer,
    hf: { name: hf.name, config: hf.config, sideFiles: hf.sideFiles, tokenizerKind: hf.tokenizerKind },
    architecture: hf.architecture,
  });
  return summary(base as unknown as TextBase);
}

const baseNameOf = (name: string) => name.slice(name.lastIndexOf('/') + 1);

/** Whether the files are the studio's text export: a model.json of its text-model format. */
async function isTextExport(files: readonly HfInputFile[]): Promise<boolean> {
  const json = files.find((f) => baseNameOf(f.name) === 'model.json');
  return !!json && textModelJsonOf(await json.blob.text()) !== null;
}

/**
 * Imports the studio's text export (a text generator fine-tuned here, or a PyTorch job's model.zip)
 * as the model runs start from: a new run continues from its weights, with its own output matrix.
 */
async function importTextExport(files: readonly HfInputFile[]): Promise<TextBaseSummary> {
  const bytes: Record<string, Uint8Array> = {};
  for (const f of files) bytes[baseNameOf(f.name)] = new Uint8Array(await f.blob.arrayBuffer());
  const { saved, tokenizer, name } = textExportBase(tf, bytes);
  const key = `files:${name}:${files.map((f) => `${f.name}/${f.blob.size}`).join('|')}`;
  setBase({ key, name, saved, tokenizer, hf: null, architecture: null, exported: true });
  return summary(base as unknown as TextBase);
}

export interface TextRunOptions {
  backend: BackendName;
  /** The run's id and the model's origin (from the UI); `validationSplit` as asked. */
  run: (RunStart & { validationSplit?: number }) | null;
  onRecord: (record: TextRunRecord) => void;
  /** The run's state after each completed epoch (the buffer is the caller's to transfer). */
  onCheckpoint?: (checkpoint: Checkpoint) => void;
  /** Continue an interrupted run from its last checkpoint; `record` is its record, which goes on. */
  resume?: (TextResume & { record?: TextRunRecord | null }) | null;
}

/** An imported checkpoint fine-tunes for one task: GPT-2 writes, BERT and DistilBERT classify. */
function refuseOtherTask(b: TextBase, task: TextTask): void {
  const arch = b.architecture;
  if (!arch || HF_TASK[arch] === task) return;
  throw new StudioError(
    'unsupported',
    arch !== 'gpt2'
      ? `${b.name} is a ${arch === 'distilbert' ? 'DistilBERT' : 'BERT'} encoder: it fine-tunes to classify text, not to write it. Choose Text classification, or the bundled model to generate.`
      : `${b.name} is a GPT-2 language model: it fine-tunes for text generation. Choose that task, or the bundled model to classify text.`,
  );
}

/** A fresh copy of the pre-trained model for a run of `settings` (with a new head for classification). */
function freshModel(settings: TextTrainSettings, labels: string[]): TextModel {
  if (!base) throw new StudioError('model-load-failed', 'The language model is not loaded yet. Wait for step 2 to show it, then train.');
  refuseOtherTask(base, settings.task);
  const m =
    settings.task === 'text-generation'
      ? createTextModel(tf, base.saved, { task: 'text-generation', tied: base.hf !== null }, base.tokenizer)
      : createTextModel(
          tf,
          base.saved,
          { task: 'text-classification', labels, pooling: settings.pooling ?? 'mean', seed: settings.seed },
          base.tokenizer,
        );
  try {
    ensureTextLora(tf, m, settings);
  } catch (err) {
    disposeTextModel(m);
    throw err;
  }
  return m;
}

/** The learning-rate range test on a fresh copy of the model (the trained one is left alone); `stop` ends it. */
export async function findTextLr(
  settings: TextTrainSettings,
  labels: string[],
  data: TextTrainingData,
  onPoint: (p: LrPoint, step: number, steps: number) => void,
): Promise<LrFinderResult> {
  const scratch = freshModel(settings, labels);
  stopRequested = false;
  try {
    return await findTextLearningRate(tf, scratch, data, settings, { shouldStop: () => stopRequested, onPoint, features });
  } finally {
    disposeTextModel(scratch);
    stopRequested = false;
  }
}

/** The record a new text run on `b` starts with. */
function newTextRecord(
  b: TextBase,
  settings: TextTrainSettings,
  labels: string[],
  data: DataManifest,
  options: Pick<TextRunOptions, 'backend' | 'run'>,
  now: string,
): TextRunRecord {
  return {
    ...newRecordBase({
      id: options.run?.id ?? `run-${Date.now().toString(36)}`,
      startedAt: now,
      backend: options.backend,
      seed: settings.seed,
      model: b.hf
        ? { id: `hf:${b.name}`, name: b.name, licence: hfLicence(b.hf.config), source: 'hf' }
        : (options.run?.model ?? { id: 'text-lm', name: 'text-lm', licence: 'unknown', source: 'bundled' }),
      data,
    }),
    task: settings.task,
    labels: settings.task === 'text-classification' ? [...labels] : [],
    settings: structuredClone(settings),
    trainable: [...settings.trainableGroups],
  };
}

/**
 * The start of a run handed to PyTorch (`export.job`): a fresh copy of the pre-trained model as
 * `train` would start it, as the text export's files, with the run's tokens and record
 * (src/text/job.ts). Trains nothing; the fine-tuned model stays as it was.
 */
export async function textJob(
  settings: TextTrainSettings,
  labels: string[],
  data: TextTrainingData,
  options: Pick<TextRunOptions, 'backend' | 'run'>,
): Promise<TextJobStart> {
  if (!base)
    throw new StudioError('model-load-failed', 'The language model is not loaded yet. Wait for step 2 to show it, then try again.');
  const problem = textJobProblem(settings);
  if (problem) throw new StudioError('unsupported', problem);
  const m = freshModel(settings, labels);
  try {
    const manifest = await textDataManifest(data, labels, options.run?.validationSplit ?? 0);
    const r = newTextRecord(base, settings, labels, manifest, options, new Date().toISOString());
    return await textJobStart(tf, m, settings, data, r, { name: 'Fine-tuned text generator', baseModel: r.model.name });
  } finally {
    disposeTextModel(m);
  }
}

/** Fine-tunes a fresh copy of the pre-trained model (with a new head for classification), recording the run. */
export async function trainText(
  settings: TextTrainSettings,
  labels: string[],
  data: TextTrainingData,
  onEvent: (e: TextTrainEvent) => void,
  options: TextRunOptions,
): Promise<TextRunResult> {
  if (!base) throw new StudioError('model-load-failed', 'The language model is not loaded yet. Wait for step 2 to show it, then train.');
  const refusal = cpuTrainingRefusal(
    base.name,
    base.saved.weightSpecs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0),
    options.backend,
  );
  if (refusal) throw refusal;
  if (model) disposeTextModel(model);
  model = null;
  record = null;
  stopRequested = false;
  const m = freshModel(settings, labels);
  model = m;
  const manifest = await textDataManifest(data, labels, options.run?.validationSplit ?? 0);
  const resume = options.resume ?? null;
  const resumed = resume?.record ?? null;
  const now = new Date().toISOString();
  const r: TextRunRecord = resumed
    ? resumedRecord(resumed, {
        backend: options.backend,
        afterEpoch: resume?.checkpoint.epoch ?? 0,
        at: now,
        data: manifest,
        noun: 'examples',
      })
    : newTextRecord(base, settings, labels, manifest, options, now);
  record = r;
  const emit = () => options.onRecord(structuredClone(r));
  emit();
  const result = await runTextTraining(
    tf,
    m,
    data,
    settings,
    (e) => {
      onEvent(e);
      if (e.type === 'initial') {
        r.metrics.initialValLoss = e.metrics.valLoss;
        r.trainableParams = e.trainableParams;
      } else if (e.type === 'epoch') {
        recordEpoch(r.metrics, e.metrics);
        emit();
      }
    },
    {
      shouldStop: () => stopRequested,
      resume,
      features,
      onCheckpoint: options.onCheckpoint,
      onLog: (message) => {
        r.notes.push(message);
        emit();
      },
    },
  );
  Object.assign(r.metrics, {
    history: result.history,
    epochsCompleted: result.epochs,
    bestEpoch: result.bestEpoch,
    stopped: result.reason === 'stopped',
    stoppedEarly: result.reason === 'early-stopped' ? 'Early stopping: the validation metric stopped improving.' : null,
    finishedAt: new Date().toISOString(),
    evaluation: result.evaluation
      ? { accuracy: result.evaluation.accuracy, loss: result.evaluation.loss, examples: result.evaluation.labels.length, onRunSplit: true }
      : null,
  });
  emit();
  return { ...result, record: structuredClone(r) };
}

export type TextRunResult = TextTrainResult & { record: TextRunRecord };

/** Models larger than this train only on a GPU backend (DistilGPT-2, 82 M, does not fit; the bundled model's 1.3 M does). */
export const MAX_CPU_TRAIN_PARAMS = 30e6;

/** Why a model of `params` parameters does not train on `backend`, or null when it may. */
export function cpuTrainingRefusal(name: string, params: number, backend: BackendName): StudioError | null {
  if ((backend !== 'wasm' && backend !== 'cpu') || params <= MAX_CPU_TRAIN_PARAMS) return null;
  return new StudioError(
    'unsupported',
    `${name} has ${(params / 1e6).toFixed(0)} M parameters: too big to train on ${backend === 'wasm' ? 'WASM' : 'the CPU'} in a browser tab (an epoch would take hours). Choose WebGPU or WebGL, or a smaller model.`,
  );
}

/** An imported model's licence, when its config says (model cards usually do; config.json rarely). */
function hfLicence(config: Record<string, unknown>): string {
  return typeof config.license === 'string' ? config.license : 'as the model’s Hugging Face card says';
}

/**
 * Makes a finished run's model the current one: a fresh copy of the pre-trained model with the run's
 * weights from its checkpoint, and its record. Its result comes from the record; a classifier's
 * per-text evaluation is computed again on `data` when that is the run's validation split (same digest).
 */
export async function restoreTextRunModel(
  stored: TextRunRecord,
  checkpoint: Checkpoint,
  data: TextTrainingData,
  labels: string[],
): Promise<TextRunResult> {
  const settings = stored.settings;
  const m = freshModel(settings, stored.labels);
  try {
    restoreTextRun(tf, m, settings, checkpoint, stored.metrics.bestEpoch);
  } catch (err) {
    disposeTextModel(m);
    throw err;
  }
  if (model) disposeTextModel(model);
  model = m;
  const r = structuredClone(stored);
  record = r;
  const metrics = r.metrics;
  const held = heldEpoch(metrics);
  const valLoss = metrics.initialValLoss ?? Number.NaN;
  const initial: TextEpochMetrics = {
    epoch: 0,
    trainLoss: null,
    valLoss,
    perplexity: r.task === 'text-generation' ? Math.exp(valLoss) : null,
    valAccuracy: null,
    learningRate: settings.learningRate,
    sample: null,
    seconds: 0,
  };
  let evaluation: ClassificationEvaluation | null = null;
  if (data.task === 'text-classification' && data.validation.length > 0) {
    const manifest = await textDataManifest(data, labels, r.data.validationSplit);
    if (manifest.val.digest === r.data.val.digest) evaluation = await evaluateTextClassifier(tf, m, data.validation);
  }
  return {
    reason: metrics.stoppedEarly ? 'early-stopped' : metrics.stopped ? 'stopped' : 'completed',
    epochs: metrics.epochsCompleted,
    initial,
    history: structuredClone(metrics.history),
    bestEpoch: metrics.bestEpoch,
    final: held ?? initial,
    evaluation,
    record: structuredClone(r),
  };
}

export function stopText(): void {
  stopRequested = true;
}

function trained(): TextModel {
  if (!model) throw new StudioError('unsupported', 'Train a text model first.');
  return model;
}

export interface GenerateRequest {
  prompt: string;
  maxTokens: number;
  temperature: number;
  topK: number;
  topP?: number;
  seed: number;
  /** Write with the pre-trained model even when a fine-tuned one is held. */
  pretrained?: boolean;
}

/** Writes with the fine-tuned model, or with the pre-trained one before anything trained; `onText` streams the text so far. */
export async function generateFromPrompt(request: GenerateRequest, onText?: (text: string) => void): Promise<string> {
  const { prompt, pretrained: fromBase, ...options } = request;
  let m = fromBase ? null : model;
  if (!m) {
    if (!base) throw new StudioError('model-load-failed', 'The language model is not loaded yet.');
    refuseOtherTask(base, 'text-generation');
    pretrained ??= createTextModel(tf, base.saved, { task: 'text-generation', tied: true }, base.tokenizer);
    m = pretrained;
  }
  if (m.task !== 'text-generation') throw new StudioError('unsupported', 'This model classifies text; it does not generate it.');
  return generateText(tf, m, prompt, { ...options, onText });
}

export async function classify(texts: string[]): Promise<number[][]> {
  const m = trained();
  const k = m.classifier?.labels.length ?? 0;
  if (!k) throw new StudioError('unsupported', 'This model generates text; it does not classify it.');
  const probs = await classifyTexts(tf, m, texts);
  return texts.map((_, i) => Array.from(probs.subarray(i * k, (i + 1) * k)));
}

/** The fine-tuned model's files; what they say about it comes from the run's record alone. */
export async function exportText(format: 'tfjs' | 'hf' = 'tfjs'): Promise<Array<{ name: string; data: ArrayBuffer }>> {
  const m = trained();
  const r = record;
  if (!r) throw new StudioError('unsupported', 'Train a text model first.');
  const toFiles = (files: Record<string, Uint8Array>) =>
    Object.entries(files).map(([name, bytes]) => ({
      name,
      data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    }));
  // The TF.js export (lm.js) runs GPT-2-style decoders; exportTextModel refuses an encoder with a sentence.
  if (format === 'hf') {
    const hf = base?.hf;
    if (!hf || r.model.source !== 'hf')
      throw new StudioError('unsupported', 'Only a model imported from Hugging Face files downloads in Hugging Face layout.');
    return toFiles(await exportHfModel(tf, m, hf, { lora: r.settings.lora ?? null, card: hfModelCard(r, hf.name), record: r }));
  }
  const info: TextExportInfo = {
    name: r.task === 'text-generation' ? 'Fine-tuned text generator' : `Text classifier: ${r.labels.join(', ')}`,
    baseModel: r.model.name,
    settings: r.settings,
    metrics: heldEpoch(r.metrics),
    createdAt: new Date().toISOString(),
    continuedFrom: r.model.continuedFrom ?? null,
    run: {
      id: r.id,
      startedAt: r.startedAt,
      finishedAt: r.metrics.finishedAt,
      backend: r.backend,
      seed: r.seed,
      trainable: r.trainable,
      trainableParams: r.trainableParams,
      data: r.data,
      history: r.metrics.history,
      initialValLoss: r.metrics.initialValLoss,
      epochsCompleted: r.metrics.epochsCompleted,
      bestEpoch: r.metrics.bestEpoch,
      stoppedEarly: r.metrics.stoppedEarly,
      evaluation: r.metrics.evaluation,
    },
  };
  return toFiles(await exportTextModel(tf, m, info));
}

/** The verbs both text tasks share (load, train, export), posting progress through `ctx`. */
export function textSession(task: TextTask, ctx: SessionContext) {
  const batches = createBatcher<TextTrainEvent>((items) => items.forEach((event) => ctx.post({ type: 'text', event })));
  const onEvent = (event: TextTrainEvent) => {
    if (event.type === 'batch') {
      ctx.checkDevice();
      batches.push(event);
      return;
    }
    batches.flush();
    ctx.post({ type: 'text', event });
  };
  return {
    stop: stopText,
    load: (command: { url: string; name: string } | { files: HfInputFile[] }) =>
      'files' in command ? importTextBase(command.files) : loadTextBase(command.url, command.name),
    async train(command: TextTrainPayload): Promise<TextRunResult> {
      if (command.settings.task !== task) throw new StudioError('internal', `A ${command.settings.task} run was sent to the ${task} task.`);
      if (command.restore) return restoreTextRunModel(command.restore.record, command.restore.checkpoint, command.data, command.labels);
      try {
        const result = await trainText(command.settings, command.labels, command.data, onEvent, {
          backend: ctx.backend(),
          run: command.run ?? null,
          resume: command.resume ?? null,
          onRecord: (record) => ctx.post({ type: 'run', record }),
          onCheckpoint: command.checkpoints
            ? (checkpoint) => {
                batches.flush();
                ctx.post({ type: 'checkpoint', checkpoint }, [checkpoint.weights]);
              }
            : undefined,
        });
        // The last per-epoch checkpoint may not hold the weights the model ends with (restore-best, a
        // stop mid-epoch): the run's stored checkpoint becomes the held weights, what "use this run" restores.
        if (command.checkpoints && model) {
          const held = await heldTextCheckpoint(model, command.settings, result.epochs);
          batches.flush();
          ctx.post({ type: 'checkpoint', checkpoint: held }, [held.weights]);
        }
        return result;
      } finally {
        batches.flush();
      }
    },
    async findLr(command: { settings: TextTrainSettings; labels: string[]; data: TextTrainingData }): Promise<LrFinderResult> {
      try {
        return await findTextLr(command.settings, command.labels, command.data, (point, step, steps) =>
          ctx.post({ type: 'lr-point', point, step, steps }),
        );
      } finally {
        batches.flush();
      }
    },
    export: async (command: { format?: 'tfjs' | 'hf' }) => ({ files: await exportText(command.format) }),
  };
}
