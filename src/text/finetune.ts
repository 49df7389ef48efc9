/**
 * Text fine-tuning: the task runners of text generation and text classification for the one
 * training loop (src/engine/loop.ts), and `runTextTraining`, which runs one and reports in the text
 * tasks' words. Plain code (no DOM, no worker): the worker exposes it, tests call it in Node.
 *
 * - Trains only the variables of `settings.trainableGroups` (groups.ts): the head group in the
 *   loop's head, the others as parts (top first) at `backboneLrMultiplier` (default 1). The loop
 *   brings the optimizers, schedules, weight decay, early stopping, checkpoints and OOM backoff.
 * - Generation: the text is cut into windows of contextLength + 1 bytes (the cut points shift by a
 *   seeded offset every epoch; validation uses offset 0); loss = next-token cross-entropy, padding
 *   weighted 0. Classification: padded examples, pooled features, softmax; when no group below the
 *   head trains, pooled features are computed once and cached (as typed arrays). A fresh head's
 *   feature centring is fitted on the training set before the first step (classifier.ts).
 * - Emits 'initial' (validation before the first step), 'batch', 'epoch' and 'done' events.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { captureCheckpoint, heldWeights, restoreState, type Checkpoint } from '../engine/checkpoint';
import { runLoop, type Evaluation, type LoopSettings, type StateEntry, type TaskRunner } from '../engine/loop';
import { findLearningRate, type LrFinderOptions, type LrFinderResult, type LrPoint } from '../engine/lr-finder';
import type { EpochMetrics, ScheduleSettings } from '../engine/types';
import { StudioError } from '../lib/errors';
import { createYielder } from '../lib/yielder';
import { createRng, deriveSeed, shuffled } from '../lib/random';
import {
  chunkBatch,
  classifierLogits,
  classifierLoss,
  encodeChunks,
  exampleFeatures,
  fitShift,
  MAX_CHUNKS,
  type ClassifierHead,
} from './classifier';
import { CLASSIFIER_SHIFT, classifierInputSize, countTrainableParams, trainableVariableNames, trainsBody, type ParamGroup } from './groups';
import { lmLoss, shiftWindows } from './model';
import { addLora, removeLora } from './lora';
import { classifyTexts, generateText, textModelGroups, textVariables, type TextModel } from './text-model';
import type {
  ClassificationEvaluation,
  LabelledText,
  TextEpochMetrics,
  TextStopReason,
  TextTrainEvent,
  TextTrainingData,
  TextTrainResult,
  TextTrainSettings,
} from './types';
import { makeWindows, sampleWindows, windowBatch, type Windows } from './windows';

type Tf = typeof tfTypes;
type Tensor = tfTypes.Tensor;

export interface TextTrainControl {
  /** Polled between batches; true ends the run after the current batch (the model keeps its weights). */
  shouldStop?: () => boolean;
  /** Continue an interrupted run from its last checkpoint. */
  resume?: TextResume | null;
  /** Called with the run's state after each completed epoch (then the run can be resumed from it). */
  onCheckpoint?: (checkpoint: Checkpoint) => void;
  /** A sentence about the run (the batch size halved after running out of memory). */
  onLog?: (message: string) => void;
  /** Pooled features of texts under the pre-trained body, kept across runs (read only when no body group trains). */
  features?: TextFeatureCache | null;
}

/**
 * Pooled features of texts under the frozen pre-trained body, by pooling and text: a head-only run
 * on texts a previous run (or the learning-rate test) already read computes none of them again. The
 * owner keeps one per pre-trained model and clears it when another loads.
 */
export interface TextFeatureCache {
  get(key: string): Float32Array | undefined;
  set(key: string, features: Float32Array): void;
}

