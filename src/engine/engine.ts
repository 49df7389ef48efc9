/**
 * The training engine: plain code that does not know whether it runs in a worker or in Node.
 * It owns the pre-trained backbone, composes a classifier head, caches the frozen prefix,
 * trains with a custom loop, evaluates, predicts and exports.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { StudioError } from '../lib/errors';
import { HEAD_LAYERS, applyFreezing, composeClassifier, headInit } from '../models/head';
import { summarize } from '../models/inspect';
import { rebuildAtInputSize } from '../models/resize';
import { hasWeights } from './graph';
import { jobLayerProblem } from '../job/job-export';
import { wasmBlockedMessage, wasmGradientBlocker } from './wasm-grads';
import {
  imageClassificationRunner,
  imagePartNames,
  pixelTensor,
  range0,
  runTraining,
  toInputRange,
  type PrefixCacheStore,
  type PrefixCaches,
} from '../tasks/image-classification/runner';
import { headLayerCandidates, pickHeadLayer, pooledFeatures, probeFolds, type HeadLayerChoice } from './head-layer';
import { findLearningRate, type LrFinderOptions, type LrFinderResult, type LrPoint } from './lr-finder';
import type { SampleSource } from './sources';
import { GRAPH_TRAIN_MESSAGE } from './types';
import { captureCheckpoint, heldWeights, layerState, restoreState, type Checkpoint } from './checkpoint';
import {
  finishImageRecord,
  newRecordBase,
  noteImageEpoch,
  resumedRecord,
  type DataManifest,
  type ImageRunRecord,
  type RunEvaluation,
  type RunRecord,
  type RunStart,
  type SplitManifest,
} from './run-record';
import type { BackendName, BatchMetrics, EpochMetrics, EvalResult, ModelSummary, TrainResult, TrainSettings } from './types';

type Tf = typeof tfTypes;
type Tensor = tfTypes.Tensor;

/** What an image engine tells while it works (`R`: its run record; segmentation's engine sends its own). */
export type EngineEvent<R extends RunRecord = ImageRunRecord> =
  | { type: 'phase'; phase: 'decoding' | 'probing' | 'caching' | 'training' | 'evaluating'; done: number; total: number }
  | { type: 'batch'; metrics: BatchMetrics }
  | { type: 'epoch'; metrics: EpochMetrics }
  /** The run's weights after a completed epoch (see ./checkpoint.ts). */
  | { type: 'checkpoint'; checkpoint: Checkpoint }
  /** A sentence for the user about the run (e.g. the batch size halved after running out of memory). */
  | { type: 'log'; message: string }
  /** The run's record: when it starts, after each epoch and when it ends (see ./run-record.ts). */
  | { type: 'run'; record: R };

export interface TrainOptions {
  /**
   * Continue from a checkpoint: epochs after `checkpoint.epoch` run; `history` holds the epochs before it.
   * `record`: the interrupted run's record, which the resumed run continues (its settings and data stand).
   */
  resume?: { checkpoint: Checkpoint; history: readonly EpochMetrics[]; record?: ImageRunRecord | null } | null;
  /** The run's id, the model's origin and the data's manifest, for the run record. */
  run?: (RunStart & { data: DataManifest }) | null;
  /** Emit a `checkpoint` event after each completed epoch. */
  checkpoints?: boolean;
}

export interface ExportFile {
  name: string;
  data: ArrayBuffer;
}

/**
 * A run handed to PyTorch (`export.job`, src/job/README.md): the classifier exactly as `train` would
 * start it, as TF.js Layers files (model.json, weights.bin), the record such a run would write (its
 * settings resolved: `headLayer` never 'auto'; `trainable`: what trains by the end), and what trains
 * by name: the head's layers and the chosen backbone layers by block, top first.
 */
export interface JobStart {
  files: ExportFile[];
  record: ImageRunRecord;
  head: string[];
  parts: { name: string; layers: string[] }[];
}

/** What a loader may hand the engine beside the model: its format and notes for the user. */
export interface BackboneInfo {
  model: tfTypes.LayersModel;
  format?: 'layers' | 'graph';
  notes?: string[];
  /** For a graph model: values held by its one (weightless) layer, shown in the layer table. */
  graphParams?: number;
  /** A studio export's dense head; reused when a run trains the same labels, to continue training. */
  head?: { kernel: tfTypes.Tensor; bias: tfTypes.Tensor } | null;
}

