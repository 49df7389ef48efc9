/// <reference lib="webworker" />
/**
 * A thin shell: exposes the training engine over the protocol in ./protocol.ts.
 * Decodes images (compressed originals) here, per batch or once for the frozen-prefix cache.
 */
import * as tf from '@tensorflow/tfjs';
import { startBackend } from '../engine/backend';
import { createTrainingEngine, type EngineEvent } from '../engine/engine';
import { StudioError, serializeError } from '../lib/errors';
import { catalogEntry } from '../models/catalog';
import type { BatchMetrics } from '../engine/types';
import type { Command, CommandResults, ExportFormat, ExportedFile, Request, WorkerEvent, WorkerImage } from './protocol';
import { exportOnnx } from '../models/export/onnx';
import { exportTeachableMachine } from '../models/export/teachable';
import { imageSource } from './image-source';
import { classificationManifest, splitManifest } from '../engine/run-record';
import { imageExportMetadata, imageModelCard } from '../models/export/metadata';
import { decodeToPixels } from '../data/decode-browser';
import { buildBackbone, fetchModel, readModelFiles, type ModelArtifactsRaw } from '../models/load';
import { releaseGraph } from '../models/graph-adapter';
import { augmentPreview } from './augment-preview';
import { gradCam } from '../engine/explain';
import { deviceLost, loseDevice, watchDeviceLoss } from '../engine/device-loss';
import type { BackendName } from '../engine/types';
import type { TextTrainEvent } from '../text/types';
import { classify, exportText, generateFromPrompt, loadTextBase, stopText, trainText } from './text-session';

declare const self: DedicatedWorkerGlobalScope;

const engine = createTrainingEngine(tf);
/** The graph model behind the loaded backbone, if it is one (released when another model loads). */
let graphKey: string | null = null;
let loadCounter = 0;
let runningBackend: BackendName | null = null;
let stopWatching: (() => void) | null = null;
let lostReported = false;

/** Stops the run and tells the UI, which restarts on a fresh worker from the last checkpoint. */
function reportDeviceLoss(reason: string): void {
  if (lostReported || !runningBackend) return;
  lostReported = true;
  engine.stop();
  stopText();
  flushBatches();
  flushText();
  post({ type: 'device-lost', backend: runningBackend, reason });
}

/** Builds a backbone from downloaded or given files and hands it to the engine. */
async function loadBackbone(
  modelId: string,
  name: string,
  inputRange: [number, number],
  read: () => Promise<ModelArtifactsRaw>,
  headLabels?: string[],
  teachable = false,
) {
  const key = `${modelId}#${++loadCounter}`;
  let built: Awaited<ReturnType<typeof buildBackbone>> | null = null;
  const summary = await engine.loadModel(
    modelId,
    name,
    async () => {
      built = await buildBackbone(await read(), { key, inputSize: 224, teachable });
      return built;
    },
    inputRange,
    headLabels,
  );
  const previous = graphKey;
  graphKey = (built as { format: string } | null)?.format === 'graph' ? key : null;
  if (previous && previous !== graphKey) releaseGraph(previous);
  return summary;
}

let lastDownloadPost = 0;
function downloadProgress(modelId: string) {
  return (loaded: number, total: number) => {
    const now = Date.now();
    if (loaded === 0 || loaded >= total || now - lastDownloadPost > 100) {
      lastDownloadPost = now;
      post({ type: 'download', modelId, loaded, total });
    }
  };
}

function post(event: WorkerEvent, transfer: Transferable[] = []): void {
  self.postMessage(event, transfer);
}

/** Batch metrics are buffered and sent about ten times a second. */
const pending: BatchMetrics[] = [];
let flushTimer: ReturnType<typeof setTimeout> | null = null;
function flushBatches(): void {
  if (flushTimer) clearTimeout(flushTimer);
  flushTimer = null;
  if (pending.length) post({ type: 'batches', items: pending.splice(0) });
}

let lastPhasePost = 0;
function onEngineEvent(e: EngineEvent): void {
  switch (e.type) {
    case 'batch':
      if (runningBackend && deviceLost(tf, runningBackend)) reportDeviceLoss('the WebGL context was lost');
      pending.push(e.metrics);
      if (!flushTimer) flushTimer = setTimeout(flushBatches, 100);
      return;
    case 'epoch':
      flushBatches();
      post({ type: 'epoch', metrics: e.metrics });
      return;
    case 'checkpoint':
      post({ type: 'checkpoint', checkpoint: e.checkpoint }, [e.checkpoint.weights]);
      return;
    case 'run':
      flushBatches();
      post({ type: 'run', record: e.record });
      return;
    case 'log':
      flushBatches();
      post({ type: 'log', message: e.message });
      return;
    case 'phase': {
      const now = Date.now();
      if (e.done === 0 || e.done === e.total || now - lastPhasePost > 100) {
        lastPhasePost = now;
        post({ type: 'phase', phase: e.phase, done: e.done, total: e.total });
      }
      return;
    }
  }
}

