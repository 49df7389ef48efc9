/**
 * Image classification in the worker: the training engine (src/engine/engine.ts) behind the task
 * verbs. Decodes images (compressed originals) here, per batch or once for the frozen-prefix cache.
 */
import * as tf from '@tensorflow/tfjs';
import { createTrainingEngine, type TrainingEngine } from '../../engine/engine';
import { StudioError } from '../../lib/errors';
import { catalogEntry } from '../../models/catalog';
import type { ExportFormat, ExportedFile, WorkerImage } from '../../worker/protocol';
import { exportOnnx } from '../../models/export/onnx';
import { exportTeachableMachine } from '../../models/export/teachable';
import { imageSource } from '../../worker/image-source';
import { classificationManifest, splitManifest } from '../../engine/run-record';
import { imageExportMetadata, imageModelCard } from '../../models/export/metadata';
import { decodeToPixels } from '../../data/decode-browser';
import { buildBackbone, fetchModel, readModelFiles, type ModelArtifactsRaw } from '../../models/load';
import { releaseGraph } from '../../models/graph-adapter';
import { gradCam } from '../../engine/explain';
import { imageEventSink, runStart, trainHoldingFinal } from '../../worker/image-events';
import type { Session, SessionContext } from '../../worker/sessions';

const enc = new TextEncoder();
const bytesOf = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
const contentOf = (i: WorkerImage) => ({ key: i.hash ?? i.id, label: i.label });

/** The data manifest of a run on these splits, made here from what the worker was given (a train or a job). */
function manifestOf(command: { labels: string[]; train: WorkerImage[]; val: WorkerImage[]; settings: { validationSplit: number } }) {
  return classificationManifest(command.labels, command.train.map(contentOf), command.val.map(contentOf), command.settings.validationSplit);
}

function decode(blob: Blob, size: number, resize: Parameters<typeof decodeToPixels>[2]) {
  return decodeToPixels(blob, size, resize).catch((err: unknown) => {
    throw new StudioError('file-unreadable', 'That image could not be decoded; the file may be corrupt.', { cause: err });
  });
}

export function imageClassificationSession(
  ctx: SessionContext,
): Session<'image-classification'> & { stop(): void; engine: TrainingEngine } {
  const engine = createTrainingEngine(tf);
  /** The graph model behind the loaded backbone, if it is one (released when another model loads). */
  let graphKey: string | null = null;
  let loadCounter = 0;

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
  const downloadProgress = (modelId: string) => (loaded: number, total: number) => {
    const now = Date.now();
    if (loaded === 0 || loaded >= total || now - lastDownloadPost > 100) {
      lastDownloadPost = now;
      ctx.post({ type: 'download', modelId, loaded, total });
    }
  };

  const events = imageEventSink(ctx);
  const onEngineEvent = events.onEvent;

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

  return {
    engine,
    stop: () => engine.stop(),
    async load(command) {
      if (command.source === 'url') {
        const entry = catalogEntry(command.modelId);
        const inputRange = command.inputRange ?? entry?.inputRange ?? [0, 1];
        const name = command.name ?? entry?.name ?? command.modelId;
        return loadBackbone(command.modelId, name, inputRange, () =>
          fetchModel(command.url, { keep: command.keep ?? false, onProgress: downloadProgress(command.modelId) }),
        );
      }
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
    },
    async train(command) {
      if (command.restore) return engine.restoreRun(command.restore.record, command.restore.checkpoint);
      const resize = command.settings.resize;
      const train = imageSource(command.train, resize, decodeToPixels);
      const val = imageSource(command.val, resize, decodeToPixels);
      const data = manifestOf(command);
      return trainHoldingFinal(
        ctx,
        events,
        () =>
          engine.train(command.settings, command.labels, train, val, onEngineEvent, {
            checkpoints: true,
            resume: command.resume ?? null,
            run: runStart(command.run, engine.summary(), data),
          }),
        () => engine.heldCheckpoint(),
      );
    },
    async findLr(command) {
      const train = imageSource(command.train, command.settings.resize, decodeToPixels);
      try {
        return await engine.findLearningRate(
          command.settings,
          command.labels,
          train,
          onEngineEvent,
          (point, step, steps) => ctx.post({ type: 'lr-point', point, step, steps }),
          command.options,
        );
      } finally {
        events.flush();
      }
    },
    async jobStart(command) {
      // Only the training images are read (by Auto, to choose the head's layer); the validation split counts in the record's data.
      const train = imageSource(command.train, command.settings.resize, decodeToPixels);
      try {
        return await engine.jobStart(command.settings, command.labels, train, onEngineEvent, {
          run: runStart(command.run, engine.summary(), manifestOf(command)),
        });
      } finally {
        events.flush();
      }
    },
    async evaluate(command) {
      const settings = engine.lastSettings();
      if (!settings) throw new StudioError('unsupported', 'Train a model before evaluating it.');
      const source = imageSource(command.images, settings.resize, decodeToPixels);
      const labels = engine.record()?.labels ?? [];
      const split = splitManifest(command.images.map((i) => ({ key: i.hash ?? i.id, label: labels[i.label] ?? `#${i.label}` })));
      return engine.evaluate(source, onEngineEvent, split);
    },
    async infer(command) {
      const settings = engine.lastSettings();
      if (!settings) throw new StudioError('unsupported', 'Train a model before trying it.');
      const pixels = await decode(command.blob, settings.imageSize, settings.resize);
      if (!command.explain) return { probabilities: await engine.predict(pixels) };
      const model = engine.classifier();
      if (!model) throw new StudioError('unsupported', 'Train a model before explaining its predictions.');
      const e = await gradCam(tf, model, pixels, settings.imageSize, command.explain.classIndex, engine.summary()?.inputRange ?? [0, 1]);
      return {
        probabilities: e.probabilities,
        explanation: { heatmap: Array.from(e.heatmap), width: e.width, height: e.height, classIndex: e.classIndex, method: e.method },
      };
    },
    async export(command) {
      return { files: await exportFiles(command.format ?? 'tfjs', command.name) };
    },
  };
}
