/**
 * Switching the pre-trained model: a catalog card, model.json + weight files, or a URL.
 * The current model stays loaded until the new one has loaded; a failure is an alert, not a broken step.
 */
import { unzipSync } from 'fflate';
import { StudioError, userMessageOf } from '../lib/errors';
import { CATALOG, catalogEntry } from '../models/catalog';
import { isCached } from '../storage/model-cache';
import { baseName } from '../models/validate';
import { getClient } from './clientHost';
import { ensureReady } from './controller';
import { currentSource, isTeachableMetadata, loadSource, setCurrentSource, type ModelSource } from './modelSource';
import { isBusy } from './selectors';
import { looksLikeHfFolder } from '../models/hf/import';
import { chooseTask, importTextModel } from './textModel';
import { useStudio } from './store';
import { bringJobRun, jobEpochs, jobMetricsBlocker, takeJobMetrics, type JobMetricsFile } from './jobRunImport';
import { findTextExport, importTextExport } from './textExportImport';
import type { InputFile } from '../data/ingest';
import type { TextModelJson } from '../text/export';

let importCounter = 0;
const importId = () => `import-${Date.now().toString(36)}-${++importCounter}`;

async function switchModel(next: ModelSource): Promise<boolean> {
  const s = useStudio.getState();
  if (isBusy(s.status) || s.pendingModelId) return false;
  s.setModelSwitch({ pendingModelId: next.id, importError: null, download: null });
  try {
    // The first model (and the backend) must be up before another can replace it.
    await ensureReady();
    if (useStudio.getState().backendError)
      throw new StudioError('backend-unavailable', 'No compute backend is running, so no model can load.');
    const summary = await loadSource(getClient(), next);
    setCurrentSource(next);
    const st = useStudio.getState();
    st.resetRun();
    st.setEvaluation({ evaluation: null, evalState: 'idle', evalError: null });
    st.selectModel(next.id);
    st.setModelLoaded(summary);
    return true;
  } catch (err) {
    if (!(err instanceof StudioError && err.code === 'cancelled')) {
      useStudio.getState().setModelSwitch({ importError: userMessageOf(err) });
    }
    return false;
  } finally {
    useStudio.getState().setModelSwitch({ pendingModelId: null, download: null });
    if (next.kind === 'catalog') void refreshCachedModels();
  }
}

/** Same source (what was imported or chosen), so reopening a project does not load a model twice. */
function sameSource(a: ModelSource, b: ModelSource): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'catalog' || a.kind === 'files') return a.id === b.id;
  return a.kind === 'url' && b.kind === 'url' && a.url === b.url;
}

/**
 * Loads the model a reopened project trained on, keeping its dataset, settings and runs (no reset,
 * unlike choosing a model). If it cannot load, the studio says so and keeps the model it has.
 */
export async function restoreModelSource(source: ModelSource): Promise<boolean> {
  if (sameSource(source, currentSource())) return true;
  if (source.kind === 'catalog' && !catalogEntry(source.id)) return false;
  useStudio.getState().setModelSwitch({ pendingModelId: source.id, importError: null, download: null });
  try {
    await ensureReady();
    if (useStudio.getState().backendError) return false;
    const summary = await loadSource(getClient(), source);
    setCurrentSource(source);
    useStudio.getState().selectModel(source.id);
    useStudio.getState().setModelLoaded(summary);
    return true;
  } catch (err) {
    if (!(err instanceof StudioError && err.code === 'cancelled')) {
      const name = source.kind === 'catalog' ? (catalogEntry(source.id)?.name ?? source.id) : source.name;
      useStudio.getState().setModelSwitch({
        importError: `This project trained on “${name}”, which could not be loaded again (${userMessageOf(err)}). The studio kept the model it had loaded; import that model again to continue with it.`,
      });
    }
    return false;
  } finally {
    useStudio.getState().setModelSwitch({ pendingModelId: null, download: null });
  }
}