export interface TrainingEngine {
  readonly tf: Tf;
  loadModel(
    id: string,
    name: string,
    load: () => Promise<tfTypes.LayersModel | BackboneInfo>,
    inputRange: [number, number],
    headLabels?: readonly string[],
  ): Promise<ModelSummary>;
  /** The loaded model's summary, if any. */
  summary(): ModelSummary | null;
  train(
    settings: TrainSettings,
    labels: readonly string[],
    train: SampleSource,
    val: SampleSource,
    onEvent: (e: EngineEvent) => void,
    options?: TrainOptions,
  ): Promise<TrainResult>;
  /**
   * The learning-rate range test (./lr-finder.ts) for a run with these settings, on a classifier
   * composed as `train` would start it; the last run's model and every pre-trained weight are left as
   * they were. `stop` ends it early.
   */
  findLearningRate(
    settings: TrainSettings,
    labels: readonly string[],
    train: SampleSource,
    onEvent: (e: EngineEvent) => void,
    onPoint: (p: LrPoint, step: number, steps: number) => void,
    options?: LrFinderOptions,
  ): Promise<LrFinderResult>;
  /**
   * The start of a run for PyTorch to train (`JobStart`), composed as `train` would compose it and
   * refused as `train` refuses, except for the browser backend's limits (PyTorch trains it); the last
   * run's model and every pre-trained weight are left as they were. `run`: as `TrainOptions.run`.
   */
  jobStart(
    settings: TrainSettings,
    labels: readonly string[],
    train: SampleSource,
    onEvent: (e: EngineEvent) => void,
    options?: { run?: TrainOptions['run'] },
  ): Promise<JobStart>;
  /** Graceful stop: finishes the current batch and keeps the model trained so far. */
  stop(): void;
  /** The weights the last run's model holds now (its trained layers and head), as a `final` checkpoint. */
  heldCheckpoint(): Promise<Checkpoint | null>;
  /**
   * Makes a finished run's model the current one, training nothing: rebuilds its classifier from its
   * record (input size, labels, what trains) and writes the weights its checkpoint holds.
   */
  restoreRun(record: ImageRunRecord, checkpoint: Checkpoint): Promise<TrainResult>;
  /** Evaluates the last run's model; `split` (the evaluated data's manifest) says whether it is the run's own validation split. */
  evaluate(source: SampleSource, onEvent?: (e: EngineEvent) => void, split?: SplitManifest): Promise<EvalResult>;
  /** Class probabilities for one image (size×size×3 in [0, 1]). */
  predict(pixels: Float32Array): Promise<number[]>;
  /** Class probabilities for `n` images (n×size×size×3 in [0, 1]), one row each. */
  predictMany(pixels: Float32Array, n: number): Promise<number[][]>;
  /** Notes an evaluation the task measured itself (audio: per clip) in the last run's record. */
  noteEvaluation(evaluation: RunEvaluation): void;
  exportFiles(metadata: Record<string, unknown>): Promise<ExportFile[]>;
  /**
   * A copy of the loaded backbone at `size`×`size` input with its pre-trained weights, sharing nothing
   * with the engine's own (another task builds its model on it: segmentation's decoder). Refused for a
   * graph model. The caller owns and disposes it.
   */
  backboneCopy(size: number): Promise<tfTypes.LayersModel>;
  /** The classifier of the last run (backbone + head), if any. */
  classifier(): tfTypes.LayersModel | null;
  /** The settings of the last run, if any. */
  lastSettings(): TrainSettings | null;
  /** The record of the last run (a copy), if any: what it trained with and what it reached. */
  record(): ImageRunRecord | null;
  dispose(): void;
}

interface Loaded {
  summary: ModelSummary;
  backbone: tfTypes.LayersModel;
  /** The pre-trained weights by layer name (in `layer.weights` order), restored at the start of each run. */
  pristine: Map<string, Tensor[]>;
  /** The same backbone rebuilt for another input size, sharing nothing with `backbone`. */
  resized: { size: number; model: tfTypes.LayersModel } | null;
  /** An imported studio model's head and its labels (continue training). */
  head: { kernel: Tensor; bias: Tensor; labels: string[] } | null;
}

interface Run {
  model: tfTypes.LayersModel;
  labels: readonly string[];
  settings: TrainSettings;
  record: ImageRunRecord;
}

const copy = <T>(x: T): T => structuredClone(x);

