/**
 * The text fine-tuning loop, one function for both tasks. Plain code (no DOM, no worker): the worker
 * exposes it, tests call it in Node.
 *
 * - Trains only the variables of `settings.trainableGroups` (groups.ts), with the flat optimizers
 *   of the image engine (adam, adamw with decoupled decay, sgd with momentum 0.9) and its
 *   learning-rate schedules.
 * - Generation: the text is cut into windows of contextLength + 1 bytes (the cut points shift by a
 *   seeded offset every epoch; validation uses offset 0); loss = next-byte cross-entropy, padding
 *   weighted 0. Classification: padded examples, pooled features, softmax; when no group below the
 *   head trains, pooled features are computed once and cached (as typed arrays). A fresh head's
 *   feature centring is fitted on the training set before the first step (classifier.ts).
 * - Emits 'initial' (validation before the first step), 'batch', 'epoch' and 'done' events. Honours
 *   `shouldStop` between batches and yields to the event loop every ~50 ms. Per-batch tensors live
 *   in tidy; the optimizer and best-weights snapshot are owned here and disposed before returning.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { createFlatOptimizer } from '../engine/flat-optimizer';
import { learningRateAt } from '../engine/schedule';
import type { ScheduleSettings } from '../engine/types';
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
import { classifierInputSize, countTrainableParams, trainableVariableNames, trainsBody } from './groups';
import { lmLoss, shiftWindows } from './model';
import { encode } from './tokenizer';
import { generateText, textModelGroups, textVariables, type TextModel } from './text-model';
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
}

/** The engine's schedule settings for a text schedule (defaults: 0.1 warm-up epochs, min factor 0.1). */
export function toScheduleSettings(s: TextTrainSettings['schedule']): ScheduleSettings {
  return { kind: s.kind, stepEpochs: 1, stepFactor: 1, warmupEpochs: s.warmupEpochs ?? 0.1, minFactor: s.minFactor ?? 0.1 };
}

/** Weights that decay: matrices (embeddings, kernels, output head), not biases or LayerNorm parameters. */
function decays(v: tfTypes.Variable): boolean {
  return v.rank >= 2;
}

interface Evaluation {
  loss: number;
  accuracy: number | null;
  classification: ClassificationEvaluation | null;
}

/** What a task needs to train one batch and to evaluate; built once per run. */
interface TaskRunner {
  trainCount: number;
  valCount: number;
  cached: boolean;
  /** Index order of one epoch's training rows. */
  epochOrder(epoch: number): number[];
  /** Loss of one batch (inside variableGrads) and its weight (real tokens or examples). */
  batchLoss(indices: number[], step: number): { loss: () => tfTypes.Scalar; weight: number };
  evaluate(): Promise<Evaluation>;
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
  const shouldStop = control.shouldStop ?? (() => false);
  if (settings.task !== model.task || data.task !== model.task) {
    throw new StudioError('internal', `The settings (${settings.task}) and data (${data.task}) do not match the model (${model.task}).`);
  }
  const breathe = createYielder();
  const B = Math.max(1, Math.floor(settings.batchSize));
  const groups = textModelGroups(model);
  const allVars = textVariables(model);
  const names = trainableVariableNames(groups, settings.trainableGroups);
  const vars = names.map((n) => allVars.get(n)).filter((v): v is tfTypes.Variable => v !== undefined);
  if (vars.length === 0) throw new StudioError('training-failed', 'Nothing would train: choose at least one part of the model to train.');
  const decayVars = vars.filter(decays);
  const totalParams = groups.reduce((n, g) => n + g.params, 0);
  const trainableParams = countTrainableParams(groups, settings.trainableGroups);

  const runner =
    data.task === 'text-generation'
      ? await generationRunner(tf, model, data.train, data.validation, settings, B, breathe)
      : await classificationRunner(tf, model, data.train, data.validation, settings, B, breathe);
  const batches = Math.max(1, Math.ceil(runner.trainCount / B));
  const totalSteps = settings.epochs * batches;
  const schedule = toScheduleSettings(settings.schedule);
  const sampleSettings = model.task === 'text-generation' ? (settings.sample ?? null) : null;