/** A feature cache that forgets its oldest entries beyond `limit` texts (1 KB each on the bundled model). */
export function createTextFeatureCache(limit = 50_000): TextFeatureCache & { size(): number; clear(): void } {
  const map = new Map<string, Float32Array>();
  return {
    get: (key) => map.get(key),
    set(key, features) {
      map.delete(key);
      map.set(key, features);
      while (map.size > limit) map.delete(map.keys().next().value as string);
    },
    size: () => map.size,
    clear: () => map.clear(),
  };
}

/** The data half of the runner for `data`'s task. */
function textTaskData(
  tf: Tf,
  model: TextModel,
  data: TextTrainingData,
  settings: TextTrainSettings,
  B: number,
  breathe: () => Promise<void>,
  features: TextFeatureCache | null,
): Promise<TextData> {
  return data.task === 'text-generation'
    ? generationRunner(tf, model, data.train, data.validation, settings, B, breathe)
    : classificationRunner(tf, model, data.train, data.validation, settings, B, breathe, features);
}

/** The engine's schedule settings for a text schedule (defaults: 0.1 warm-up epochs, min factor 0.1). */
export function toScheduleSettings(s: TextTrainSettings['schedule']): ScheduleSettings {
  return { kind: s.kind, stepEpochs: 1, stepFactor: 1, warmupEpochs: s.warmupEpochs ?? 0.1, minFactor: s.minFactor ?? 0.1 };
}

/** What a text task's evaluation returns: the loop's loss and accuracy, and per-example results for classification. */
interface TextEvaluation extends Evaluation {
  classification: ClassificationEvaluation | null;
}

/** The data-side half of a text task runner; `textRunner` adds the model's parts and state. */
type TextData = Pick<TaskRunner<TextEvaluation>, 'trainCount' | 'valCount' | 'epochOrder' | 'batch' | 'evaluate'> & { cached: boolean };

/** An interrupted text run to continue: its last checkpoint, the epochs it completed and its first evaluation. */
export interface TextResume {
  checkpoint: Checkpoint;
  history: readonly TextEpochMetrics[];
  initial: TextEpochMetrics;
}

/** The loop's settings for a text run (no gradual unfreezing unless asked; the body at the head's rate unless asked). */
export function textLoopSettings(settings: TextTrainSettings): LoopSettings {
  const stopping = settings.earlyStopping;
  return {
    seed: settings.seed,
    epochs: settings.epochs,
    batchSize: Math.max(1, Math.floor(settings.batchSize)),
    learningRate: settings.learningRate,
    optimizer: settings.optimizer,
    weightDecay: settings.weightDecay,
    schedule: toScheduleSettings(settings.schedule),
    earlyStopping: stopping
      ? {
          enabled: true,
          monitor: stopping.monitor ?? 'val-loss',
          patience: Math.max(1, stopping.patience),
          restoreBest: stopping.restoreBest,
        }
      : { enabled: false, monitor: 'val-loss', patience: 1, restoreBest: false },
    gradualUnfreezing: settings.gradualUnfreezing ?? { enabled: false, everyEpochs: 1 },
    backboneLrMultiplier: settings.backboneLrMultiplier ?? 1,
  };
}

/** The groups of `model` that `settings` trains (unknown group names throw), with the model's variables by name. */
function trainedGroups(model: TextModel, settings: TextTrainSettings) {
  const groups = textModelGroups(model);
  const allVars = textVariables(model);
  const chosen = new Set(settings.trainableGroups);
  trainableVariableNames(groups, chosen);
  return { trained: groups.filter((g) => chosen.has(g.name)), allVars };
}

/**
 * Gives a model the adapters its run's settings ask for (seeded from the run's seed), or takes away
 * adapters they do not ask for. A model that has them keeps them: a resumed or restored run's come
 * back from its checkpoint.
 */
export function ensureTextLora(tf: Tf, model: TextModel, settings: TextTrainSettings): void {
  if (!settings.lora) {
    removeLora(model.lm);
    return;
  }
  if (!model.lm.lora) addLora(tf, model.lm, { ...settings.lora, seed: settings.lora.seed ?? deriveSeed(settings.seed, 'lora') });
}

