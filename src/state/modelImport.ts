/**
 * Switching the pre-trained model: a catalog card, model.json + weight files, or a URL.
 * The current model stays loaded until the new one has loaded; a failure is an alert, not a broken step.
 */
import { StudioError, userMessageOf } from '../lib/errors';
import { CATALOG, catalogEntry } from '../models/catalog';
import { isCached } from '../storage/model-cache';
import { baseName } from '../models/validate';
import { getClient } from './clientHost';
import { ensureReady } from './controller';
import { currentSource, loadSource, setCurrentSource, type ModelSource } from './modelSource';
import { isBusy } from './selectors';
import { useStudio } from './store';

let importCounter = 0;

async function switchModel(next: ModelSource): Promise<boolean> {
  const s = useStudio.getState();
  if (isBusy(s.status) || s.pendingModelId) return false;
  s.setModelSwitch({ pendingModelId: next.id, importError: null, download: null });
  try {
    // The first model (and the backend) must be up before another can replace it.
    await ensureReady();
    if (useStudio.getState().backendError) throw new StudioError('backend-unavailable', 'No compute backend is running, so no model can load.');
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

/** Loads a catalog model (downloading and caching a hosted one). */
export function chooseCatalogModel(id: string): Promise<boolean> {
  const src = currentSource();
  if (src.kind === 'catalog' && src.id === id && useStudio.getState().modelState === 'loaded') return Promise.resolve(true);
  if (!catalogEntry(id)) return Promise.resolve(false);
  return switchModel({ kind: 'catalog', id });
}

/** Imports a TF.js model from model.json plus its weight files (validated in the worker before loading). */
export function importModelFiles(files: File[], inputRange: [number, number] = [0, 1]): Promise<boolean> {
  if (files.length === 0) return Promise.resolve(false);
  const json = files.find((f) => /\.json$/i.test(f.name));
  const name = `Imported: ${json ? baseName(json.name) : 'model'}${files.length > 1 ? ` + ${files.length - 1} file${files.length > 2 ? 's' : ''}` : ''}`;
  return switchModel({ kind: 'files', id: `import-${++importCounter}`, name, files, names: files.map((f) => f.name), inputRange });
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
  return switchModel({ kind: 'url', id: `url-${++importCounter}`, name: `From ${url.host}: ${baseName(url.pathname)}`, url: url.href, inputRange });
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
