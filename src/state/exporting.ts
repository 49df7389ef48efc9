/** Export to a .zip (TF.js Layers + metadata.json) and "try it" predictions. */
import { zipSync } from 'fflate';
import { userMessageOf } from '../lib/errors';
import { CATALOG } from '../models/catalog';
import { getClient as trainingClient } from './clientHost';
import { useStudio } from './store';

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
  return {
    labels: s.runLabels,
    imageSize: s.settings.imageSize,
    inputRange: [0, 1],
    resize: s.settings.resize,
    settings: s.settings,
    metrics: {
      history: s.history,
      valAccuracy: last?.valAccuracy ?? null,
      valLoss: last?.valLoss ?? null,
      evalAccuracy: s.evaluation?.accuracy ?? null,
    },
    model: { id: s.modelId, name: entry?.name ?? s.modelId, licence: entry?.licence ?? 'unknown' },
    backend: s.backend,
    createdAt: new Date().toISOString(),
  };
}

export async function exportModel(): Promise<void> {
  const s = useStudio.getState();
  s.setExport({ exporting: true, exportError: null });
  try {
    const { files } = await trainingClient().call({ kind: 'export', metadata: exportMetadata() });
    const entries: Record<string, Uint8Array> = {};
    for (const f of files) entries[f.name] = new Uint8Array(f.data);
    const zipped = zipSync(entries, { level: 6 });
    const blob = new Blob([zipped as Uint8Array<ArrayBuffer>], { type: 'application/zip' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `${slug(useStudio.getState().projectName)}-model.zip`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    useStudio.getState().setExport({ exporting: false });
  } catch (err) {
    useStudio.getState().setExport({ exporting: false, exportError: userMessageOf(err) });
  }
}

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