/** Numbers a run of `settings` trains on `model`: its groups', and its adapters' when it has them. */
function trainedParamCount(model: TextModel, settings: TextTrainSettings): number {
  let n = countTrainableParams(textModelGroups(model), settings.trainableGroups);
  for (const v of model.lm.lora?.vars.values() ?? []) n += v.size;
  return n;
}

/** The state a text run's checkpoint holds: every variable of the groups it trains, its adapters, and a classifier's centring. */
export function textRunState(model: TextModel, settings: TextTrainSettings): StateEntry[] {
  const { trained, allVars } = trainedGroups(model, settings);
  const entry = (name: string, v: tfTypes.Variable, after?: () => void): StateEntry => ({
    layer: name,
    index: 0,
    read: () => v,
    write: (t) => {
      v.assign(t);
      after?.();
    },
  });
  const state = trained.flatMap((g) => g.variables.map((n) => entry(n, allVars.get(n) as tfTypes.Variable)));
  for (const [name, v] of model.lm.lora?.vars ?? []) state.push(entry(name, v));
  const cls = model.classifier;
  // A restored head keeps its fitted centring instead of fitting it again.
  if (cls) state.push(entry(CLASSIFIER_SHIFT, cls.shift, () => (cls.fitted = true)));
  return state;
}

/** The text model's trainable groups as the loop's head and parts (top first), and the state a checkpoint holds. */
function textRunner(model: TextModel, settings: TextTrainSettings, data: TextData): TaskRunner<TextEvaluation> {
  const { trained, allVars } = trainedGroups(model, settings);
  const varsOf = (g: ParamGroup) => g.variables.map((n) => allVars.get(n)).filter((v): v is tfTypes.Variable => v !== undefined);
  // Adapters train with the head, at the run's learning rate from the first step.
  const head = [...trained.filter((g) => g.name === 'head').flatMap(varsOf), ...(model.lm.lora?.vars.values() ?? [])];
  const parts = trained
    .filter((g) => g.name !== 'head')
    .reverse()
    .map((g) => ({ name: g.name, variables: varsOf(g) }));
  const state = textRunState(model, settings);
  return { ...data, lastBatch: 'pad', head, parts, state: () => state };
}

/**
 * The weights a finished run's model holds (after restore-best or a stop mid-epoch the last per-epoch
 * checkpoint may not): what "use this run's model" restores. No optimizer state: it is not resumed.
 */
export async function heldTextCheckpoint(model: TextModel, settings: TextTrainSettings, epochs: number): Promise<Checkpoint> {
  const cp = await captureCheckpoint(textRunState(model, settings), epochs, { head: null, backbone: null });
  return { ...cp, final: true };
}

/** Puts a stored run's weights into a fresh copy of its model (the best epoch's, when early stopping kept them). */
export function restoreTextRun(
  tf: Tf,
  model: TextModel,
  settings: TextTrainSettings,
  checkpoint: Checkpoint,
  bestEpoch: number | null,
): void {
  ensureTextLora(tf, model, settings);
  restoreState(tf, textRunState(model, settings), heldWeights(checkpoint, bestEpoch));
  if (model.classifier) model.classifier.fitted = true;
}

/** A classifier's predictions on labelled texts, as a run's evaluation reports them (mean cross-entropy, accuracy). */
export async function evaluateTextClassifier(
  tf: Tf,
  model: TextModel,
  examples: readonly LabelledText[],
): Promise<ClassificationEvaluation> {
  const probabilities = await classifyTexts(
    tf,
    model,
    examples.map((e) => e.text),
  );
  return scoreClassification(
    probabilities,
    Int32Array.from(examples, (e) => e.label),
    model.classifier?.labels.length ?? 0,
  );
}