const enc = new TextEncoder();
const bytesOf = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** The last run's model in `format`; what the files say about it comes from the run's record alone. */
async function exportFiles(format: ExportFormat, name: string): Promise<ExportedFile[]> {
  const model = engine.classifier();
  const record = engine.record();
  if (!model || !record) throw new StudioError('unsupported', 'Train a model before exporting it.');
  if (engine.summary()?.format === 'graph') {
    throw new StudioError(
      'unsupported',
      'A classifier built on a TF.js graph model cannot be exported yet: the graph is not a Layers model. Fine-tune a Layers model (the catalog or an imported Layers model.json) to export.',
    );
  }
  const { imageSize, inputRange, resize } = record.input;
  try {
    switch (format) {
      case 'tfjs': {
        const createdAt = new Date().toISOString();
        const files = await engine.exportFiles(imageExportMetadata(record, name, createdAt));
        return [...files, { name: 'README.md', data: bytesOf(enc.encode(imageModelCard(record, name, createdAt))) }];
      }
      case 'onnx': {
        const bytes = await exportOnnx(model, {
          inputSize: imageSize,
          labels: record.labels,
          metadata: { inputRange: JSON.stringify(inputRange), resize, inputLayout: 'NHWC', run: record.id },
        });
        return [{ name: 'model.onnx', data: bytesOf(bytes) }];
      }
      case 'teachable': {
        const files = await exportTeachableMachine(tf, model, {
          labels: record.labels,
          inputSize: imageSize,
          modelName: name || 'studio-model',
          inputRange,
          userMetadata: { exportedBy: 'finetune-studio', settings: record.settings, run: record.id },
        });
        return files.map((f) => ({ name: f.name, data: bytesOf(f.data) }));
      }
    }
  } catch (err) {
    if (err instanceof StudioError) throw err;
    throw new StudioError(
      'export-failed',
      `The ${format} export failed: ${err instanceof Error ? err.message.split('\n')[0] : 'unknown error'}.`,
      { cause: err },
    );
  }
}

const contentOf = (i: WorkerImage) => ({ key: i.hash ?? i.id, label: i.label });

/** When the UI did not say where the model came from: what the engine knows of it. */
function modelOrigin() {
  const s = engine.summary();
  return {
    id: s?.id ?? 'unknown',
    name: s?.name ?? 'unknown',
    licence: catalogEntry(s?.id ?? '')?.licence ?? 'unknown',
    source: 'unknown',
  };
}