/** Loads a catalog model (downloading and caching a hosted one). */
export function chooseCatalogModel(id: string): Promise<boolean> {
  const src = currentSource();
  if (src.kind === 'catalog' && src.id === id && useStudio.getState().modelState === 'loaded') return Promise.resolve(true);
  if (!catalogEntry(id)) return Promise.resolve(false);
  return switchModel({ kind: 'catalog', id });
}

const MAX_IMPORT_ZIP_BYTES = 600 * 1024 * 1024;

/** A zip exported by the studio (or any zip of model.json + weights) becomes its files. */
async function expandZips(files: File[], nested = true): Promise<File[]> {
  const out: File[] = [];
  for (const f of files) {
    if (!/\.zip$/i.test(f.name)) {
      out.push(f);
      continue;
    }
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(new Uint8Array(await f.arrayBuffer()), {
        filter: (e) => !e.name.endsWith('/') && e.originalSize < MAX_IMPORT_ZIP_BYTES,
      });
    } catch (err) {
      throw new StudioError(
        'zip-invalid',
        `${f.name} is not a readable zip. Export the model again, or pick its model.json and weight files.`,
        { cause: err },
      );
    }
    for (const [name, bytes] of Object.entries(entries)) {
      const file = new File([bytes as Uint8Array<ArrayBuffer>], baseName(name));
      // A job's output folder zipped whole holds its model.zip: that opens too (one level down).
      if (nested && /\.zip$/i.test(name)) out.push(...(await expandZips([file], false)));
      else out.push(file);
    }
  }
  return out;
}