/** Argmax predictions, accuracy and mean cross-entropy of softmax rows [examples, K] against their labels. */
function scoreClassification(probabilities: Float32Array, labels: Int32Array, K: number): ClassificationEvaluation {
  const n = labels.length;
  const predicted = new Int32Array(n);
  let correct = 0;
  let nll = 0;
  for (let i = 0; i < n; i++) {
    let arg = 0;
    for (let k = 1; k < K; k++) if ((probabilities[i * K + k] as number) > (probabilities[i * K + arg] as number)) arg = k;
    predicted[i] = arg;
    const truth = labels[i] as number;
    if (arg === truth) correct++;
    nll -= Math.log(Math.max(probabilities[i * K + truth] as number, 1e-12));
  }
  return { labels, predicted, probabilities, accuracy: n ? correct / n : 0, loss: n ? nll / n : 0 };
}

/** The learning-rate range test (src/engine/lr-finder.ts) on a text model and its data, with the run's settings. */
export async function findTextLearningRate(
  tf: Tf,
  model: TextModel,
  data: TextTrainingData,
  settings: TextTrainSettings,
  run: {
    shouldStop: () => boolean;
    onPoint: (p: LrPoint, step: number, steps: number) => void;
    options?: LrFinderOptions;
    features?: TextFeatureCache | null;
  },
): Promise<LrFinderResult> {
  const loopSettings = textLoopSettings(settings);
  ensureTextLora(tf, model, settings);
  const taskData = await textTaskData(tf, model, data, settings, loopSettings.batchSize, createYielder(), run.features ?? null);
  const runner = { ...textRunner(model, settings, taskData), valCount: 0 };
  return findLearningRate({ tf, runner, settings: loopSettings, shouldStop: run.shouldStop, onPoint: run.onPoint, options: run.options });
}

/** The loop's epoch record of a text epoch (for a resumed run's history). */
function loopEpoch(m: TextEpochMetrics, trainableParams: number): EpochMetrics {
  return {
    epoch: m.epoch,
    learningRate: m.learningRate,
    trainableParams,
    loss: m.trainLoss ?? Number.NaN,
    accuracy: Number.NaN,
    valLoss: m.valLoss,
    valAccuracy: m.valAccuracy,
    ms: m.seconds * 1000,
    numTensors: 0,
  };
}

/**
 * Fine-tunes `model` in place on `data`. Resolves with the history and final metrics once the run
 * completes, stops early or is stopped. Throws a StudioError for unusable data or a diverging loss.
 */