function trainableLayerNames(model: tfTypes.LayersModel): string[] {
  return model.layers.filter((l) => l.trainable && hasWeights(l)).map((l) => l.name);
}

const NO_DATA: DataManifest = {
  train: { count: 0, digest: '' },
  val: { count: 0, digest: '' },
  classes: [],
  validationSplit: 0,
};

const EVAL_CHUNK = 32;

const NO_EXAMPLES: SampleSource = { ids: [], labels: new Int32Array(0), pixels: async () => new Float32Array(0) };
export function createTrainingEngine(tf: Tf, backend: () => BackendName = () => tf.getBackend() as BackendName): TrainingEngine {
  let loaded: Loaded | null = null;
  let run: Run | null = null;
  let stopRequested = false;
  let busy = false;
  /** Auto's last choice of the head's layer, reused while the data, model and input size stay the same (sweeps, the learning-rate test). */
  let autoMemo: { key: string; choice: HeadLayerChoice } | null = null;
  /** The last run's frozen-prefix caches, kept for the next run with the same key (sweep trials share them). */
  let kept: { key: string; caches: PrefixCaches } | null = null;
  /** Counts model loads: a cache never outlives the model it was made with. */
  let loads = 0;

  function releaseKept(): void {
    kept?.caches.train.tensor.dispose();
    kept?.caches.val?.tensor.dispose();
    kept = null;
  }

  /** The store for a run on data with a content digest (the worker's runs); null without one (tests' arrays). */
  function prefixStore(base: Loaded, data: DataManifest | undefined): PrefixCacheStore | null {
    if (!data) return null;
    return {
      scope: `${loads}:${base.summary.id}:${data.train.digest}:${data.val.digest}`,
      get(key) {
        if (kept?.key === key) return kept.caches;
        releaseKept(); // another key: free the memory before the new cache is built
        return null;
      },
      put(key, caches) {
        releaseKept();
        kept = { key, caches };
      },
    };
  }

  function requireLoaded(): Loaded {
    if (!loaded) throw new StudioError('model-load-failed', 'No pre-trained model is loaded yet.');
    return loaded;
  }

  /** The backbone model at `size`×`size` input: the loaded one, or a rebuilt copy (convolutions accept any size); weights as they are. */
  async function backboneModelAt(base: Loaded, size: number): Promise<tfTypes.LayersModel> {
    if (size === base.summary.inputSize) return base.backbone;
    if (base.resized?.size !== size) {
      base.resized?.model.dispose();
      // Weights come from `pristine` (writePristine); no need to copy them twice.
      base.resized = { size, model: await rebuildAtInputSize(tf, base.backbone, size, false) };
    }
    return base.resized.model;
  }

  /** Puts the pre-trained weights back into `model`'s layers (the start of every run). */
  function writePristine(base: Loaded, model: tfTypes.LayersModel): void {
    for (const layer of model.layers) {
      const values = base.pristine.get(layer.name);
      layer.weights.forEach((v, i) => {
        const value = values?.[i];
        if (value) v.write(value);
      });
    }
  }

  /** The backbone at `size` with its pre-trained weights. */
  async function backboneAt(base: Loaded, size: number): Promise<tfTypes.LayersModel> {
    const model = await backboneModelAt(base, size);
    writePristine(base, model);
    return model;
  }

  /**
   * A classifier as a run starts it (pre-trained backbone, fresh or imported head, freezing applied),
   * for the learning-rate test and a training job, leaving the last run's model untouched: the
   * backbone's weights are put back afterwards (`release`), and when the last run uses a rebuilt
   * backbone of another size the caller gets its own. The backend's limits are the caller's to check.
   */
  async function scratchClassifier(
    base: Loaded,
    asked: TrainSettings,
    labels: readonly string[],
    trainSrc: SampleSource,
    onEvent: (e: EngineEvent) => void,
  ) {
    const size = asked.imageSize;
    const runSize = run?.settings.imageSize ?? null;
    const ownCopy = size !== base.summary.inputSize && base.resized?.size !== size && runSize !== null && runSize === base.resized?.size;
    const backbone = ownCopy ? await rebuildAtInputSize(tf, base.backbone, size, false) : await backboneModelAt(base, size);
    const saved = run && !ownCopy ? backbone.layers.map((l) => l.weights.map((w) => tf.keep(w.read().clone()))) : null;
    writePristine(base, backbone);
    let model: tfTypes.LayersModel | null = null;
    const release = () => {
      if (model) disposeHead(model);
      saved?.forEach((values, i) => backbone.layers[i]?.weights.forEach((w, j) => w.write(values[j] as Tensor)));
      saved?.flat().forEach((t) => t.dispose());
      if (ownCopy) backbone.dispose();
    };
    try {
      const { settings, auto } = await resolveHeadLayer(base, backbone, asked, labels, trainSrc, onEvent);
      const composed = runClassifier(base, backbone, settings, labels);
      model = composed.model;
      return { model, trainable: composed.trainable, settings, auto, release };
    } catch (err) {
      release();
      throw err;
    }
  }

  /**
   * A classifier as a run starts it: the head on the settings' layer (zeros or seeded Glorot), an
   * imported studio head's weights when the classes match, the freezing applied.
   */
  function runClassifier(base: Loaded, backbone: tfTypes.LayersModel, settings: TrainSettings, labels: readonly string[]) {
    const model = composeClassifier(tf, backbone, {
      numClasses: labels.length,
      dropout: settings.dropout,
      seed: settings.seed,
      layer: settings.headLayer,
      init: headInit(settings),
    });
    applyImportedHead(base, model, labels);
    const trainable = new Set(settings.mode === 'fine-tune' ? settings.trainableLayers : []);
    applyFreezing(model, trainable);
    return { model, trainable };
  }

  /**
   * The settings with the head's layer resolved: `'auto'` becomes the layer chosen from the training
   * images (engine/head-layer.ts), with the choice and its reason. `backbone` holds the pre-trained weights.
   */
  async function resolveHeadLayer(
    base: Loaded,
    backbone: tfTypes.LayersModel,
    settings: TrainSettings,
    labels: readonly string[],
    trainSrc: SampleSource,
    onEvent: (e: EngineEvent) => void,
  ): Promise<{ settings: TrainSettings; auto: HeadLayerChoice | null }> {
    const asked = settings.headLayer ?? 'output';
    if (asked !== 'auto') return { settings: { ...settings, headLayer: asked }, auto: null };
    const outputName = backbone.outputs[0]?.sourceLayer?.name ?? 'output';
    const keep = (reason: string) => ({ layer: 'output', reason, scores: [], folds: 0, images: 0 });
    const candidates = base.summary.format === 'graph' ? [] : headLayerCandidates(backbone);
    const { fold, folds } = probeFolds(trainSrc.labels, labels.length, settings.seed);
    let choice: HeadLayerChoice;
    if (settings.mode === 'fine-tune' && settings.trainableLayers.length > 0) {
      choice = keep(
        `The head reads the model's output (${outputName}): layers of the model train, and Auto picks an earlier layer only when just the head trains.`,
      );
    } else if (candidates.length === 0) {
      choice = keep(`The head reads the model's output (${outputName}): the model has no earlier block ends to choose from.`);
    } else if (folds < 2) {
      choice = keep(
        `The head reads the model's output (${outputName}): Auto needs at least 2 training images in every class to compare layers.`,
      );
    } else {
      const key = JSON.stringify([base.summary.id, settings.imageSize, settings.seed, labels, trainSrc.ids, Array.from(trainSrc.labels)]);
      if (autoMemo?.key === key) {
        choice = autoMemo.choice;
      } else {
        const members = Array.from(fold.keys()).filter((i) => (fold[i] as number) >= 0);
        const range = base.summary.inputRange;
        async function* batches() {
          for (let start = 0; start < members.length; start += 32) {
            if (stopRequested) throw new StudioError('cancelled', 'Training was stopped while Auto compared layers.');
            const idx = members.slice(start, start + 32);
            yield await pixelTensor(tf, trainSrc, idx, settings, range, null);
            onEvent({ type: 'phase', phase: 'probing', done: Math.min(members.length, start + 32), total: members.length });
          }
        }
        let features: Awaited<ReturnType<typeof pooledFeatures>>;
        try {
          features = await pooledFeatures(tf, backbone, candidates, batches());
        } catch (err) {
          if (err instanceof StudioError && err.code === 'cancelled') throw err;
          // The run goes on as it would have without Auto; the reason says what went wrong.
          return {
            settings: { ...settings, headLayer: 'output' },
            auto: keep(`The head reads the model's output (${outputName}): Auto could not compare layers (${trainingFailure(err)}).`),
          };
        }
        choice = pickHeadLayer(
          features,
          Int32Array.from(members, (i) => trainSrc.labels[i] ?? 0),
          labels.length,
          Int8Array.from(members, (i) => fold[i] ?? 0),
          folds,
          settings.seed,
          outputName,
        );
        autoMemo = { key, choice };
      }
    }
    return { settings: { ...settings, headLayer: choice.layer }, auto: choice };
  }

  /** The same classes as an imported studio model's head, in any order: its columns are reordered to `labels`. */
  function applyImportedHead(base: Loaded, model: tfTypes.LayersModel, labels: readonly string[]): void {
    const h = base.head;
    const order = h && h.labels.length === labels.length ? labels.map((l) => h.labels.indexOf(l)) : null;
    if (!h || !order || !order.every((j) => j >= 0)) return;
    const dense = model.getLayer('head_dense');
    const [k] = dense.getWeights();
    if (k && k.shape.join() === h.kernel.shape.join()) {
      const [kernel, bias] = tf.tidy(() => [tf.gather(h.kernel, order, 1), tf.gather(h.bias, order)]);
      dense.setWeights([kernel as Tensor, bias as Tensor]);
      kernel?.dispose();
      bias?.dispose();
    }
  }

  function disposeHead(model: tfTypes.LayersModel): void {
    for (const name of HEAD_LAYERS) {
      try {
        model.getLayer(name).dispose();
      } catch {
        /* a head layer that was never built */
      }
    }
  }

  function requireRun(): Run {
    if (!run) throw new StudioError('unsupported', 'Train a model first.');
    return run;
  }

  function releaseLoaded(base: Loaded): void {
    disposeRun();
    releaseKept();
    autoMemo = null;
    base.pristine.forEach((values) => values.forEach((t) => t.dispose()));
    base.head?.kernel.dispose();
    base.head?.bias.dispose();
    base.resized?.model.dispose();
    base.backbone.dispose();
  }

  function disposeRun(): void {
    if (!run) return;
    disposeHead(run.model);
    run = null;
  }

  /** What no run can start with, whatever trains it: too few classes, no training images, a graph model asked to train its layers. */
  function refuseRun(base: Loaded, asked: TrainSettings, labels: readonly string[], trainSrc: SampleSource): void {
    if (labels.length < 2) throw new StudioError('dataset-invalid', 'Add at least two classes: a classifier needs two or more.');
    if (trainSrc.ids.length === 0) throw new StudioError('dataset-empty', 'The training split holds no images.');
    const wanted = new Set(asked.mode === 'fine-tune' ? asked.trainableLayers : []);
    if (base.summary.format === 'graph' && base.summary.layers.some((l) => l.block !== 'input' && wanted.has(l.name))) {
      throw new StudioError('unsupported', GRAPH_TRAIN_MESSAGE);
    }
  }

  /** The record a new run starts with (`settings` resolved), before it knows what trains. */
  function newImageRecord(
    base: Loaded,
    settings: TrainSettings,
    labels: readonly string[],
    auto: HeadLayerChoice | null,
    start: TrainOptions['run'],
  ): ImageRunRecord {
    return {
      ...newRecordBase({
        id: start?.id ?? `run-${Date.now().toString(36)}`,
        startedAt: new Date().toISOString(),
        backend: backend(),
        seed: settings.seed,
        model: start?.model ?? { id: base.summary.id, name: base.summary.name, licence: 'unknown', source: 'unknown' },
        data: start?.data ?? NO_DATA,
      }),
      task: settings.audio ? 'audio-classification' : 'image-classification',
      labels: [...labels],
      settings: copy(settings),
      input: { imageSize: settings.imageSize, inputRange: [...base.summary.inputRange], resize: settings.resize },
      trainable: [],
      ...(auto ? { auto } : {}),
    };
  }

  function checkBackendCanTrain(model: tfTypes.LayersModel, trainable: ReadonlySet<string>): void {
    if (backend() !== 'wasm') return;
    const blocked = wasmGradientBlocker(
      model.layers.map((l) => ({ name: l.name, className: l.getClassName(), trains: trainable.has(l.name) && hasWeights(l) })),
    );
    if (blocked) throw new StudioError('unsupported', wasmBlockedMessage(blocked, 'Choose "head only", freeze the layers below it'));
  }

  return {
    tf,

    async loadModel(id, name, load, inputRange, headLabels) {
      const got = await load();
      const info: BackboneInfo = 'model' in got && !('layers' in got) ? got : { model: got as tfTypes.LayersModel };
      const backbone = info.model;
      if (loaded) releaseLoaded(loaded);
      const pristine = new Map(backbone.layers.map((l) => [l.name, l.weights.map((w) => w.read().clone())]));
      const summary: ModelSummary = {
        ...summarize(id, name, backbone, inputRange),
        format: info.format ?? 'layers',
        notes: info.notes ?? [],
      };
      if (info.format === 'graph' && info.graphParams) {
        // The graph's constants sit in its one layer: shown as parameters, never trainable.
        const last = summary.layers[summary.layers.length - 1];
        if (last) Object.assign(last, { className: 'GraphModel (frozen)', params: info.graphParams, trainableParams: 0, hasWeights: true });
        summary.totalParams = summary.layers.reduce((s, l) => s + l.params, 0);
      }
      const head = info.head && headLabels?.length ? { ...info.head, labels: [...headLabels] } : null;
      if (info.head && !head) [info.head.kernel, info.head.bias].forEach((t) => t.dispose());
      if (head)
        summary.notes = [
          ...(summary.notes ?? []),
          `Its trained head (${head.labels.join(', ')}) is kept: training the same classes continues where it stopped.`,
        ];
      loads += 1;
      loaded = { backbone, pristine, resized: null, summary, head };
      return summary;
    },

    summary() {
      return loaded?.summary ?? null;
    },

    async train(asked, labels, trainSrc, valSrc, onEvent, options = {}) {
      if (busy) throw new StudioError('unsupported', 'A run is already in progress.');
      const base = requireLoaded();
      refuseRun(base, asked, labels, trainSrc);
      busy = true;
      stopRequested = false;
      const numClasses = labels.length;
      try {
        disposeRun();
        const backbone = await backboneAt(base, asked.imageSize);
        const resumed = options.resume?.record ?? null;
        // A resumed run reads the layer it read before; a new one resolves Auto from its training images.
        const { settings, auto } = resumed
          ? { settings: { ...asked, headLayer: resumed.settings.headLayer ?? 'output' }, auto: resumed.auto ?? null }
          : await resolveHeadLayer(base, backbone, asked, labels, trainSrc, onEvent);
        const { model, trainable } = runClassifier(base, backbone, settings, labels);
        const record: ImageRunRecord = resumed
          ? resumedRecord(resumed, {
              backend: backend(),
              afterEpoch: options.resume?.checkpoint.epoch ?? 0,
              at: new Date().toISOString(),
              data: options.run?.data,
              noun: 'images',
            })
          : newImageRecord(base, settings, labels, auto, options.run);
        run = { model, labels, settings, record };
        checkBackendCanTrain(model, trainable);
        if (!resumed) record.trainable = trainableLayerNames(model);
        const emitRecord = () => onEvent({ type: 'run', record: copy(record) });
        emitRecord();
        const result = await runTraining({
          tf,
          model,
          settings,
          numClasses,
          inputRange: base.summary.inputRange,
          train: trainSrc,
          val: valSrc,
          onEvent: (e) => {
            onEvent(e);
            if (e.type === 'epoch') {
              if (noteImageEpoch(record, e.metrics)) emitRecord();
            } else if (e.type === 'log') {
              record.notes.push(e.message);
            }
          },
          shouldStop: () => stopRequested,
          resume: options.resume ?? null,
          checkpoints: options.checkpoints ?? false,
          prefixCache: prefixStore(base, options.run?.data),
        });
        finishImageRecord(record, result);
        emitRecord();
        return result;
      } catch (err) {
        if (err instanceof StudioError) throw err;
        throw new StudioError('training-failed', trainingFailure(err), { cause: err });
      } finally {
        busy = false;
        stopRequested = false;
      }
    },

    async findLearningRate(settings, labels, trainSrc, onEvent, onPoint, options) {
      if (busy) throw new StudioError('unsupported', 'A run is already in progress.');
      const base = requireLoaded();
      refuseRun(base, settings, labels, trainSrc);
      busy = true;
      stopRequested = false;
      try {
        const { model, trainable, settings: used, release } = await scratchClassifier(base, settings, labels, trainSrc, onEvent);
        try {
          checkBackendCanTrain(model, trainable);
          const runner = imageClassificationRunner({
            tf,
            model,
            settings: used,
            numClasses: labels.length,
            inputRange: base.summary.inputRange,
            train: trainSrc,
            val: NO_EXAMPLES, // the test reads training losses only
            onEvent,
            shouldStop: () => stopRequested,
          });
          return await findLearningRate({
            tf,
            runner,
            settings: used,
            options,
            shouldStop: () => stopRequested,
            onPoint,
            onPrepare: (done, total) => onEvent({ type: 'phase', phase: 'caching', done, total }),
          });
        } finally {
          release();
        }
      } catch (err) {
        if (err instanceof StudioError) throw err;
        throw new StudioError('training-failed', trainingFailure(err), { cause: err });
      } finally {
        busy = false;
        stopRequested = false;
      }
    },

    async jobStart(asked, labels, trainSrc, onEvent, options = {}) {
      if (busy) throw new StudioError('unsupported', 'A run is already in progress.');
      const base = requireLoaded();
      refuseRun(base, asked, labels, trainSrc);
      if (base.summary.format === 'graph') {
        throw new StudioError(
          'unsupported',
          `${base.summary.name} is a TF.js graph model, which cannot be written as the Layers model.json a training job starts from. Choose a Layers model (the bundled MobileNetV2, a catalog model or an imported model.json).`,
        );
      }
      busy = true;
      stopRequested = false;
      try {
        // No backend check: PyTorch trains the job, so the browser backend's limits (WASM) do not apply.
        const { model, settings, auto, release } = await scratchClassifier(base, asked, labels, trainSrc, onEvent);
        try {
          const problem = jobLayerProblem(
            model.layers.map((l) => ({
              name: l.name,
              className: l.getClassName(),
              activation: (l.getConfig() as { activation?: unknown }).activation,
            })),
          );
          if (problem) throw new StudioError('unsupported', problem);
          const record = newImageRecord(base, settings, labels, auto, options.run);
          record.trainable = trainableLayerNames(model);
          // What a run here records after its first epoch: every variable that trains by the end.
          record.trainableParams = model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
          const files = await layersModelFiles(tf, model, null);
          return { files, record, ...imagePartNames(model.layers, settings) };
        } finally {
          release();
        }
      } catch (err) {
        if (err instanceof StudioError) throw err;
        throw new StudioError(
          'export-failed',
          `The training job could not be made: ${err instanceof Error ? err.message.split('\n')[0] : 'unknown error'}.`,
          { cause: err },
        );
      } finally {
        busy = false;
        stopRequested = false;
      }
    },

    stop() {
      stopRequested = true;
    },

    async heldCheckpoint() {
      if (!run) return null;
      const trained = new Set<string>([...run.record.trainable, ...HEAD_LAYERS]);
      const state = layerState(run.model.layers.filter((l) => trained.has(l.name)));
      const cp = await captureCheckpoint(state, run.record.metrics.epochsCompleted, { head: null, backbone: null });
      return { ...cp, final: true };
    },

    async restoreRun(record, checkpoint) {
      if (busy) throw new StudioError('unsupported', 'A run is in progress: wait for it to end, then use this run.');
      const base = requireLoaded();
      if (base.summary.id !== record.model.id) {
        throw new StudioError(
          'unsupported',
          `This run fine-tuned ${record.model.name}, but ${base.summary.name} is loaded now. Choose ${record.model.name} in step 2, then use this run again.`,
        );
      }
      const settings = record.settings;
      disposeRun();
      const backbone = await backboneAt(base, record.input.imageSize);
      const model = composeClassifier(tf, backbone, {
        numClasses: record.labels.length,
        dropout: settings.dropout,
        seed: settings.seed,
        layer: settings.headLayer ?? 'output', // records from before the setting read the output
      });
      applyFreezing(model, new Set(settings.mode === 'fine-tune' ? settings.trainableLayers : []));
      restoreState(tf, layerState(model.layers), heldWeights(checkpoint, record.metrics.bestEpoch));
      run = { model, labels: [...record.labels], settings: copy(settings), record: copy(record) };
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

    async evaluate(source, onEvent, split) {
      const r = requireRun();
      const base = requireLoaded();
      const numClasses = r.labels.length;
      const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
      const predictions: EvalResult['predictions'] = [];
      let lossSum = 0;
      const n = source.ids.length;
      for (let start = 0; start < n; start += EVAL_CHUNK) {
        const idx = range0(start, Math.min(n, start + EVAL_CHUNK));
        const x = await pixelTensor(tf, source, idx, r.settings, base.summary.inputRange, null);
        const probs = tf.tidy(() => r.model.predict(x) as Tensor);
        x.dispose();
        const p = await probs.data();
        probs.dispose();
        idx.forEach((i, k) => {
          const row = Array.from(p.subarray(k * numClasses, (k + 1) * numClasses));
          const actual = source.labels[i] ?? 0;
          const predicted = argMax(row);
          const confidence = row[predicted] ?? 0;
          lossSum += -Math.log(Math.max(row[actual] ?? 0, 1e-7));
          (confusion[actual] as number[])[predicted]! += 1;
          predictions.push({ id: source.ids[i] ?? String(i), actual, predicted, confidence });
        });
        onEvent?.({ type: 'phase', phase: 'evaluating', done: start + idx.length, total: n });
      }
      const correct = predictions.filter((q) => q.actual === q.predicted).length;
      const accuracy = n ? correct / n : Number.NaN;
      const loss = n ? lossSum / n : Number.NaN;
      r.record.metrics.evaluation = { accuracy, loss, examples: n, onRunSplit: split?.digest === r.record.data.val.digest };
      return { accuracy, loss, confusion, labels: [...r.labels], predictions };
    },

    async predictMany(pixels, n) {
      const r = requireRun();
      const size = r.settings.imageSize;
      const range = requireLoaded().summary.inputRange;
      const probs = tf.tidy(() => r.model.predict(toInputRange(tf, tf.tensor4d(pixels, [n, size, size, 3]), range)) as Tensor);
      const data = await probs.data();
      const k = probs.shape[1] ?? 0;
      probs.dispose();
      return Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * k, (i + 1) * k)));
    },

    noteEvaluation(evaluation) {
      requireRun().record.metrics.evaluation = { ...evaluation };
    },

    async predict(pixels) {
      const r = requireRun();
      const size = r.settings.imageSize;
      const range = requireLoaded().summary.inputRange;
      const probs = tf.tidy(() => r.model.predict(toInputRange(tf, tf.tensor4d(pixels, [1, size, size, 3]), range)) as Tensor);
      const data = await probs.data();
      probs.dispose();
      return Array.from(data);
    },

    async exportFiles(metadata) {
      return layersModelFiles(tf, requireRun().model, metadata);
    },

    async backboneCopy(size) {
      const base = requireLoaded();
      if (base.summary.format === 'graph') {
        throw new StudioError(
          'unsupported',
          `${base.summary.name} is a TF.js graph model, which cannot be rebuilt around a decoder. Choose a Layers model (the bundled MobileNetV2, a catalog model or an imported model.json).`,
        );
      }
      const copyModel = await rebuildAtInputSize(tf, base.backbone, size, false);
      writePristine(base, copyModel);
      return copyModel;
    },

    classifier() {
      return run?.model ?? null;
    },

    lastSettings() {
      return run?.settings ?? null;
    },

    record() {
      return run ? copy(run.record) : null;
    },

    dispose() {
      disposeRun();
      if (loaded) releaseLoaded(loaded);
      loaded = null;
    },
  };
}

