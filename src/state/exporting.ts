/** Export to a .zip (TF.js Layers + metadata.json) and "try it" predictions. */
import { strToU8, zipSync } from 'fflate';
import type { ExportFormat } from '../worker/protocol';
import { userMessageOf } from '../lib/errors';
import { CATALOG } from '../models/catalog';
import { getClient as trainingClient } from './clientHost';
import { useStudio } from './store';
import { currentSource } from './modelSource';

export function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s || 'studio';
}

export function exportMetadata(): Record<string, unknown> {
  const s = useStudio.getState();
  const entry = CATALOG.find((e) => e.id === s.modelId);
  const last = s.history[s.history.length - 1];
  const source = currentSource();
  const previous = source.kind === 'files' ? source.metadata : undefined;
  const prevMetrics = previous?.metrics as { history?: unknown[] } | undefined;
  return {
    ...(previous
      ? {
          // This model continued a studio export: where it came from, and how long it had trained.
          continuedFrom: {
            createdAt: previous.createdAt ?? null,
            model: previous.model ?? null,
            labels: previous.labels ?? null,
            epochs: (prevMetrics?.history?.length ?? 0) + Number((previous.continuedFrom as { epochs?: number } | undefined)?.epochs ?? 0),
            settings: previous.settings ?? null,
          },
        }
      : {}),
    labels: s.runLabels,
    imageSize: s.settings.imageSize,
    inputRange: s.summary?.inputRange ?? [0, 1],
    resize: s.settings.resize,
    settings: s.settings,
    metrics: {
      history: s.history,
      valAccuracy: last?.valAccuracy ?? null,
      valLoss: last?.valLoss ?? null,
      evalAccuracy: s.evaluation?.accuracy ?? null,
    },
    model: { id: s.modelId, name: entry?.name ?? s.summary?.name ?? s.modelId, licence: entry?.licence ?? 'unknown (imported)' },
    backend: s.backend,
    createdAt: new Date().toISOString(),
  };
}

function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A short model card (README.md in the zip): data, settings, metrics, intended use and limits. */
export function modelCard(meta: Record<string, unknown>, classCounts: Record<string, number>): string {
  const s = useStudio.getState().settings;
  const m = meta.metrics as { valAccuracy: number | null; valLoss: number | null; evalAccuracy: number | null; history: unknown[] };
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
  const model = meta.model as { name: string; licence: string };
  return [
    `# ${String(meta.modelName ?? 'Image classifier')}`,
    '',
    `Fine-tuned from ${model.name} (licence: ${model.licence}) with the Fine-tuning Studio, on ${String(meta.createdAt)}.`,
    '',
    '## Data',
    ...Object.entries(classCounts).map(([label, n]) => `- ${label}: ${n} images`),
    `- ${Math.round(s.validationSplit * 100)}% of each class held out for validation (seed ${s.seed}).`,
    '',
    '## Settings',
    `- ${s.mode === 'head-only' ? 'Head only (backbone frozen)' : `Fine-tuned ${s.trainableLayers.length} backbone layers`}; input ${s.imageSize}×${s.imageSize} (${s.resize}), pixels scaled to [${(useStudio.getState().summary?.inputRange ?? [0, 1]).join(', ')}].`,
    `- ${s.epochs} epochs, batch ${s.batchSize}, ${s.optimizer} at learning rate ${s.learningRate} (${s.schedule.kind}), dropout ${s.dropout}, weight decay ${s.weightDecay}, label smoothing ${s.labelSmoothing}.`,
    '',
    '## Metrics',
    `- Validation accuracy: ${pct(m.evalAccuracy ?? m.valAccuracy)}; validation loss: ${m.valLoss === null ? 'n/a' : m.valLoss.toFixed(4)}; epochs trained: ${m.history.length}.`,
    '',
    '## Intended use and limits',
    `- Sorts images into: ${(meta.labels as string[]).join(', ')}. It always answers one of these, even for images of something else.`,
    '- It learnt from the images above only: expect it to fail on pictures unlike them (other lighting, framing, cameras, people or places).',
    '- Measured on a small validation split; check it on your own held-out data before relying on it, and do not use it for decisions about people.',
    '',
    '## Use',
    '`tf.loadLayersModel("model.json")`; resize to `imageSize` (metadata.json), divide pixels by 255, predict; outputs follow `labels`.',
    '',
  ].join('\n');
}

async function exportAs(format: ExportFormat): Promise<void> {
  const s = useStudio.getState();
  s.setExport({ exporting: true, exportError: null });
  try {
    const metadata = { ...exportMetadata(), modelName: s.projectName };
    const { files } = await trainingClient().call({ kind: 'export', format, metadata });
    const name = slug(useStudio.getState().projectName);
    if (format === 'onnx') {
      const file = files[0];
      if (!file) throw new Error('the worker returned no file');
      download(new Blob([file.data], { type: 'application/octet-stream' }), `${name}-model.onnx`);
    } else {
      const entries: Record<string, Uint8Array> = {};
      for (const f of files) entries[f.name] = new Uint8Array(f.data);
      if (format === 'tfjs') {
        const counts: Record<string, number> = {};
        for (const img of useStudio.getState().images) counts[img.label] = (counts[img.label] ?? 0) + 1;
        entries['README.md'] = strToU8(modelCard(metadata, counts));
      }
      const zipped = zipSync(entries, { level: 6 });
      download(
        new Blob([zipped as Uint8Array<ArrayBuffer>], { type: 'application/zip' }),
        `${name}-${format === 'tfjs' ? 'model' : 'teachable-machine'}.zip`,
      );
    }
    useStudio.getState().setExport({ exporting: false });
  } catch (err) {
    useStudio.getState().setExport({ exporting: false, exportError: userMessageOf(err) });
  }
}

export const exportModel = (): Promise<void> => exportAs('tfjs');
export const exportOnnxFile = (): Promise<void> => exportAs('onnx');
export const exportTeachable = (): Promise<void> => exportAs('teachable');

export async function predictFile(file: File): Promise<void> {
  const s = useStudio.getState();
  s.setPrediction({ predicting: true, predictError: null });
  try {
    const { probabilities } = await trainingClient().call({ kind: 'predict', blob: file });
    useStudio.getState().setPrediction({
      predicting: false,
      prediction: { name: file.name, probabilities, labels: useStudio.getState().runLabels },
    });
  } catch (err) {
    useStudio.getState().setPrediction({ predicting: false, prediction: null, predictError: userMessageOf(err) });
  }
}
