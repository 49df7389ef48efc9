/** Export to a .zip (TF.js Layers + metadata.json) and "try it" predictions. */
import { zipSync } from 'fflate';
import type { ExportFormat } from '../worker/protocol';
import { userMessageOf } from '../lib/errors';
import { getClient as trainingClient } from './clientHost';
import { useStudio } from './store';

export function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s || 'studio';
}

/** Saves `blob` as `name` through a temporary link. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Saves what the worker exported: zipped as `fileName` when that is a .zip, else its one file (an .onnx) as it is. */
export function saveExport(files: readonly { name: string; data: ArrayBuffer }[], fileName: string): void {
  if (!fileName.endsWith('.zip')) {
    const file = files[0];
    if (!file) throw new Error('the worker returned no file');
    download(new Blob([file.data], { type: 'application/octet-stream' }), fileName);
    return;
  }
  const entries: Record<string, Uint8Array> = {};
  for (const f of files) entries[f.name] = new Uint8Array(f.data);
  download(new Blob([zipSync(entries, { level: 6 }) as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), fileName);
}

/**
 * Downloads the last run of `task` (a task with its own results slice: segmentation, audio) as the
 * TF.js zip or ONNX, named `<project>-<suffix>`; `set` shows the state of the download in that slice.
 */
export async function exportTaskModel(
  task: 'image-segmentation' | 'audio-classification',
  format: 'tfjs' | 'onnx',
  suffix: string,
  set: (patch: { exporting: boolean; exportError?: string | null }) => void,
): Promise<void> {
  set({ exporting: true, exportError: null });
  try {
    const { files } = await trainingClient().call({ kind: 'export', task, format, name: useStudio.getState().projectName });
    const name = slug(useStudio.getState().projectName);
    saveExport(files, format === 'onnx' ? `${name}-${suffix}.onnx` : `${name}-${suffix}.zip`);
    set({ exporting: false });
  } catch (err) {
    set({ exporting: false, exportError: userMessageOf(err) });
  }
}

async function exportAs(format: ExportFormat): Promise<void> {
  const s = useStudio.getState();
  s.setExport({ exporting: true, exportError: null });
  try {
    // The worker writes metadata.json and the model card from the run's record, not from this screen.
    const { files } = await trainingClient().call({ kind: 'export', task: 'image-classification', format, name: s.projectName });
    const name = slug(useStudio.getState().projectName);
    saveExport(files, format === 'onnx' ? `${name}-model.onnx` : `${name}-${format === 'tfjs' ? 'model' : 'teachable-machine'}.zip`);
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
    const { probabilities } = await trainingClient().call({ kind: 'infer', task: 'image-classification', blob: file });
    useStudio.getState().setPrediction({
      predicting: false,
      prediction: { name: file.name, probabilities, labels: useStudio.getState().runRecord?.labels ?? useStudio.getState().runLabels },
    });
  } catch (err) {
    useStudio.getState().setPrediction({ predicting: false, prediction: null, predictError: userMessageOf(err) });
  }
}
