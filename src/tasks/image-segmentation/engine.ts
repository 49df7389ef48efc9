/**
 * The segmentation engine: plain code that does not know whether it runs in a worker or in Node. It
 * takes a fresh copy of the loaded backbone at the run's input size (the image engine holds the
 * pre-trained model both image tasks share), builds the U-Net decoder on it, trains on the one loop
 * (./runner.ts), evaluates (dataset-level and per image), predicts and exports.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { StudioError } from '../../lib/errors';
import { captureCheckpoint, heldWeights, layerState, restoreState, type Checkpoint } from '../../engine/checkpoint';
import { hasWeights } from '../../engine/graph';
import type { LoopEvent } from '../../engine/loop';
import { trainingFailure, type EngineEvent } from '../../engine/engine';
import {
  finishImageRecord,
  newRecordBase,
  noteImageEpoch,
  resumedRecord,
  type DataManifest,
  type RunStart,
  type SegRunRecord,
  type SplitManifest,
} from '../../engine/run-record';
import type { BackendName, EpochMetrics, ModelSummary, TrainResult, TrainSettings } from '../../engine/types';
import { wasmBlockedMessage, wasmGradientBlocker } from '../../engine/wasm-grads';
import { range0, toInputRange } from '../image-classification/runner';
import { addToConfusion, confusionRows, imageForegroundIou, segScores } from './metrics';
import { applySegFreezing, composeSegmenter, type DecoderInfo } from './model';
import { balancedClassWeights, EVAL_CHUNK, runSegmentation, segLoss, type SegEvaluation, type SegLoss, type SegSource } from './runner';
import { DEFAULT_SEG_LOSS, type SegEvalResult, type SegPrediction } from './types';
import { IGNORE_CLASS } from '../../data/segmentation';

type Tf = typeof tfTypes;
type Tensor = tfTypes.Tensor;

export type SegEngineEvent = EngineEvent<SegRunRecord>;

/** What the engine needs of the image engine that holds the pre-trained backbone. */
export interface BackboneSource {
  summary(): ModelSummary | null;
  backboneCopy(size: number): Promise<tfTypes.LayersModel>;
}

export interface SegTrainOptions {
  run?: (RunStart & { data: DataManifest }) | null;
  resume?: { checkpoint: Checkpoint; history: readonly EpochMetrics[]; record?: SegRunRecord | null } | null;
  checkpoints?: boolean;
}

interface Run {
  model: tfTypes.LayersModel;
  backbone: tfTypes.LayersModel;
  settings: TrainSettings;
  record: SegRunRecord;
}

const copy = <T>(x: T): T => structuredClone(x);

/** A segmentation run's loss from its settings and the training masks' class pixels. */
async function lossFor(settings: TrainSettings, numClasses: number, train: SegSource): Promise<SegLoss> {
  const s = settings.segmentation ?? DEFAULT_SEG_LOSS;
  if (s.classWeights !== 'balanced') return { diceWeight: s.diceWeight, classWeights: null };
  const counts = new Array<number>(numClasses).fill(0);
  for (let start = 0; start < train.ids.length; start += 32) {
    const masks = await train.masks(range0(start, Math.min(train.ids.length, start + 32)), settings.imageSize);
    for (const v of masks) if (v < numClasses) counts[v] = (counts[v] ?? 0) + 1;
  }
  return { diceWeight: s.diceWeight, classWeights: balancedClassWeights(counts) };
}

