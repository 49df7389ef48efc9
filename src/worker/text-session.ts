/**
 * The worker's text side: the pre-trained language model (loaded once from its model.json), the
 * model being fine-tuned, and the commands on it — train, stop, generate, classify, export.
 * The engine itself is src/text (pure, Node-tested); this file only owns its state in the worker.
 */
import * as tf from '@tensorflow/tfjs';
import { StudioError } from '../lib/errors';
import { loadLm, disposeLm, type LmConfig, type SavedLm, type WeightSpec } from '../text/model';
import { createTextModel, disposeTextModel, generateText, classifyTexts, type TextModel } from '../text/text-model';
import {
  createTextFeatureCache,
  evaluateTextClassifier,
  findTextLearningRate,
  heldTextCheckpoint,
  restoreTextRun,
  runTextTraining,
  type TextResume,
} from '../text/finetune';
import type { LrFinderResult, LrPoint } from '../engine/lr-finder';
import type { Checkpoint } from '../engine/checkpoint';
import { exportTextModel, type TextExportInfo } from '../text/export';
import type {
  ClassificationEvaluation,
  TextEpochMetrics,
  TextTrainEvent,
  TextTrainResult,
  TextTrainSettings,
  TextTrainingData,
} from '../text/types';
import { heldEpoch, newRunMetrics, recordEpoch, textDataManifest, type RunStart, type TextRunRecord } from '../engine/run-record';
import type { BackendName } from '../engine/types';
import type { TextTask } from '../text/types';
import type { TextTrainPayload } from './protocol';
import type { SessionContext } from './sessions';
import { createBatcher } from './batcher';

export interface TextBaseSummary {
  name: string;
  config: LmConfig;
  parameters: number;
}

let base: SavedLm | null = null;
let baseUrl: string | null = null;
let model: TextModel | null = null;
let record: TextRunRecord | null = null;
let stopRequested = false;
/** Pooled features of texts under the loaded pre-trained body: head-only runs and the learning-rate test share them. */
const features = createTextFeatureCache();

interface TextModelJsonFile {
  config?: LmConfig;
  weightsManifest?: Array<{ paths: string[]; weights: WeightSpec[] }>;
}

/** Loads the pre-trained language model's model.json and weights from `url` (a folder URL). */
export async function loadTextBase(url: string, name: string): Promise<TextBaseSummary> {
  if (!base || baseUrl !== url) {
    const fail = (why: string, cause?: unknown) =>
      new StudioError('model-load-failed', `The language model at ${url} could not be loaded: ${why}.`, { cause });
    const res = await fetch(new URL('model.json', url)).catch((err: unknown) => {
      throw fail('the network request failed', err);
    });
    if (!res.ok) throw fail(`HTTP ${res.status} for model.json`);
    const json = (await res.json()) as TextModelJsonFile;
    const group = json.weightsManifest?.[0];
    if (!json.config || !group || group.paths.length === 0) throw fail('its model.json has no config or weights manifest');
    const parts = await Promise.all(
      group.paths.map(async (p) => {
        const r = await fetch(new URL(p, url));
        if (!r.ok) throw fail(`HTTP ${r.status} for ${p}`);
        return new Uint8Array(await r.arrayBuffer());
      }),
    );
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.length;
    }
    const saved: SavedLm = { config: json.config, weightSpecs: group.weights, weights: bytes.buffer };
    // Checks every parameter is present with its shape before the model is accepted.
    try {
      disposeLm(loadLm(tf, saved));
    } catch (err) {
      throw fail(err instanceof Error ? err.message : 'its weights do not match its config', err);
    }
    base = saved;
    baseUrl = url;
    features.clear();
  }
  const parameters = base.weightSpecs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  return { name, config: base.config, parameters };
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

/** A fresh copy of the pre-trained model for a run of `settings` (with a new head for classification). */
function freshModel(settings: TextTrainSettings, labels: string[]): TextModel {
  if (!base) throw new StudioError('model-load-failed', 'The language model is not loaded yet. Wait for step 2 to show it, then train.');
  return settings.task === 'text-generation'
    ? createTextModel(tf, base, { task: 'text-generation' })
    : createTextModel(tf, base, { task: 'text-classification', labels, pooling: settings.pooling ?? 'mean', seed: settings.seed });
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

/** Fine-tunes a fresh copy of the pre-trained model (with a new head for classification), recording the run. */
export async function trainText(
  settings: TextTrainSettings,
  labels: string[],
  data: TextTrainingData,
  onEvent: (e: TextTrainEvent) => void,
  options: TextRunOptions,
): Promise<TextRunResult> {
  if (!base) throw new StudioError('model-load-failed', 'The language model is not loaded yet. Wait for step 2 to show it, then train.');
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
    ? {
        ...structuredClone(resumed),
        backend: options.backend,
        backends: [...resumed.backends, options.backend],
        resumes: [...resumed.resumes, { afterEpoch: resume?.checkpoint.epoch ?? 0, backend: options.backend, at: now }],
        metrics: { ...structuredClone(resumed.metrics), finishedAt: null, evaluation: null },
      }
    : {
        version: 1,
        id: options.run?.id ?? `run-${Date.now().toString(36)}`,
        task: settings.task,
        startedAt: now,
        backend: options.backend,
        backends: [options.backend],
        seed: settings.seed,
        labels: settings.task === 'text-classification' ? [...labels] : [],
        model: options.run?.model ?? { id: 'text-lm', name: 'text-lm', licence: 'unknown', source: 'bundled' },
        settings: structuredClone(settings),
        trainable: [...settings.trainableGroups],
        trainableParams: 0,
        data: manifest,
        metrics: newRunMetrics(),
        notes: [],
        resumes: [],
      };
  if (resumed && (manifest.train.digest !== resumed.data.train.digest || manifest.val.digest !== resumed.data.val.digest)) {
    r.notes.push(
      `Resumed after epoch ${resume?.checkpoint.epoch ?? 0} on data that differs from the run's (${manifest.train.count} training and ${manifest.val.count} validation examples now).`,
    );
  }
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

export async function generateFromPrompt(
  prompt: string,
  options: { maxTokens: number; temperature: number; topK: number; seed: number },
): Promise<string> {
  const m = trained();
  if (m.task !== 'text-generation') throw new StudioError('unsupported', 'This model classifies text; it does not generate it.');
  return generateText(tf, m, prompt, options);
}

export async function classify(texts: string[]): Promise<number[][]> {
  const m = trained();
  const k = m.classifier?.labels.length ?? 0;
  if (!k) throw new StudioError('unsupported', 'This model generates text; it does not classify it.');
  const probs = await classifyTexts(tf, m, texts);
  return texts.map((_, i) => Array.from(probs.subarray(i * k, (i + 1) * k)));
}

/** The fine-tuned model's files; what they say about it comes from the run's record alone. */
export async function exportText(): Promise<Array<{ name: string; data: ArrayBuffer }>> {
  const m = trained();
  const r = record;
  if (!r) throw new StudioError('unsupported', 'Train a text model first.');
  const info: TextExportInfo = {
    name: r.task === 'text-generation' ? 'Fine-tuned text generator' : `Text classifier: ${r.labels.join(', ')}`,
    baseModel: r.model.name,
    settings: r.settings,
    metrics: heldEpoch(r.metrics),
    createdAt: new Date().toISOString(),
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
  const files = await exportTextModel(m, info);
  return Object.entries(files).map(([name, bytes]) => ({
    name,
    data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  }));
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
    load: (command: { url: string; name: string }) => loadTextBase(command.url, command.name),
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
    export: async () => ({ files: await exportText() }),
  };
}