async function handle(command: Command): Promise<CommandResults[Command['kind']]> {
  switch (command.kind) {
    case 'init': {
      const backend = await startBackend(command.backend, command.wasmPath);
      runningBackend = backend;
      stopWatching?.();
      stopWatching = watchDeviceLoss(tf, backend, reportDeviceLoss);
      return { backend };
    }
    case 'loadModel': {
      const entry = catalogEntry(command.modelId);
      const inputRange = command.inputRange ?? entry?.inputRange ?? [0, 1];
      const name = command.name ?? entry?.name ?? command.modelId;
      return loadBackbone(command.modelId, name, inputRange, () =>
        fetchModel(command.url, { keep: command.keep ?? false, onProgress: downloadProgress(command.modelId) }),
      );
    }
    case 'loadModelFiles': {
      const files = command.files.map((blob, i) => ({ blob, name: command.names[i] ?? `file-${i}` }));
      const modelFiles = files.filter((f) => !/(^|\/)metadata\.json$/i.test(f.name) && !/\.md$/i.test(f.name));
      return loadBackbone(
        command.modelId,
        command.name,
        command.inputRange ?? [0, 1],
        () => readModelFiles(modelFiles),
        command.headLabels,
        command.teachable,
      );
    }
    case 'train': {
      const resize = command.settings.resize;
      const train = imageSource(command.train, resize, decodeToPixels);
      const val = imageSource(command.val, resize, decodeToPixels);
      // The data manifest is made here, from what the worker was given to train on.
      const data = classificationManifest(
        command.labels,
        command.train.map(contentOf),
        command.val.map(contentOf),
        command.settings.validationSplit,
      );
      try {
        return await engine.train(command.settings, command.labels, train, val, onEngineEvent, {
          checkpoints: true,
          resume: command.resume ?? null,
          run: command.run ? { ...command.run, data } : { id: `run-${Date.now().toString(36)}`, model: modelOrigin(), data },
        });
      } finally {
        flushBatches();
      }
    }
    case 'stop':
      engine.stop();
      stopText();
      return { ok: true };
    case 'loseDevice':
      return { ok: runningBackend !== null && loseDevice(tf, runningBackend) };
    case 'evaluate': {
      const settings = engine.lastSettings();
      if (!settings) throw new StudioError('unsupported', 'Train a model before evaluating it.');
      const source = imageSource(command.images, settings.resize, decodeToPixels);
      const labels = engine.record()?.labels ?? [];
      const split = splitManifest(command.images.map((i) => ({ key: i.hash ?? i.id, label: labels[i.label] ?? `#${i.label}` })));
      return engine.evaluate(source, onEngineEvent, split);
    }
    case 'predict': {
      const settings = engine.lastSettings();
      if (!settings) throw new StudioError('unsupported', 'Train a model before trying it.');
      const pixels = await decodeToPixels(command.blob, settings.imageSize, settings.resize).catch((err: unknown) => {
        throw new StudioError('file-unreadable', 'That image could not be decoded; the file may be corrupt.', { cause: err });
      });
      return { probabilities: await engine.predict(pixels) };
    }
    case 'explain': {
      const model = engine.classifier();
      const settings = engine.lastSettings();
      if (!model || !settings) throw new StudioError('unsupported', 'Train a model before explaining its predictions.');
      const pixels = await decodeToPixels(command.blob, settings.imageSize, settings.resize).catch((err: unknown) => {
        throw new StudioError('file-unreadable', 'That image could not be decoded; the file may be corrupt.', { cause: err });
      });
      const e = await gradCam(tf, model, pixels, settings.imageSize, command.classIndex, engine.summary()?.inputRange ?? [0, 1]);
      return {
        heatmap: Array.from(e.heatmap),
        width: e.width,
        height: e.height,
        classIndex: e.classIndex,
        probabilities: e.probabilities,
        method: e.method,
      };
    }
    case 'augmentPreview':
      return { images: await augmentPreview(tf, command.blob, command.settings, command.count, decodeToPixels) };
    case 'export':
      return { files: await exportFiles(command.format ?? 'tfjs', command.name) };
    case 'textLoad':
      return loadTextBase(command.url, command.name);
    case 'textTrain':
      return trainText(command.settings, command.labels, command.data, postTextEvent, {
        backend: runningBackend ?? (tf.getBackend() as BackendName),
        run: command.run ?? null,
        resume: command.resume ?? null,
        onRecord: (record) => post({ type: 'run', record }),
        onCheckpoint: command.checkpoints
          ? (checkpoint) => {
              flushText();
              post({ type: 'checkpoint', checkpoint }, [checkpoint.weights]);
            }
          : undefined,
      });
    case 'textGenerate':
      return { text: await generateFromPrompt(command.prompt, command) };
    case 'textClassify':
      return { probabilities: await classify(command.texts) };
    case 'textExport':
      return { files: await exportText() };
  }
}

/** Text batch events are buffered like image ones (about ten messages a second). */
const textBatches: TextTrainEvent[] = [];
let textTimer: ReturnType<typeof setTimeout> | null = null;
function flushText(): void {
  if (textTimer) clearTimeout(textTimer);
  textTimer = null;
  for (const event of textBatches.splice(0)) post({ type: 'text', event });
}
function postTextEvent(event: TextTrainEvent): void {
  if (event.type === 'batch') {
    if (runningBackend && deviceLost(tf, runningBackend)) reportDeviceLoss('the WebGL context was lost');
    textBatches.push(event);
    if (!textTimer) textTimer = setTimeout(flushText, 100);
    return;
  }
  flushText();
  post({ type: 'text', event });
}

self.onmessage = (ev: MessageEvent<Request>) => {
  const { id, command } = ev.data;
  handle(command).then(
    (value) => {
      const transfer =
        command.kind === 'export' || command.kind === 'textExport' ? (value as CommandResults['export']).files.map((f) => f.data) : [];
      post({ type: 'result', id, value }, transfer);
    },
    (err: unknown) => post({ type: 'error', id, error: serializeError(err) }),
  );
};