export function createSegmentationEngine(
  tf: Tf,
  backbones: BackboneSource,
  backend: () => BackendName = () => tf.getBackend() as BackendName,
) {
  let run: Run | null = null;
  let busy = false;
  let stopRequested = false;

  function disposeRun(): void {
    run?.backbone.dispose();
    // The decoder's layers belong to the segmenter only.
    run?.model.layers.filter((l) => l.name.startsWith('seg_')).forEach((l) => l.dispose());
    run = null;
  }

  function requireRun(): Run {
    if (!run) throw new StudioError('unsupported', 'Train a segmentation model first.');
    return run;
  }

  /** Builds the segmenter for a run: a fresh backbone copy at the input size, the decoder, the freezing. */
  async function build(
    settings: TrainSettings,
    numClasses: number,
  ): Promise<{ model: tfTypes.LayersModel; backbone: tfTypes.LayersModel; decoder: DecoderInfo }> {
    const backbone = await backbones.backboneCopy(settings.imageSize);
    try {
      const { model, decoder } = composeSegmenter(tf, backbone, { numClasses, seed: settings.seed });
      applySegFreezing(model, new Set(settings.mode === 'fine-tune' ? settings.trainableLayers : []));
      return { model, backbone, decoder };
    } catch (err) {
      backbone.dispose();
      throw err;
    }
  }

  /** On WASM: refuses training through layers whose gradients that backend lacks (depthwise convolutions). */
  function checkBackendCanTrain(model: tfTypes.LayersModel): void {
    if (backend() !== 'wasm') return;
    const blocked = wasmGradientBlocker(
      model.layers.map((l) => ({ name: l.name, className: l.getClassName(), trains: l.trainable && hasWeights(l) })),
    );
    if (blocked) throw new StudioError('unsupported', wasmBlockedMessage(blocked, 'Choose "Decoder only" (its layers train there)'));
  }

  /** Every example of `source` through the model: the dataset's confusion, each image's scores and predicted map, the loss. */
  async function evaluateOn(r: Run, source: SegSource, onEvent?: (e: SegEngineEvent) => void): Promise<SegEvalResult> {
    const size = r.settings.imageSize;
    const k = r.record.labels.length;
    const confusion = new Float64Array(k * k);
    const images: SegEvalResult['images'] = [];
    const n = source.ids.length;
    const loss: SegLoss = r.record.loss;
    let lossSum = 0;
    for (let start = 0; start < n; start += EVAL_CHUNK) {
      const idx = range0(start, Math.min(n, start + EVAL_CHUNK));
      const [px, masks] = await Promise.all([source.pixels(idx, size), source.masks(idx, size)]);
      const [classesT, lossT] = tf.tidy(() => {
        const x = toInputRange(tf, tf.tensor4d(px, [idx.length, size, size, 3]), r.record.input.inputRange);
        const probs = r.model.predict(x) as Tensor;
        const mask = tf.tensor3d(Int32Array.from(masks), [idx.length, size, size], 'int32');
        return [tf.argMax(probs, -1), segLoss(tf, probs, mask, k, loss).loss];
      });
      const [classes, lossValue] = await Promise.all([(classesT as Tensor).data(), (lossT as Tensor).data()]);
      tf.dispose([classesT as Tensor, lossT as Tensor]);
      lossSum += (lossValue[0] ?? 0) * idx.length;
      const per = size * size;
      idx.forEach((i, j) => {
        const truth = masks.subarray(j * per, (j + 1) * per);
        const predicted = Uint8Array.from(classes.subarray(j * per, (j + 1) * per));
        addToConfusion(confusion, truth, predicted, k);
        let right = 0;
        let counted = 0;
        for (let p = 0; p < per; p++) {
          if (truth[p] === IGNORE_CLASS) continue;
          counted++;
          if (truth[p] === predicted[p]) right++;
        }
        images.push({
          id: source.ids[i] ?? String(i),
          iou: imageForegroundIou(truth, predicted, k),
          pixelAccuracy: counted ? right / counted : Number.NaN,
          predicted,
        });
      });
      onEvent?.({ type: 'phase', phase: 'evaluating', done: start + idx.length, total: n });
    }
    const rows = confusionRows(confusion, k);
    const scores = segScores(rows);
    return {
      labels: [...r.record.labels],
      size,
      loss: n ? lossSum / n : Number.NaN,
      pixelAccuracy: scores.pixelAccuracy,
      meanIou: scores.meanIou,
      meanDice: scores.meanDice,
      perClass: scores.perClass,
      confusion: rows,
      images,
    };
  }

  return {
    stop(): void {
      stopRequested = true;
    },

    async train(
      settings: TrainSettings,
      labels: readonly string[],
      train: SegSource,
      val: SegSource,
      onEvent: (e: SegEngineEvent) => void,
      options: SegTrainOptions = {},
    ): Promise<TrainResult> {
      if (busy) throw new StudioError('unsupported', 'A run is already in progress.');
      const summary = backbones.summary();
      if (!summary) throw new StudioError('model-load-failed', 'No pre-trained model is loaded yet.');
      if (labels.length < 2)
        throw new StudioError('dataset-invalid', 'A segmentation model needs at least two classes: the background and one kind of object.');
      if (train.ids.length === 0) throw new StudioError('dataset-empty', 'The training split holds no image–mask pairs.');
      busy = true;
      stopRequested = false;
      try {
        disposeRun();
        const { model, backbone, decoder } = await build(settings, labels.length);
        const loss = await lossFor(settings, labels.length, train);
        const resumed = options.resume?.record ?? null;
        const now = new Date().toISOString();
        const record: SegRunRecord = resumed
          ? {
              ...resumedRecord(resumed, {
                backend: backend(),
                afterEpoch: options.resume?.checkpoint.epoch ?? 0,
                at: now,
                data: options.run?.data,
                noun: 'image–mask pairs',
              }),
              segEvaluation: null,
            }
          : {
              ...newRecordBase({
                id: options.run?.id ?? `run-${Date.now().toString(36)}`,
                startedAt: now,
                backend: backend(),
                seed: settings.seed,
                model: options.run?.model ?? { id: summary.id, name: summary.name, licence: 'unknown', source: 'unknown' },
                data: options.run?.data ?? {
                  train: { count: 0, digest: '' },
                  val: { count: 0, digest: '' },
                  classes: [],
                  validationSplit: 0,
                },
              }),
              task: 'image-segmentation',
              labels: [...labels],
              settings: copy(settings),
              input: { imageSize: settings.imageSize, inputRange: [...summary.inputRange], resize: 'stretch' },
              trainable: model.layers.filter((l) => l.trainable && hasWeights(l)).map((l) => l.name),
              decoder,
              loss: { diceWeight: loss.diceWeight, classWeights: loss.classWeights ? [...loss.classWeights] : null },
              segEvaluation: null,
            };
        run = { model, backbone, settings: copy(settings), record };
        checkBackendCanTrain(model);
        const emitRecord = () => onEvent({ type: 'run', record: copy(record) });
        emitRecord();
        const result = await runSegmentation({
          tf,
          model,
          settings,
          numClasses: labels.length,
          inputRange: summary.inputRange,
          train,
          val,
          loss,
          shouldStop: () => stopRequested,
          resume: options.resume ?? null,
          checkpoints: options.checkpoints ?? false,
          onEvent: (e: LoopEvent<SegEvaluation>) => {
            if (e.type === 'batch') {
              const { epoch, batch, batches, loss: l, accuracy, step } = e;
              onEvent({ type: 'batch', metrics: { epoch, batch, batches, loss: l, accuracy, step } });
            } else if (e.type === 'epoch') {
              onEvent({ type: 'epoch', metrics: e.metrics });
              if (noteImageEpoch(record, e.metrics)) emitRecord();
            } else if (e.type === 'log') {
              record.notes.push(e.message);
              onEvent(e);
            } else onEvent(e);
          },
        });
        finishImageRecord(record, result);
        emitRecord();
        const { epochsCompleted, stopped, stoppedEarly, bestEpoch, history, trainableParams } = result;
        return { epochsCompleted, stopped, stoppedEarly, bestEpoch, history, trainableParams };
      } catch (err) {
        if (err instanceof StudioError) throw err;
        throw new StudioError('training-failed', trainingFailure(err, 'or train the decoder only'), { cause: err });
      } finally {
        busy = false;
        stopRequested = false;
      }
    },

    /** The weights the last run's model holds now (its decoder and trained encoder layers), as a `final` checkpoint. */
    async heldCheckpoint(): Promise<Checkpoint | null> {
      if (!run) return null;
      const cp = await captureCheckpoint(
        layerState(run.model.layers.filter((l) => run?.record.trainable.includes(l.name))),
        run.record.metrics.epochsCompleted,
        {
          head: null,
          backbone: null,
        },
      );
      return { ...cp, final: true };
    },

    /** Makes a finished run's model current, training nothing: rebuilt from its record, with its checkpoint's weights. */
    async restoreRun(record: SegRunRecord, checkpoint: Checkpoint): Promise<TrainResult> {
      if (busy) throw new StudioError('unsupported', 'A run is in progress: wait for it to end, then use this run.');
      const summary = backbones.summary();
      if (!summary || summary.id !== record.model.id) {
        throw new StudioError(
          'unsupported',
          `This run fine-tuned ${record.model.name}, but ${summary?.name ?? 'no model'} is loaded now. Choose ${record.model.name} in step 2, then use this run again.`,
        );
      }
      disposeRun();
      const { model, backbone } = await build(record.settings, record.labels.length);
      restoreState(tf, layerState(model.layers), heldWeights(checkpoint, record.metrics.bestEpoch));
      run = { model, backbone, settings: copy(record.settings), record: copy(record) };
      const m = record.metrics;
      return {
        epochsCompleted: m.epochsCompleted,
        stopped: m.stopped,
        stoppedEarly: m.stoppedEarly,
        bestEpoch: m.bestEpoch,
        history: copy(m.history),
        trainableParams: record.trainableParams,
      };
    },

    /** Evaluates the last run's model; `split` (the evaluated data's manifest) says whether it is the run's own validation split. */
    async evaluate(source: SegSource, onEvent?: (e: SegEngineEvent) => void, split?: SplitManifest): Promise<SegEvalResult> {
      const r = requireRun();
      const result = await evaluateOn(r, source, onEvent);
      const onRunSplit = split?.digest === r.record.data.val.digest;
      r.record.metrics.evaluation = { accuracy: result.pixelAccuracy, loss: result.loss, examples: source.ids.length, onRunSplit };
      r.record.segEvaluation = {
        meanIou: result.meanIou,
        meanDice: result.meanDice,
        pixelAccuracy: result.pixelAccuracy,
        perClassIou: result.perClass.map((c) => c.iou),
        onRunSplit,
      };
      return result;
    },

    /** Class probabilities and the arg-max map of one image (size × size × 3 pixels in [0, 1]). */
    async predict(pixels: Float32Array): Promise<SegPrediction> {
      const r = requireRun();
      const size = r.settings.imageSize;
      const k = r.record.labels.length;
      const probsT = tf.tidy(
        () => r.model.predict(toInputRange(tf, tf.tensor4d(pixels, [1, size, size, 3]), r.record.input.inputRange)) as Tensor,
      );
      const probabilities = (await probsT.data()) as Float32Array;
      probsT.dispose();
      const classes = new Uint8Array(size * size);
      const classPixels = new Array<number>(k).fill(0);
      for (let p = 0; p < size * size; p++) {
        let best = 0;
        for (let c = 1; c < k; c++) if ((probabilities[p * k + c] ?? 0) > (probabilities[p * k + best] ?? 0)) best = c;
        classes[p] = best;
        classPixels[best] = (classPixels[best] ?? 0) + 1;
      }
      return { size, labels: [...r.record.labels], probabilities, classes, classPixels };
    },

    model(): tfTypes.LayersModel | null {
      return run?.model ?? null;
    },

    settings(): TrainSettings | null {
      return run?.settings ?? null;
    },

    record(): SegRunRecord | null {
      return run ? copy(run.record) : null;
    },

    dispose(): void {
      disposeRun();
    },
  };
}

export type SegmentationEngine = ReturnType<typeof createSegmentationEngine>;
