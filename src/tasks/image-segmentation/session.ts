/**
 * Image segmentation in the worker: the segmentation engine (./engine.ts) behind the task verbs. The
 * pre-trained backbone is the image task's (one load serves both image tasks); each run builds its
 * decoder on a fresh copy of it.
 */
import * as tf from '@tensorflow/tfjs';
import { StudioError } from '../../lib/errors';
import { decodeToPixels } from '../../data/decode-browser';
import { exportOnnx } from '../../models/export/onnx';
import { layersModelFiles, type TrainingEngine } from '../../engine/engine';
import { splitManifest } from '../../engine/run-record';
import type { ExportedFile } from '../../worker/protocol';
import type { Session, SessionContext } from '../../worker/sessions';
import { imageEventSink, runStart, trainHoldingFinal } from '../../worker/image-events';
import { createSegmentationEngine } from './engine';
import { segExportMetadata, segManifest, segModelCard } from './export';
import { segSource } from './source';
import type { WorkerSegPair } from './types';
import { IGNORE_CLASS } from '../../data/segmentation';

const enc = new TextEncoder();
const bytesOf = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** The classes a pair's mask shows (its manifest line). */
function classesOf(p: WorkerSegPair): Set<number> {
  const seen = new Set<number>();
  for (const v of p.mask) if (v !== IGNORE_CLASS) seen.add(v);
  return seen;
}

const keyOf = (p: WorkerSegPair) => p.hash ?? p.id;

export function imageSegmentationSession(
  ctx: SessionContext,
  images: { load: Session<'image-classification'>['load']; engine: TrainingEngine },
): Session<'image-segmentation'> & { stop(): void } {
  const engine = createSegmentationEngine(tf, images.engine, () => ctx.backend());
  const events = imageEventSink(ctx);

  async function exportFiles(format: 'tfjs' | 'onnx', name: string): Promise<ExportedFile[]> {
    const model = engine.model();
    const record = engine.record();
    if (!model || !record) throw new StudioError('unsupported', 'Train a segmentation model before exporting it.');
    try {
      if (format === 'onnx') {
        const bytes = await exportOnnx(model, {
          inputSize: record.input.imageSize,
          labels: record.labels,
          metadata: { task: record.task, inputRange: JSON.stringify(record.input.inputRange), resize: record.input.resize, run: record.id },
        });
        return [{ name: 'model.onnx', data: bytesOf(bytes) }];
      }
      const createdAt = new Date().toISOString();
      const files = await layersModelFiles(tf, model, segExportMetadata(record, name, createdAt));
      return [...files, { name: 'README.md', data: bytesOf(enc.encode(segModelCard(record, name, createdAt))) }];
    } catch (err) {
      if (err instanceof StudioError) throw err;
      throw new StudioError(
        'export-failed',
        `The ${format} export failed: ${err instanceof Error ? err.message.split('\n')[0] : 'unknown error'}.`,
        {
          cause: err,
        },
      );
    }
  }

  return {
    stop: () => engine.stop(),
    load: (command) => images.load(command),
    async train(command) {
      if (command.restore) return engine.restoreRun(command.restore.record, command.restore.checkpoint);
      const data = segManifest(
        command.labels,
        command.train.map((p) => ({ key: keyOf(p), classes: classesOf(p) })),
        command.val.map((p) => ({ key: keyOf(p), classes: classesOf(p) })),
        command.settings.validationSplit,
      );
      return trainHoldingFinal(
        ctx,
        events,
        () =>
          engine.train(
            command.settings,
            command.labels,
            segSource(command.train, decodeToPixels),
            segSource(command.val, decodeToPixels),
            events.onEvent,
            {
              checkpoints: true,
              resume: command.resume ?? null,
              run: runStart(command.run, images.engine.summary(), data),
            },
          ),
        () => engine.heldCheckpoint(),
      );
    },
    async evaluate(command) {
      const record = engine.record();
      if (!record) throw new StudioError('unsupported', 'Train a segmentation model before evaluating it.');
      const split = splitManifest(command.pairs.map((p) => ({ key: keyOf(p), label: [...classesOf(p)].sort((a, b) => a - b).join(',') })));
      return engine.evaluate(segSource(command.pairs, decodeToPixels), events.onEvent, split);
    },
    async infer(command) {
      const settings = engine.settings();
      if (!settings) throw new StudioError('unsupported', 'Train a segmentation model before trying it.');
      const pixels = await decodeToPixels(command.blob, settings.imageSize, 'stretch').catch((err: unknown) => {
        throw new StudioError('file-unreadable', 'That image could not be decoded; the file may be corrupt.', { cause: err });
      });
      return engine.predict(pixels);
    },
    async export(command) {
      return { files: await exportFiles(command.format ?? 'tfjs', command.name) };
    },
  };
}