export async function runTextTraining(
  tf: Tf,
  model: TextModel,
  data: TextTrainingData,
  settings: TextTrainSettings,
  onEvent: (event: TextTrainEvent) => void,
  control: TextTrainControl = {},
): Promise<TextTrainResult> {
  if (settings.task !== model.task || data.task !== model.task) {
    throw new StudioError('internal', `The settings (${settings.task}) and data (${data.task}) do not match the model (${model.task}).`);
  }
  const breathe = createYielder();
  const loopSettings = textLoopSettings(settings);
  const B = loopSettings.batchSize;
  ensureTextLora(tf, model, settings);
  const totalParams = textModelGroups(model).reduce((n, g) => n + g.params, 0);
  const trainableParams = trainedParamCount(model, settings);
  const resume = control.resume ?? null;
  if (resume && model.classifier) model.classifier.fitted = true; // its centring comes back with the checkpoint
  const taskData = await textTaskData(tf, model, data, settings, B, breathe, control.features ?? null);
  const runner = textRunner(model, settings, taskData);
  const sampleSettings = model.task === 'text-generation' ? (settings.sample ?? null) : null;
  const metricsOf = async (m: EpochMetrics, ev: TextEvaluation): Promise<TextEpochMetrics> => ({
    epoch: m.epoch,
    trainLoss: m.epoch === 0 ? null : m.loss,
    valLoss: ev.loss,
    perplexity: model.task === 'text-generation' ? Math.exp(ev.loss) : null,
    valAccuracy: ev.accuracy,
    learningRate: m.learningRate,
    sample: sampleSettings
      ? await generateText(tf, model, sampleSettings.prompt, {
          maxTokens: sampleSettings.maxTokens,
          temperature: sampleSettings.temperature,
          topK: sampleSettings.topK,
          seed: sampleSettings.seed ?? settings.seed,
        })
      : null,
    seconds: m.ms / 1000,
  });
  const initialEvent = (metrics: TextEpochMetrics, batchesPerEpoch: number): TextTrainEvent => ({
    type: 'initial',
    epoch: 0,
    metrics,
    trainableParams,
    totalParams,
    trainExamples: runner.trainCount,
    validationExamples: runner.valCount,
    batchesPerEpoch,
    cachedFeatures: taskData.cached,
  });
  const history: TextEpochMetrics[] = resume ? resume.history.filter((h) => h.epoch <= resume.checkpoint.epoch) : [];
  const byEvaluation = new Map<TextEvaluation, TextEpochMetrics>();
  let initial: TextEpochMetrics | null = resume?.initial ?? null;
  const batchesPerEpoch = Math.max(1, Math.ceil(runner.trainCount / Math.min(B, runner.trainCount)));
  if (initial) onEvent(initialEvent(initial, batchesPerEpoch));
  const result = await runLoop({
    tf,
    runner,
    settings: loopSettings,
    shouldStop: control.shouldStop ?? (() => false),
    resume: resume ? { checkpoint: resume.checkpoint, history: history.map((h) => loopEpoch(h, trainableParams)) } : null,
    checkpoints: Boolean(control.onCheckpoint),
    evaluateAfterStop: true,
    onEvent: async (e) => {
      if (e.type === 'batch') {
        const { epoch, batch, batches, step, loss, learningRate } = e;
        onEvent({ type: 'batch', epoch, batch, batches, step, loss, learningRate });
      } else if (e.type === 'epoch' && e.evaluation) {
        const m = await metricsOf(e.metrics, e.evaluation);
        byEvaluation.set(e.evaluation, m);
        if (m.epoch === 0) {
          initial = m;
          onEvent(initialEvent(m, batchesPerEpoch));
        } else {
          history.push(m);
          onEvent({ type: 'epoch', metrics: m });
        }
      } else if (e.type === 'checkpoint') control.onCheckpoint?.(e.checkpoint);
      else if (e.type === 'log') control.onLog?.(e.message);
    },
  });
  const start = initial as TextEpochMetrics | null;
  if (!start) throw new StudioError('internal', 'The text run has no initial evaluation.');
  const held = result.final;
  let final: TextEpochMetrics = start;
  if (held) {
    const last = history[history.length - 1];
    final = byEvaluation.get(held) ?? {
      ...(await metricsOf(loopEpoch(history.find((h) => h.epoch === result.bestEpoch) ?? last ?? start, trainableParams), held)),
      trainLoss: (history.find((h) => h.epoch === result.bestEpoch) ?? last)?.trainLoss ?? null,
    };
  }
  const reason: TextStopReason = result.stoppedEarly
    ? 'early-stopped'
    : result.stopped && result.epochsCompleted < settings.epochs
      ? 'stopped'
      : 'completed';
  const out: TextTrainResult = {
    reason,
    epochs: result.epochsCompleted,
    initial: start,
    history,
    bestEpoch: result.bestEpoch,
    final,
    evaluation: held?.classification ?? null,
  };
  onEvent({ type: 'done', reason, epochs: out.epochs, bestEpoch: out.bestEpoch, metrics: final });
  return out;
}

/** The tokens a generation run's windows hold: the settings' context, at most the model's. */
export function runContext(model: TextModel, settings: TextTrainSettings): number {
  const max = model.lm.config.contextLength;
  const asked = settings.contextLength;
  return asked && asked >= 2 ? Math.min(max, Math.floor(asked)) : max;
}