/** The imported model's metadata.json, when it has one (a studio or Teachable Machine export). */
async function readMetadata(files: File[]): Promise<Record<string, unknown> | undefined> {
  const meta = files.find((f) => baseName(f.name).toLowerCase() === 'metadata.json');
  if (!meta) return undefined;
  try {
    const value = JSON.parse(await meta.text()) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function rangeOf(meta: Record<string, unknown> | undefined, fallback: [number, number]): [number, number] {
  // Teachable Machine feeds pixels / 127 − 1, i.e. [−1, 1].
  if (isTeachableMetadata(meta)) return [-1, 1];
  const r = meta?.inputRange;
  return Array.isArray(r) && r.length === 2 && r.every((v) => typeof v === 'number') ? [r[0] as number, r[1] as number] : fallback;
}

/**
 * Imports a TF.js model from model.json plus its weight files, or a zip of them (validated in the
 * worker before loading). A studio export keeps its trained head, labels and settings: training the
 * same classes continues where it stopped, and the next export records where it came from. A
 * PyTorch job's `metrics.jsonl` given beside its `model.zip` brings the job's run back with its
 * curves (jobRunImport.ts); it is read first, so a bad file leaves the current model loaded.
 */
export async function importModelFiles(picked: File[], inputRange: [number, number] = [0, 1]): Promise<boolean> {
  let files: File[];
  let job: JobMetricsFile | null;
  let textExport: Partial<TextModelJson> | null;
  const fail = (message: string) => useStudio.getState().setModelSwitch({ importError: message });
  try {
    const expanded = await expandZips(picked);
    // The studio's text export (a text-generation job's model.zip among them): its metrics are a text run's.
    textExport = await findTextExport(expanded);
    ({ files, job } = await takeJobMetrics(expanded, textExport ? 'text' : 'image'));
  } catch (err) {
    fail(userMessageOf(err));
    return false;
  }
  if (files.length === 0) return false;
  if (textExport) return importTextExport(textExport, files, job, importedFrom(picked, files), fail);
  if (!job && looksLikeHfFolder(files.map((f) => f.name))) {
    // A Hugging Face folder is a language model: the studio moves to text generation and imports it there.
    useStudio.getState().setModelSwitch({ importError: null });
    chooseTask('text-generation');
    return importTextModel(files.map((f) => ({ path: f.webkitRelativePath || f.name, data: f })));
  }
  const metadata = await readMetadata(files);
  const blocker = job ? jobMetricsBlocker(job, metadata) : null;
  if (blocker) {
    useStudio.getState().setModelSwitch({ importError: blocker });
    return false;
  }
  const from = importedFrom(picked, files);
  const name = `Imported: ${from}`;
  const ok = await switchModel({
    kind: 'files',
    id: importId(),
    name,
    files,
    names: files.map((f) => f.name),
    inputRange: rangeOf(metadata, inputRange),
    metadata,
    ...(job ? { jobEpochs: jobEpochs(job) } : {}),
  });
  if (ok && metadata) {
    const s = useStudio.getState();
    if (typeof metadata.imageSize === 'number') s.setImageSize(metadata.imageSize);
    const settings = metadata.settings as { resize?: unknown } | undefined;
    if (settings?.resize === 'stretch' || settings?.resize === 'center-crop') s.updateSettings({ resize: settings.resize });
    // Teachable Machine crops the centre square before resizing.
    if (isTeachableMetadata(metadata)) s.updateSettings({ resize: 'center-crop' });
    if (job) await bringJobRun(job, metadata, from);
  }
  return ok;
}

/** What an import came in, for its name and its job's run: the one zip given, else its model.json. */
function importedFrom(picked: readonly File[], files: readonly File[]): string {
  const json = files.find((f) => baseName(f.name).toLowerCase() === 'model.json') ?? files.find((f) => /\.json$/i.test(f.name));
  const zips = picked.filter((f) => /\.zip$/i.test(f.name));
  return zips.length === 1 ? (zips[0]?.name ?? 'model') : json ? baseName(json.name) : 'model';
}

/**
 * The text model step's import (model.import-files there): the studio's text export (a zip, or its
 * files, with a job's metrics.jsonl or not) as `importModelFiles` takes it, alerts in that step;
 * anything else is a Hugging Face folder (textModel.importTextModel), as before.
 */
export async function importTextFiles(inputs: readonly InputFile[]): Promise<boolean> {
  const fail = (message: string) => useStudio.getState().setText({ importError: message });
  const picked = inputs.map((f) => new File([f.data], baseName(f.path)));
  let files: File[];
  let job: JobMetricsFile | null;
  let textExport: Partial<TextModelJson> | null;
  try {
    const expanded = await expandZips(picked);
    textExport = await findTextExport(expanded);
    if (!textExport) return importTextModel(inputs);
    ({ files, job } = await takeJobMetrics(expanded, 'text'));
  } catch (err) {
    fail(userMessageOf(err));
    return false;
  }
  return importTextExport(textExport, files, job, importedFrom(picked, files), fail);
}

/** Imports a TF.js Layers or graph model from the URL of its model.json. */
export function importModelUrl(raw: string, inputRange: [number, number] = [0, 1]): Promise<boolean> {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
  } catch {
    useStudio.getState().setModelSwitch({
      importError: `“${text || '(empty)'}” is not a web address. Paste the full URL of a model.json, starting with https://.`,
    });
    return Promise.resolve(false);
  }
  return switchModel({
    kind: 'url',
    id: `url-${Date.now().toString(36)}-${++importCounter}`,
    name: `From ${url.host}: ${baseName(url.pathname)}`,
    url: url.href,
    inputRange,
  });
}

/** Which hosted catalog models are in browser storage (shown as "cached" on their cards). */
export async function refreshCachedModels(): Promise<void> {
  const hosted = CATALOG.filter((e) => e.source === 'hosted');
  const flags = await Promise.all(hosted.map((e) => isCached(e.url).catch(() => false)));
  useStudio.getState().setCachedModels(hosted.filter((_, i) => flags[i]).map((e) => e.id));
}

export function dismissImportError(): void {
  useStudio.getState().setModelSwitch({ importError: null });
}
