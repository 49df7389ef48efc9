/**
 * Audio classification in the worker: the image task's training engine, fed log-mel spectrogram
 * windows of the clips (./source.ts, ./frontend.js). The pre-trained backbone is the image task's (one
 * load serves every image task). Evaluation and try-it are per clip: the mean of its windows.
 */
import { StudioError } from '../../lib/errors';
import type { TrainingEngine } from '../../engine/engine';
import { classificationManifest, splitManifest } from '../../engine/run-record';
import type { TrainSettings } from '../../engine/types';
import { exportOnnx } from '../../models/export/onnx';
import type { ExportedFile } from '../../worker/protocol';
import type { Session, SessionContext } from '../../worker/sessions';
import { imageEventSink, runStart, trainHoldingFinal } from '../../worker/image-events';
import { melImage, logMel } from './frontend.js';
import { audioSource, cutWindows } from './source';
import { clipMetrics, clipProbabilities } from './metrics';
import { audioExportMetadata, audioModelCard, audioSettingsOf, frontendSource } from './export';
import { DEFAULT_AUDIO } from './defaults';
import type { AudioSettings, FrontendSettings, WorkerClip } from './types';

const enc = new TextEncoder();
const bytesOf = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
const CHUNK = 32;

export function audioClassificationSession(
  ctx: SessionContext,
  images: { load: Session<'image-classification'>['load']; engine: TrainingEngine },
): Session<'audio-classification'> & { stop(): void } {
  const engine = images.engine;
  const events = imageEventSink(ctx);

  /** The run's settings as the worker resolves them: the front end draws at the model's input size and range. */
  function resolved(settings: TrainSettings): TrainSettings & { audio: AudioSettings } {
    const summary = engine.summary();
    if (!summary) throw new StudioError('unsupported', 'Load a pre-trained model in step 2 before training.');
    const audio = settings.audio ?? DEFAULT_AUDIO;
    const frontend: FrontendSettings = { ...audio.frontend, imageSize: settings.imageSize, inputRange: [...summary.inputRange] };
    return { ...settings, audio: { ...audio, frontend } };
  }

  /** Per-window probabilities of `clips` under the last run's front end, and which clip each window is. */
  async function windowProbabilities(clips: readonly WorkerClip[], fe: FrontendSettings) {
    const { clipOf, starts, prepared } = cutWindows(clips, fe);
    const per = fe.imageSize * fe.imageSize * 3;
    const rows: number[][] = [];
    for (let at = 0; at < clipOf.length; at += CHUNK) {
      const end = Math.min(clipOf.length, at + CHUNK);
      const pixels = new Float32Array((end - at) * per);
      for (let i = at; i < end; i++) {
        const x = prepared[clipOf[i] ?? 0] as Float32Array;
        pixels.set(melImage(logMel(x, starts[i] ?? 0, fe), fe), (i - at) * per);
      }
      rows.push(...(await engine.predictMany(pixels, end - at)));
      events.onEvent({ type: 'phase', phase: 'evaluating', done: end, total: clipOf.length });
    }
    return { rows, clipOf };
  }

  function lastRun() {
    const record = engine.record();
    if (!record || record.task !== 'audio-classification') throw new StudioError('unsupported', 'Train an audio model first.');
    return { record, audio: audioSettingsOf(record) };
  }

  async function exportFiles(format: 'tfjs' | 'onnx', name: string): Promise<ExportedFile[]> {
    const { record, audio } = lastRun();
    const model = engine.classifier();
    if (!model) throw new StudioError('unsupported', 'Train an audio model before exporting it.');
    try {
      if (format === 'onnx') {
        const bytes = await exportOnnx(model, {
          inputSize: record.input.imageSize,
          labels: record.labels,
          metadata: { task: record.task, frontend: JSON.stringify(audio.frontend), inputLayout: 'NHWC', run: record.id },
        });
        return [{ name: 'model.onnx', data: bytesOf(bytes) }];
      }
      const createdAt = new Date().toISOString();
      const files = await engine.exportFiles(audioExportMetadata(record, name, createdAt));
      return [
        ...files,
        { name: 'frontend.js', data: bytesOf(enc.encode(frontendSource(audio))) },
        { name: 'README.md', data: bytesOf(enc.encode(audioModelCard(record, name, createdAt))) },
      ];
    } catch (err) {
      if (err instanceof StudioError) throw err;
      throw new StudioError(
        'export-failed',
        `The ${format} export failed: ${err instanceof Error ? err.message.split('\n')[0] : 'unknown error'}.`,
        { cause: err },
      );
    }
  }

  const contentOf = (c: WorkerClip) => ({ key: c.hash ?? c.id, label: c.label });

  return {
    stop: () => engine.stop(),
    load: (command) => images.load(command),
    async train(command) {
      if (command.restore) return engine.restoreRun(command.restore.record, command.restore.checkpoint);
      const settings = resolved(command.settings);
      const fe = settings.audio.frontend;
      if (command.train.length === 0) throw new StudioError('dataset-empty', 'The training split holds no clips.');
      const train = audioSource(command.train, fe, settings.audio.augment);
      const val = audioSource(command.val, fe, null);
      const data = classificationManifest(
        command.labels,
        command.train.map(contentOf),
        command.val.map(contentOf),
        settings.validationSplit,
      );
      ctx.post({
        type: 'log',
        message: `${command.train.length} training clips → ${train.ids.length} windows; ${command.val.length} validation clips → ${val.ids.length} windows.`,
      });
      return trainHoldingFinal(
        ctx,
        events,
        () =>
          engine.train(settings, command.labels, train, val, events.onEvent, {
            checkpoints: true,
            resume: command.resume ?? null,
            run: runStart(command.run, engine.summary(), data),
          }),
        () => engine.heldCheckpoint(),
      );
    },
    async evaluate(command) {
      const { record, audio } = lastRun();
      const { rows, clipOf } = await windowProbabilities(command.clips, audio.frontend);
      const probabilities = clipProbabilities(rows, clipOf, command.clips.length, record.labels.length);
      const result = clipMetrics(
        probabilities,
        command.clips.map((c) => c.label),
        command.clips.map((c) => c.id),
        record.labels,
        rows.length,
      );
      const split = splitManifest(command.clips.map((c) => ({ key: c.hash ?? c.id, label: record.labels[c.label] ?? `#${c.label}` })));
      engine.noteEvaluation({
        accuracy: result.accuracy,
        loss: result.loss,
        examples: command.clips.length,
        onRunSplit: split.digest === record.data.val.digest,
        uar: result.uar,
        macroF1: result.macroF1,
      });
      return result;
    },
    async infer(command) {
      const { audio } = lastRun();
      const fe = audio.frontend;
      const { rows } = await windowProbabilities([{ id: 'try', label: 0, samples: command.samples, sampleRate: command.sampleRate }], fe);
      const probabilities = clipProbabilities(rows, new Int32Array(rows.length), 1, rows[0]?.length ?? 0)[0] ?? [];
      return { probabilities, windows: rows, seconds: Math.min(command.samples.length / command.sampleRate, fe.maxSeconds) };
    },
    async export(command) {
      return { files: await exportFiles(command.format ?? 'tfjs', command.name) };
    },
  };
}