/** Stacks scalars (or rows) kept by the caller, reads them back once, disposes them. */
async function readAll(tf: Tf, parts: Tensor[]): Promise<Float32Array> {
  if (parts.length === 0) return new Float32Array(0);
  const joined = tf.tidy(() =>
    tf.concat(
      parts.map((p) => tf.reshape(p, [-1])),
      0,
    ),
  );
  parts.forEach((p) => p.dispose());
  const values = (await joined.data()) as Float32Array;
  joined.dispose();
  return values;
}

async function generationRunner(
  tf: Tf,
  model: TextModel,
  train: string,
  validation: string,
  settings: TextTrainSettings,
  B: number,
  breathe: () => Promise<void>,
): Promise<TextData> {
  const T = runContext(model, settings);
  const tok = model.tokenizer;
  const trainIds = tok.encode(train);
  const valIds = tok.encode(validation);
  if (trainIds.length < 2) throw new StudioError('dataset-empty', 'The training text is empty. Add more text and train again.');
  if (valIds.length < 2)
    throw new StudioError('dataset-empty', 'The validation text is empty. Add more text or hold out a larger share for validation.');
  const valWindows = sampleWindows(makeWindows(valIds, T, 0, tok.pad), settings.maxValidationWindows);
  let current: Windows = makeWindows(trainIds, T, 0, tok.pad);
  const baseCount = current.count;
  const windowSeed = deriveSeed(settings.seed, 'windows');
  const dropoutSeed = deriveSeed(settings.seed, 'dropout');
  return {
    trainCount: baseCount,
    valCount: valWindows.count,
    cached: false,
    epochOrder(epoch) {
      const rng = createRng(windowSeed + epoch);
      // Shift the cut points every epoch (epoch 1 keeps offset 0) so windows see new contexts.
      current = makeWindows(trainIds, T, epoch === 1 ? 0 : Math.floor(rng() * T), tok.pad);
      // Keep batches per epoch fixed: a shifted cut can add one window; the surplus one is dropped at random.
      return shuffled(
        Array.from({ length: current.count }, (_, i) => i),
        rng,
      ).slice(0, baseCount);
    },
    async batch(indices, step, rows) {
      const batch = windowBatch(current, indices, rows);
      return {
        weight: batch.targets,
        loss: () => {
          const { inputs, targets } = shiftWindows(tf, tf.tensor2d(batch.ids, [rows, T + 1], 'int32'));
          const w = tf.tensor2d(batch.weights, [rows, T]);
          const forward = { dropout: settings.dropout, loraDropout: settings.lora?.dropout ?? 0, seed: dropoutSeed + step };
          return { loss: lmLoss(tf, model.lm, inputs, targets, w, forward) };
        },
        dispose: () => {},
      };
    },
    async evaluate() {
      const parts: Tensor[] = [];
      const weights: number[] = [];
      for (let i = 0; i < valWindows.count; i += B) {
        const indices = Array.from({ length: Math.min(B, valWindows.count - i) }, (_, k) => i + k);
        const batch = windowBatch(valWindows, indices, B);
        weights.push(batch.targets);
        parts.push(
          tf.tidy(() => {
            const { inputs, targets } = shiftWindows(tf, tf.tensor2d(batch.ids, [B, T + 1], 'int32'));
            return lmLoss(tf, model.lm, inputs, targets, tf.tensor2d(batch.weights, [B, T]));
          }),
        );
        await breathe();
      }
      const losses = await readAll(tf, parts);
      let sum = 0;
      let total = 0;
      weights.forEach((w, i) => {
        // lmLoss divides by max(Σw, 1): multiply back to a sum over real targets.
        sum += (losses[i] as number) * Math.max(w, 1);
        total += w;
      });
      return { loss: total > 0 ? sum / total : 0, accuracy: null, classification: null };
    },
  };
}