  const metricsOf = async (
    epoch: number,
    ev: Evaluation,
    trainLoss: number | null,
    lr: number,
    seconds: number,
  ): Promise<TextEpochMetrics> => ({
    epoch,
    trainLoss,
    valLoss: ev.loss,
    perplexity: model.task === 'text-generation' ? Math.exp(ev.loss) : null,
    valAccuracy: ev.accuracy,
    learningRate: lr,
    sample: sampleSettings
      ? await generateText(tf, model, sampleSettings.prompt, {
          maxTokens: sampleSettings.maxTokens,
          temperature: sampleSettings.temperature,
          topK: sampleSettings.topK,
          seed: sampleSettings.seed ?? settings.seed,
        })
      : null,
    seconds,
  });

  const optimizer = createFlatOptimizer(tf, settings.optimizer, vars);
  let snapshot: { epoch: number; values: Tensor[] } | null = null;
  try {
    let lastEval = await runner.evaluate();
    const initial = await metricsOf(0, lastEval, null, learningRateAt(settings.learningRate, schedule, 0, totalSteps, batches), 0);
    onEvent({
      type: 'initial',
      epoch: 0,
      metrics: initial,
      trainableParams,
      totalParams,
      trainExamples: runner.trainCount,
      validationExamples: runner.valCount,
      batchesPerEpoch: batches,
      cachedFeatures: runner.cached,
    });

    const monitor = settings.earlyStopping?.monitor ?? 'val-loss';
    const score = (m: TextEpochMetrics): number => (monitor === 'val-accuracy' ? (m.valAccuracy ?? Number.NaN) : -m.valLoss);
    const history: TextEpochMetrics[] = [];
    let best: TextEpochMetrics | null = null;
    let sinceBest = 0;
    let step = 0;
    let reason: TextStopReason = 'completed';
    let dirty = false; // weights changed since `lastEval`
    const l2 = settings.optimizer !== 'adamw' && settings.weightDecay > 0 ? settings.weightDecay : 0;

    for (let epoch = 1; epoch <= settings.epochs; epoch++) {
      const started = Date.now();
      const order = runner.epochOrder(epoch);
      let lossSum = 0;
      let weightSum = 0;
      let done = 0;
      let lr = settings.learningRate;
      const inFlight: Array<{ loss: Tensor; weight: number; batch: number; lr: number }> = [];
      const settle = async (r: { loss: Tensor; weight: number; batch: number; lr: number }): Promise<void> => {
        const [v] = await r.loss.data();
        r.loss.dispose();
        const value = v ?? Number.NaN;
        if (!Number.isFinite(value)) {
          inFlight.forEach((q) => q.loss.dispose());
          inFlight.length = 0;
          throw new StudioError('training-failed', 'The loss became NaN or infinite. Lower the learning rate and train again.');
        }
        lossSum += value * r.weight;
        weightSum += r.weight;
        done++;
        onEvent({ type: 'batch', epoch, batch: r.batch, batches, step: (epoch - 1) * batches + r.batch, loss: value, learningRate: r.lr });
      };
      for (let b = 0; b < batches; b++) {
        if (shouldStop()) break;
        lr = learningRateAt(settings.learningRate, schedule, step, totalSteps, batches);
        const { loss, weight } = runner.batchLoss(order.slice(b * B, (b + 1) * B), step);
        const { value, grads } = tf.variableGrads(
          () =>
            tf.tidy(() => {
              const l = loss();
              if (l2 === 0 || decayVars.length === 0) return l;
              return tf.add(l, tf.mul(tf.addN(decayVars.map((v) => tf.sum(tf.square(v)))), l2 / 2)) as tfTypes.Scalar;
            }),
          vars,
        );
        optimizer.step(grads, lr);
        Object.values(grads).forEach((g) => g.dispose());
        if (settings.optimizer === 'adamw' && settings.weightDecay > 0) {
          const keep = 1 - lr * settings.weightDecay;
          tf.tidy(() => decayVars.forEach((v) => v.assign(tf.mul(v, keep))));
        }
        dirty = true;
        step++;
        // Read the loss one batch late: the next batch is already queued, so a GPU never idles.
        inFlight.push({ loss: value, weight, batch: b + 1, lr });
        if (inFlight.length > 1) await settle(inFlight.shift()!);
        await breathe();
      }
      while (inFlight.length) await settle(inFlight.shift()!);
      if (done < batches) {
        reason = 'stopped';
        break; // a partial epoch is not recorded
      }
      lastEval = await runner.evaluate();
      dirty = false;
      const m = await metricsOf(epoch, lastEval, weightSum > 0 ? lossSum / weightSum : Number.NaN, lr, (Date.now() - started) / 1000);
      history.push(m);
      if (best === null || score(m) > score(best) + 1e-6) {
        best = m;
        sinceBest = 0;
        if (settings.earlyStopping?.restoreBest) {
          snapshot?.values.forEach((t) => t.dispose());
          snapshot = { epoch, values: vars.map((v) => tf.clone(v)) };
        }
      } else sinceBest++;
      onEvent({ type: 'epoch', metrics: m });
      if (settings.earlyStopping && sinceBest >= Math.max(1, settings.earlyStopping.patience) && epoch < settings.epochs) {
        reason = 'early-stopped';
        break;
      }
      if (shouldStop()) {
        reason = epoch < settings.epochs ? 'stopped' : 'completed';
        break;
      }
    }

    let final: TextEpochMetrics = history[history.length - 1] ?? initial;
    const last = history[history.length - 1];
    if (settings.earlyStopping?.restoreBest && snapshot && best && (dirty || snapshot.epoch !== last?.epoch)) {
      const values = snapshot.values;
      vars.forEach((v, i) => v.assign(values[i] as Tensor));
      lastEval = await runner.evaluate();
      final = { ...best };
      dirty = false;
    } else if (dirty) {
      // Stopped mid-epoch: the weights moved since the last evaluation.
      lastEval = await runner.evaluate();
      final = await metricsOf(last?.epoch ?? 0, lastEval, last?.trainLoss ?? null, last?.learningRate ?? settings.learningRate, 0);
    }
    const result: TextTrainResult = {
      reason,
      epochs: history.length,
      initial,
      history,
      bestEpoch: best?.epoch ?? null,
      final,
      evaluation: lastEval.classification,
    };
    onEvent({ type: 'done', reason, epochs: history.length, bestEpoch: result.bestEpoch, metrics: final });
    return result;
  } finally {
    optimizer.dispose();
    snapshot?.values.forEach((t) => t.dispose());
  }
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
): Promise<TaskRunner> {
  const T = model.lm.config.contextLength;
  const trainIds = encode(train);
  const valIds = encode(validation);
  if (trainIds.length < 2) throw new StudioError('dataset-empty', 'The training text is empty. Add more text and train again.');
  if (valIds.length < 2)
    throw new StudioError('dataset-empty', 'The validation text is empty. Add more text or hold out a larger share for validation.');
  const valWindows = sampleWindows(makeWindows(valIds, T, 0), settings.maxValidationWindows);
  const baseCount = makeWindows(trainIds, T, 0).count;
  let current: Windows = makeWindows(trainIds, T, 0);
  const windowSeed = deriveSeed(settings.seed, 'windows');
  const dropoutSeed = deriveSeed(settings.seed, 'dropout');
  return {
    trainCount: baseCount,
    valCount: valWindows.count,
    cached: false,
    epochOrder(epoch) {
      const rng = createRng(windowSeed + epoch);
      // Shift the cut points every epoch (epoch 1 keeps offset 0) so windows see new contexts.
      current = makeWindows(trainIds, T, epoch === 1 ? 0 : Math.floor(rng() * T));
      // Keep batches per epoch fixed: a shifted cut can add one window; the surplus one is dropped at random.
      return shuffled(
        Array.from({ length: current.count }, (_, i) => i),
        rng,
      ).slice(0, baseCount);
    },
    batchLoss(indices, step) {
      const batch = windowBatch(current, indices, B);
      return {
        weight: batch.targets,
        loss: () => {
          const { inputs, targets } = shiftWindows(tf, tf.tensor2d(batch.ids, [B, T + 1], 'int32'));
          const w = tf.tensor2d(batch.weights, [B, T]);
          return lmLoss(tf, model.lm, inputs, targets, w, { dropout: settings.dropout, seed: dropoutSeed + step });
        },
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
): Promise<TaskRunner> {
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
  const D = classifierInputSize(model.lm.config.width);
  const encodeAll = (xs: readonly LabelledText[]) => xs.map((e) => encodeChunks(e.text, T));
  const trainIds = encodeAll(train);
  const valIds = encodeAll(validation);
  const trainLabels = Int32Array.from(train, (e) => e.label);
  const valLabels = Int32Array.from(validation, (e) => e.label);
  const cached = !trainsBody(settings.trainableGroups);
  const orderSeed = deriveSeed(settings.seed, 'order');
  const dropoutSeed = deriveSeed(settings.seed, 'dropout');

  // Chunk slots per example: as many as the longest example has (at most MAX_CHUNKS).
  const longest = [...trainIds, ...valIds].reduce((m, e) => Math.max(m, e.length), 1);
  const C = Math.min(MAX_CHUNKS, longest);
  /** Ids, pooling and chunk weights of examples `indices`, padded to B rows of C chunks. */
  const inputs = (examples: readonly Int32Array[][], indices: readonly number[]) =>
    chunkBatch(
      indices.map((i) => examples[i] as Int32Array[]),
      T,
      B,
      C,
      head.pooling,
    );
  const labelsAndWeights = (labels: Int32Array, indices: readonly number[]) => {
    const y = new Int32Array(B);
    const w = new Float32Array(B);
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
        T,
        B,
        1,
        head.pooling,
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
  const trainFeatures = cached ? await featuresOf(trainIds) : null;
  const valFeatures = cached ? await featuresOf(valIds) : null;
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
  const featureRows = (features: Float32Array, indices: readonly number[]): Float32Array => {
    const out = new Float32Array(B * D);
    indices.forEach((i, r) => out.set(features.subarray(i * D, (i + 1) * D), r * D));
    return out;
  };
  /** Logits [B, K] of a batch; inside tidy/variableGrads. */
  const logitsOf = (
    examples: readonly Int32Array[][],
    features: Float32Array | null,
    indices: readonly number[],
    dropout: number,
    seed: number,
  ) => {
    if (features) return classifierLogits(tf, head, tf.tensor2d(featureRows(features, indices), [B, D]), dropout, seed);
    return classifierLogits(tf, head, exampleFeatures(tf, model.lm, inputs(examples, indices), B, C), dropout, seed);
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
    batchLoss(indices, step) {
      const { y, w } = labelsAndWeights(trainLabels, indices);
      return {
        weight: indices.length,
        loss: () =>
          classifierLoss(
            tf,
            logitsOf(trainIds, trainFeatures, indices, settings.dropout, dropoutSeed + step),
            tf.tensor1d(y, 'int32'),
            tf.tensor1d(w),
          ),
      };
    },
    async evaluate() {
      const parts: Tensor[] = [];
      for (let i = 0; i < validation.length; i += B) {
        const indices = Array.from({ length: Math.min(B, validation.length - i) }, (_, k) => i + k);
        parts.push(tf.tidy(() => tf.slice(tf.softmax(logitsOf(valIds, valFeatures, indices, 0, 0)), [0, 0], [indices.length, K])));
        await breathe();
      }
      const probabilities = await readAll(tf, parts);
      const predicted = new Int32Array(validation.length);
      let correct = 0;
      let nll = 0;
      for (let i = 0; i < validation.length; i++) {
        let arg = 0;
        for (let k = 1; k < K; k++) if ((probabilities[i * K + k] as number) > (probabilities[i * K + arg] as number)) arg = k;
        predicted[i] = arg;
        const truth = valLabels[i] as number;
        if (arg === truth) correct++;
        nll -= Math.log(Math.max(probabilities[i * K + truth] as number, 1e-12));
      }
      const accuracy = correct / validation.length;
      const loss = nll / validation.length;
      return { loss, accuracy, classification: { labels: valLabels.slice(), predicted, probabilities, accuracy, loss } };
    },
  };
}
