/**
 * The current project's imported Hugging Face model in browser storage (../storage/imported-models.ts):
 * kept once an import has loaded in the worker, read back when a reopened project, or a stored run
 * on that model, needs it (textModel.ts decides when). Writes run in the background, one after
 * another, so keeping a large model never blocks the page; a failure to keep it is a sentence in
 * `text.importError` (an alert under the import), and the model stays loaded in memory either way.
 */
import { userMessageOf } from '../lib/errors';
import type { HfInputFile } from '../models/hf/import';
import { isQuotaError, openImportedModelStore, storedModelProblem, type ImportedModelStore } from '../storage/imported-models';
import { useStudio } from './store';

let opened: Promise<ImportedModelStore | null> | null = null;

function modelStore(): Promise<ImportedModelStore | null> {
  opened ??= typeof indexedDB === 'undefined' ? Promise.resolve(null) : openImportedModelStore().catch(() => null);
  return opened;
}

let writes: Promise<unknown> = Promise.resolve();

/** Waits for the stored model's writes (tests, and a read right after an import). */
export function importedModelWrites(): Promise<unknown> {
  return writes;
}

/** Why keeping an imported model's files failed, for the person: the model is loaded now, and what a reload will do. */
export function keepFailedMessage(name: string, err: unknown): string {
  if (isQuotaError(err)) {
    return `“${name}” is loaded and works now, but this browser’s storage for the studio is full, so its files could not be kept: after a reload the bundled model comes back instead. Free some space (delete projects you no longer need) and import it again to keep it.`;
  }
  const why = err instanceof Error && err.message ? err.message : userMessageOf(err);
  return `“${name}” is loaded and works now, but its files could not be kept in browser storage (${why.replace(/\.$/, '')}), so it will not come back after a reload: import it again then to continue with it.`;
}

/** The alert when a stored model cannot come back; `why` is null when it is not stored at all. */
export function restoreFailedMessage(name: string, why: string | null): string {
  const what =
    why === null
      ? `The imported model “${name}” is no longer kept in this browser (its files were not saved, or the site’s storage was cleared)`
      : `The imported model “${name}” kept in this browser could not be loaded again (${why.replace(/\.$/, '')})`;
  return `${what}, so the bundled model is loaded instead. Import its files again in step 2 to continue with it; the project’s texts and runs are all still here.`;
}

/**
 * Keeps `files` as the current project's imported model (replacing the one it kept), in the
 * background. Without project storage (or before a project is open) nothing is kept.
 */
export function keepImportedModel(files: readonly HfInputFile[], name: string): void {
  const s = useStudio.getState();
  const projectId = s.currentId;
  if (!projectId || !s.available) return;
  const copy = files.map((f) => ({ name: f.name, blob: f.blob }));
  writes = writes.then(async () => {
    try {
      const store = await modelStore();
      if (!store) throw new Error('this browser gives the page no storage');
      await store.put(projectId, name, copy);
    } catch (err) {
      if (useStudio.getState().currentId === projectId) useStudio.getState().setText({ importError: keepFailedMessage(name, err) });
    }
  });
}

export type ReadBack = { name: string; files: HfInputFile[] } | { error: string };

/** The project's stored imported model, checked (every file whole); or the alert saying why it cannot come back. */
export async function readImportedModel(projectId: string, wanted: string): Promise<ReadBack> {
  await writes;
  try {
    const store = await modelStore();
    const record = store ? await store.get(projectId) : undefined;
    if (!record) return { error: restoreFailedMessage(wanted, null) };
    const problem = storedModelProblem(record);
    if (problem) return { error: restoreFailedMessage(record.name, problem) };
    return { name: record.name, files: record.files.map((f) => ({ name: f.name, blob: f.blob })) };
  } catch (err) {
    const why = err instanceof Error && err.message ? err.message : userMessageOf(err);
    return { error: restoreFailedMessage(wanted, `browser storage could not be read: ${why}`) };
  }
}

/** The name of the model the project keeps, or null (none, or no storage). */
export async function storedImportedModelName(projectId: string): Promise<string | null> {
  await writes;
  try {
    const store = await modelStore();
    return (await store?.get(projectId))?.name ?? null;
  } catch {
    return null;
  }
}

/** Forgets the models of projects that no longer exist (a deleted project's model goes on the next start). */
export function pruneImportedModels(projectIds: readonly string[]): void {
  const keep = new Set(projectIds);
  writes = writes.then(async () => {
    try {
      const store = await modelStore();
      if (!store) return;
      for (const id of await store.projectIds()) if (!keep.has(id)) await store.delete(id);
    } catch {
      /* storage unavailable: nothing to prune */
    }
  });
}
