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
import type { Command, CommandResults, Request, WorkerEvent } from './protocol';
import { imageSource } from './image-source';
import { decodeToPixels } from '../data/decode-browser';
import { loadLayersModelChecked } from '../models/load';
import { augmentPreview } from './augment-preview';

declare const self: DedicatedWorkerGlobalScope;

const engine = createTrainingEngine(tf);
let labelsOfRun: string[] = [];

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
      pending.push(e.metrics);
      if (!flushTimer) flushTimer = setTimeout(flushBatches, 100);
      return;
    case 'epoch':
      flushBatches();
      post({ type: 'epoch', metrics: e.metrics });
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

async function handle(command: Command): Promise<CommandResults[Command['kind']]> {
  switch (command.kind) {
    case 'init': {
      const backend = await startBackend(command.backend, command.wasmPath);
      return { backend };
    }
    case 'loadModel': {
      const entry = catalogEntry(command.modelId);
      const inputRange = entry?.inputRange ?? [0, 1];
      return engine.loadModel(command.modelId, entry?.name ?? command.modelId, () => loadLayersModelChecked(command.url), inputRange);
    }
    case 'train': {
      labelsOfRun = command.labels;
      const resize = command.settings.resize;
      const train = imageSource(command.train, resize, decodeToPixels);
      const val = imageSource(command.val, resize, decodeToPixels);
      try {
        return await engine.train(command.settings, command.labels, train, val, onEngineEvent);
      } finally {
        flushBatches();
      }
    }
    case 'stop':
      engine.stop();
      return { ok: true };
    case 'evaluate': {
      const settings = engine.lastSettings();
      if (!settings) throw new StudioError('unsupported', 'Train a model before evaluating it.');
      const source = imageSource(command.images, settings.resize, decodeToPixels);
      return engine.evaluate(source, onEngineEvent);
    }
    case 'predict': {
      const settings = engine.lastSettings();
      if (!settings) throw new StudioError('unsupported', 'Train a model before trying it.');
      const pixels = await decodeToPixels(command.blob, settings.imageSize, settings.resize).catch((err: unknown) => {
        throw new StudioError('file-unreadable', 'That image could not be decoded; the file may be corrupt.', { cause: err });
      });
      return { probabilities: await engine.predict(pixels) };
    }
    case 'augmentPreview':
      return { images: await augmentPreview(tf, command.blob, command.settings, command.count, decodeToPixels) };
    case 'export': {
      const files = await engine.exportFiles({ labels: labelsOfRun, ...command.metadata });
      return { files };
    }
  }
}

self.onmessage = (ev: MessageEvent<Request>) => {
  const { id, command } = ev.data;
  handle(command).then(
    (value) => {
      const transfer =
        command.kind === 'export' ? (value as CommandResults['export']).files.map((f) => f.data) : [];
      post({ type: 'result', id, value }, transfer);
    },
    (err: unknown) => post({ type: 'error', id, error: serializeError(err) }),
  );
};