/** A training failure in a sentence: running out of memory says what to lower. */
export function trainingFailure(err: unknown, lower = 'or freeze more layers'): string {
  const text = err instanceof Error ? err.message : String(err);
  if (/out of memory|OOM|allocat/i.test(text)) {
    return `The device ran out of memory while training. Lower the batch size or the input size, ${lower}.`;
  }
  return `Training failed: ${text.split('\n')[0]}`;
}

function argMax(row: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] ?? -Infinity) > (row[best] ?? -Infinity)) best = i;
  return best;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** A Layers model as the studio's TF.js files: model.json (one weights file), weights.bin and metadata.json (left out for null). */
export async function layersModelFiles(
  tf: Tf,
  model: tfTypes.LayersModel,
  metadata: Record<string, unknown> | null,
): Promise<ExportFile[]> {
  let files: ExportFile[] = [];
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData;
      const buffer =
        weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(weightData as ArrayBuffer | ArrayBuffer[]);
      const modelJson = {
        format: 'layers-model',
        generatedBy: artifacts.generatedBy ?? 'finetune-studio',
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      const enc = new TextEncoder();
      files = [
        { name: 'model.json', data: toArrayBuffer(enc.encode(JSON.stringify(modelJson))) },
        { name: 'weights.bin', data: buffer },
        ...(metadata ? [{ name: 'metadata.json', data: toArrayBuffer(enc.encode(JSON.stringify(metadata, null, 2))) }] : []),
      ];
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return files;
}