async function classificationRunner(
  tf: Tf,
  model: TextModel,
  train: readonly LabelledText[],
  validation: readonly LabelledText[],
  settings: TextTrainSettings,
  B: number,
  breathe: () => Promise<void>,
  cache: TextFeatureCache | null,
): Promise<TextData> {
  const head = model.classifier as ClassifierHead;
  if (!head) throw new StudioError('internal', 'A classification run needs a model with a classifier head.');
  if (settings.pooling && settings.pooling !== head.pooling) {
    throw new StudioError('internal', `The model pools with '${head.pooling}', the settings ask for '${settings.pooling}'.`);
  }
  const K = head.labels.length;
  for (const e of [...train, ...validation]) {
    if (!Number.isInteger(e.label) || e.label < 0 || e.label >= K) {
      throw new StudioError('dataset-invalid', `An example has label ${e.label}, but the model has ${K} labels.`);
    }
  }
  if (train.length === 0) throw new StudioError('dataset-empty', 'There are no training examples. Add labelled texts and train again.');
  if (validation.length === 0)
    throw new StudioError('dataset-empty', 'There are no validation examples. Hold out a share of the texts for validation.');
  const T = model.lm.config.contextLength;
  const D = classifierInputSize(model.lm.config.width, model.lm.config.arch);
  const pad = model.tokenizer.pad;
  const encodeAll = (xs: readonly LabelledText[]) => xs.map((e) => encodeChunks(e.text, T, MAX_CHUNKS, model.tokenizer));
  const trainIds = encodeAll(train);
  const valIds = encodeAll(validation);
  const trainLabels = Int32Array.from(train, (e) => e.label);
  const valLabels = Int32Array.from(validation, (e) => e.label);
  // Adapters change the body's features too: only a head on an unadapted, frozen body reads cached features.
  const cached = !trainsBody(settings.trainableGroups) && !model.lm.lora;
  const orderSeed = deriveSeed(settings.seed, 'order');
  const dropoutSeed = deriveSeed(settings.seed, 'dropout');

  // Chunk slots per example: as many as the longest example has (at most MAX_CHUNKS).
  const longest = [...trainIds, ...valIds].reduce((m, e) => Math.max(m, e.length), 1);
  const C = Math.min(MAX_CHUNKS, longest);
  // Framed texts (BERT's) are one sequence each, padded only as far as the longest: attention masks the rest.
  const L = model.tokenizer.framed ? [...trainIds, ...valIds].reduce((m, e) => Math.max(m, e[0]?.length ?? 1), 1) : T;
  /** Ids, pooling and chunk weights of examples `indices`, padded to R rows of C chunks. */
  const inputs = (examples: readonly Int32Array[][], indices: readonly number[], R: number) =>
    chunkBatch(
      indices.map((i) => examples[i] as Int32Array[]),
      L,
      R,
      C,
      head.pooling,
      pad,
    );
  const labelsAndWeights = (labels: Int32Array, indices: readonly number[], R: number) => {
    const y = new Int32Array(R);
    const w = new Float32Array(R);
    indices.forEach((i, r) => {
      y[r] = labels[i] as number;
      w[r] = 1;
    });
    return { y, w };
  };
  /**
   * Features of all examples (frozen body), one readback: every chunk of every example is pooled in
   * batches of B chunks, then averaged per example here.
   */
  const featuresOf = async (examples: readonly Int32Array[][]): Promise<Float32Array> => {
    const rows = examples.flatMap((chunks, ex) => chunks.map((ids) => ({ ex, ids })));
    const parts: Tensor[] = [];
    for (let i = 0; i < rows.length; i += B) {
      const slice = rows.slice(i, i + B);
      const x = chunkBatch(
        slice.map((r) => [r.ids]),
        L,
        B,
        1,
        head.pooling,
        pad,
      );
      parts.push(tf.tidy(() => tf.slice(exampleFeatures(tf, model.lm, x, B, 1), [0, 0], [slice.length, D])));
      await breathe();
    }
    const perChunk = await readAll(tf, parts);
    const out = new Float32Array(examples.length * D);
    rows.forEach((r, i) => {
      const n = (examples[r.ex] as Int32Array[]).length;
      for (let d = 0; d < D; d++) out[r.ex * D + d] = (out[r.ex * D + d] as number) + (perChunk[i * D + d] as number) / n;
    });
    return out;
  };
  /** `featuresOf` through the cache: only texts it does not hold are run through the body. */
  const cachedFeaturesOf = async (xs: readonly LabelledText[], ids: readonly Int32Array[][]): Promise<Float32Array> => {
    if (!cache) return featuresOf(ids);
    const keys = xs.map((e) => `${head.pooling}\u0000${e.text}`);
    const out = new Float32Array(xs.length * D);
    const missing: number[] = [];
    keys.forEach((k, i) => {
      const hit = cache.get(k);
      if (hit?.length === D) out.set(hit, i * D);
      else missing.push(i);
    });
    if (missing.length === 0) return out;
    const fresh = await featuresOf(missing.map((i) => ids[i] as Int32Array[]));
    missing.forEach((i, r) => {
      const f = fresh.slice(r * D, (r + 1) * D);
      out.set(f, i * D);
      cache.set(keys[i] as string, f);
    });
    return out;
  };
  const trainFeatures = cached ? await cachedFeaturesOf(train, trainIds) : null;
  const valFeatures = cached ? await cachedFeaturesOf(validation, valIds) : null;
  if (!head.fitted) {
    // Centre the head on the training set's mean pooled feature (≤ 512 examples, seeded, when the body trains).
    if (trainFeatures) fitShift(tf, head, trainFeatures, train.length);
    else {
      const pick = shuffled(
        Array.from({ length: train.length }, (_, i) => i),
        createRng(deriveSeed(settings.seed, 'shift')),
      ).slice(0, 512);
      fitShift(tf, head, await featuresOf(pick.map((i) => trainIds[i] as Int32Array[])), pick.length);
    }
  }
  const featureRows = (features: Float32Array, indices: readonly number[], R: number): Float32Array => {
    const out = new Float32Array(R * D);
    indices.forEach((i, r) => out.set(features.subarray(i * D, (i + 1) * D), r * D));
    return out;
  };
  /** Logits [R, K] of a batch padded to R rows; inside tidy/variableGrads. */
  const logitsOf = (
    examples: readonly Int32Array[][],
    features: Float32Array | null,
    indices: readonly number[],
    R: number,
    dropout: number,
    seed: number,
  ) => {
    if (features) return classifierLogits(tf, head, tf.tensor2d(featureRows(features, indices, R), [R, D]), dropout, seed);
    return classifierLogits(tf, head, exampleFeatures(tf, model.lm, inputs(examples, indices, R), R, C), dropout, seed);
  };

  return {
    trainCount: train.length,
    valCount: validation.length,
    cached,
    epochOrder(epoch) {
      return shuffled(
        Array.from({ length: train.length }, (_, i) => i),
        createRng(orderSeed + epoch),
      );
    },
    async batch(indices, step, rows) {
      const { y, w } = labelsAndWeights(trainLabels, indices, rows);
      return {
        weight: indices.length,
        loss: () => ({
          loss: classifierLoss(
            tf,
            logitsOf(trainIds, trainFeatures, indices, rows, settings.dropout, dropoutSeed + step),
            tf.tensor1d(y, 'int32'),
            tf.tensor1d(w),
          ),
        }),
        dispose: () => {},
      };
    },
    async evaluate() {
      const parts: Tensor[] = [];
      for (let i = 0; i < validation.length; i += B) {
        const indices = Array.from({ length: Math.min(B, validation.length - i) }, (_, k) => i + k);
        parts.push(tf.tidy(() => tf.slice(tf.softmax(logitsOf(valIds, valFeatures, indices, B, 0, 0)), [0, 0], [indices.length, K])));
        await breathe();
      }
      const classification = scoreClassification(await readAll(tf, parts), valLabels.slice(), K);
      return { loss: classification.loss, accuracy: classification.accuracy, classification };
    },
  };
}
