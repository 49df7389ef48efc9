/**
 * Text actions: choosing the task, loading the language model (the bundled one, or a Hugging Face
 * import, kept with the project and loaded back after a reload), and which of its groups train.
 */
import { userMessageOf } from '../lib/errors';
import { presetGroups } from '../text/groups';
import type { InputFile } from '../data/ingest';
import type { HfInputFile } from '../models/hf/import';
import { HF_TASK } from '../models/hf/tasks';
import type { TextBaseSummary } from '../worker/text-session';
import type { TextTask } from '../text/types';
import { getClient } from './clientHost';
import { keepImportedModel, readImportedModel, restoreFailedMessage, storedImportedModelName } from './importedModelStore';
import { ensureReady } from './controller';
import { absolute } from './modelSource';
import { useStudio } from './store';
import { isTextBusy } from './textSelectors';
import { TEXT_LM, TEXT_TASK_DEFAULTS, isImageTask, isTextTask } from './textSlice';
import { showImageSettingsOf } from './imageTask';
import type { Task, TextState } from './types';

const text = () => useStudio.getState().text;
const setText = (patch: Partial<TextState>) => useStudio.getState().setText(patch);

export function chooseTask(task: Task): void {
  const s = useStudio.getState();
  const t = s.text;
  if (t.task === task || isTextBusy(t.status) || isTextBusy(s.status)) return;
  const patch: Partial<TextState> = { task, dataError: null };
  if (isTextTask(task)) {
    patch.settings = { ...t.settings, ...TEXT_TASK_DEFAULTS[task] };
    patch.trainable = defaultTrainable(task, t.base);
    patch.seed = s.settings.seed;
  }
  s.resetTextRun(patch);
  if (isImageTask(task)) showImageSettingsOf(task);
  if (isTextTask(task)) void ensureTextBase();
}

/**
 * Generation fine-tunes the top of the network by default; a classifier starts as a head on frozen
 * features; an imported GPT-2 trains adapters alone (LoRA), its own weights frozen; an imported
 * BERT or DistilBERT starts as a head on its pooled output.
 */
/** Whether a model's source (a base's, or a run record's origin) is an import the project keeps: Hugging Face files, or a studio text export. */
export function isImportedTextSource(source: string | null | undefined): boolean {
  return source === 'hf' || source === 'files';
}

function defaultTrainable(task: TextTask, base: TextBaseSummary | null | undefined): string[] {
  if (base?.source === 'hf') return task === 'text-classification' ? ['head'] : [];
  return task === 'text-generation' && base ? presetGroups(base.config, { kind: 'top-blocks', blocks: 1 }) : ['head'];
}

let baseGeneration = -1;
/**
 * Which language model should be loaded: every change of it (an import, the bundled one chosen
 * again, a project opened, a run on a kept import) counts one up; the loaded model answers for the
 * value it was loaded for (`baseWant`), so a load that started for the model before loads again.
 */
let want = 0;
let baseWant = -1;
/** The files of the imported model, kept to send again to a restarted worker (a crash or a lost GPU). */
let importedFiles: HfInputFile[] | null = null;
/** The imported model that is the current base, and the project it belongs to (null: the bundled model). */
let imported: { projectId: string | null; name: string } | null = null;
/** An imported model the project keeps in browser storage, read back on the next load in place of the bundled model. */
let pendingRestore: { projectId: string; name: string } | null = null;
/** When the imported base is a studio text export: its metadata.json, and the epochs of a job's metrics.jsonl given with it. */
let exportInfo: { metadata: Record<string, unknown>; jobEpochs: number } | null = null;

/** The imported text export the current base is, with what its metadata.json says (null for any other base). */
export function importedTextExport(): { name: string; metadata: Record<string, unknown>; jobEpochs: number } | null {
  const base = text().base;
  return base?.source === 'files' && exportInfo ? { name: base.name, ...exportInfo } : null;
}

/** metadata.json among an import's files, parsed (null when absent or unreadable). */
async function metadataOf(files: readonly HfInputFile[]): Promise<Record<string, unknown> | null> {
  const meta = files.find((f) => /(^|\/)metadata\.json$/i.test(f.name));
  try {
    const value = meta ? (JSON.parse(await meta.blob.text()) as unknown) : null;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

let loadingBase: Promise<boolean> | null = null;

/**
 * Starts the backend (if needed) and loads the language model in the worker: the bundled one, or
 * the imported one (again after the worker restarted, or from browser storage after a reload).
 * Calls while one is loading share it.
 */
export function ensureTextBase(): Promise<boolean> {
  loadingBase ??= loadTextBase().finally(() => {
    loadingBase = null;
  });
  return loadingBase;
}

async function loadTextBase(): Promise<boolean> {
  // Readiness first: after a crash the next worker is a new generation, which has no language model yet.
  if (!(await ensureReady())) {
    setText({ baseState: 'error', baseError: useStudio.getState().backendError ?? 'The compute backend did not start.' });
    return false;
  }
  if (baseGeneration === getClient().generation && baseWant === want && text().baseState === 'loaded') return true;
  const wanted = want;
  // The model wanted changed while this one loaded or was read (another project opened): load that one instead.
  const stale = () => wanted !== want;
  setText({ baseState: 'loading', baseError: null });
  const restoring = importedFiles ? null : pendingRestore;
  let files = importedFiles;
  if (restoring) {
    const back = await readImportedModel(restoring.projectId, restoring.name);
    if (stale()) return loadTextBase();
    if ('error' in back) return restoreFailed(back.error);
    files = back.files;
  }
  try {
    // Both text tasks start from the same language model: either session loads it.
    const base = files
      ? await getClient().call({ kind: 'load', task: 'text-generation', files })
      : await getClient().call({ kind: 'load', task: 'text-generation', url: absolute(TEXT_LM.url), name: TEXT_LM.name });
    if (stale()) return loadTextBase();
    if (restoring) {
      pendingRestore = null;
      importedFiles = files;
      imported = { projectId: restoring.projectId, name: base.name };
      const metadata = base.source === 'files' && files ? await metadataOf(files) : null;
      exportInfo = metadata ? { metadata, jobEpochs: 0 } : null;
    }
    baseGeneration = getClient().generation;
    baseWant = wanted;
    const before = text().base;
    setText({ base, baseState: 'loaded' });
    const now = text().task;
    if ((before === null || before.source !== base.source) && isTextTask(now)) setText({ trainable: defaultTrainable(now, base) });
    return true;
  } catch (err) {
    if (stale()) return loadTextBase();
    if (restoring) return restoreFailed(restoreFailedMessage(restoring.name, userMessageOf(err)));
    setText({ baseState: 'error', baseError: userMessageOf(err) });
    return false;
  }
}

/** A kept import could not come back: the bundled model loads instead, and the alert says why (the stored files stay). */
function restoreFailed(message: string): Promise<boolean> {
  pendingRestore = null;
  importedFiles = null;
  imported = null;
  exportInfo = null;
  want++;
  setText({ importError: message });
  return loadTextBase();
}

/**
 * The name of the imported model the project has as its base (loaded, or to be read back from
 * browser storage), or null for the bundled model: what the autosave writes (textPersistence.ts).
 */
export function importedBaseName(): string | null {
  return pendingRestore?.name ?? imported?.name ?? null;
}

/**
 * A project was opened (after a reload, or from the project list) or created: `name` is the imported
 * model its text state says was current (null: the bundled one). A kept import is read back from
 * browser storage on the next load; the model of another project is unloaded.
 */
export function openProjectBase(projectId: string, name: string | null): void {
  if (name !== null && imported?.projectId === projectId && imported.name === name && importedFiles) return;
  if (name === null && !imported && !pendingRestore) return;
  want++;
  importedFiles = null;
  imported = null;
  exportInfo = null;
  pendingRestore = name === null ? null : { projectId, name };
  setText({ base: null, baseState: 'idle', baseError: null, importError: null });
}

/**
 * A new project was created: it keeps the imported model that is loaded (as it keeps the rest of the
 * model step), so its files are kept again under the new project; one still to be read back from
 * another project's storage is not carried, and the new project starts from the bundled model.
 */
export function carryBaseToNewProject(projectId: string): void {
  if (imported && importedFiles) {
    imported = { projectId, name: imported.name };
    keepImportedModel(importedFiles, imported.name);
  } else {
    openProjectBase(projectId, null);
  }
}

/**
 * The loaded model's settings an import starts from: LoRA for GPT-2, and a context GPT-2's 1,024
 * tokens fit in. A studio text export trains as the bundled model does (no LoRA: a job cannot train adapters).
 */
function importedSettings(base: TextBaseSummary, task: TextTask): Partial<TextState['settings']> {
  return {
    ...(text().task === task ? {} : TEXT_TASK_DEFAULTS[task]),
    lora: task === 'text-generation' && base.source === 'hf',
    // GPT-2 reads 1,024 tokens; 256-token windows train in a quarter of the attention memory.
    contextLength: base.config.contextLength > 256 ? 256 : null,
  };
}

/**
 * Loads the language model a stored run fine-tuned (`origin`, from its record): when that is an
 * imported model this project keeps in browser storage and another one is loaded (the bundled one
 * was chosen again since), the kept one is read back and becomes the current base, with an import's
 * settings; the run's state on screen stays. Otherwise as `ensureTextBase`, and the caller's
 * `textBaseMismatch` says what differs.
 */
export async function ensureTextBaseFor(origin: { name: string; source: string } | null | undefined): Promise<boolean> {
  if (loadingBase) await loadingBase;
  const base = text().base;
  const projectId = useStudio.getState().currentId;
  const loaded = isImportedTextSource(base?.source) && base?.source === origin?.source && base?.name === origin?.name;
  if (
    !origin ||
    !isImportedTextSource(origin.source) ||
    loaded ||
    !projectId ||
    (await storedImportedModelName(projectId)) !== origin.name
  ) {
    return ensureTextBase();
  }
  openProjectBase(projectId, origin.name);
  if (!(await ensureTextBase())) return false;
  const now = text().base;
  const task = text().task;
  if (isImportedTextSource(now?.source) && now && isTextTask(task)) {
    setText({ settings: { ...text().settings, ...importedSettings(now, task) }, trainable: defaultTrainable(task, now) });
  }
  return true;
}

/**
 * Imports a Hugging Face model folder's files as the model text runs start from: the task becomes
 * text generation for GPT-2 (adapters, LoRA, train by default) or text classification for BERT (a
 * new head on its pooled output), and the run and results reset. Once it has loaded, its files are
 * kept in browser storage with the project (in the background), so it comes back after a reload.
 * A failure is an alert; the model loaded before stays.
 */
export async function importTextModel(files: readonly InputFile[], options: { jobEpochs?: number } = {}): Promise<boolean> {
  // A model that is loading (the bundled one, when the task just changed) finishes first.
  if (loadingBase) await loadingBase;
  const s = useStudio.getState();
  if (isTextBusy(s.text.status) || isTextBusy(s.status) || s.text.baseState === 'loading') return false;
  if (files.length === 0) return false;
  if (!(await ensureReady())) {
    setText({ importError: useStudio.getState().backendError ?? 'The compute backend did not start.' });
    return false;
  }
  const input: HfInputFile[] = files.map((f) => ({ name: f.path, blob: f.data }));
  const before = text().baseState;
  setText({ baseState: 'loading', importError: null });
  try {
    const base = await getClient().call({ kind: 'load', task: 'text-generation', files: input });
    importedFiles = input;
    const projectId = useStudio.getState().currentId;
    imported = { projectId, name: base.name };
    pendingRestore = null;
    const metadata = base.source === 'files' ? await metadataOf(input) : null;
    exportInfo = metadata ? { metadata, jobEpochs: options.jobEpochs ?? 0 } : null;
    baseWant = ++want;
    baseGeneration = getClient().generation;
    // Only a model that loaded is kept; it replaces the one this project kept before.
    keepImportedModel(input, base.name);
    const t = text();
    // GPT-2 writes (adapters by default); BERT and DistilBERT classify (a head on their pooled output, features cached).
    const task: TextTask = base.architecture ? HF_TASK[base.architecture] : 'text-generation';
    const settings = { ...t.settings, ...importedSettings(base, task) };
    useStudio.getState().resetTextRun({
      task,
      base,
      baseState: 'loaded',
      baseError: null,
      trainable: defaultTrainable(task, base),
      settings,
    });
    return true;
  } catch (err) {
    setText({ baseState: before === 'loading' ? 'idle' : before, importError: userMessageOf(err) });
    return false;
  }
}

/**
 * Back to the bundled language model. The imported model's files stay kept in browser storage with
 * the project: its runs can still be resumed or made current, which loads it back (`ensureTextBaseFor`);
 * a reload, though, starts from the bundled model, as chosen. Importing another model replaces it.
 */
export async function switchToBundledTextModel(): Promise<void> {
  const t = text();
  if (!isImportedTextSource(t.base?.source) || isTextBusy(t.status)) return;
  importedFiles = null;
  imported = null;
  exportInfo = null;
  pendingRestore = null;
  want++;
  useStudio
    .getState()
    .resetTextRun({ base: null, baseState: 'idle', importError: null, settings: { ...t.settings, lora: false, contextLength: null } });
  await ensureTextBase();
}

/**
 * Why the model loaded now is not the one a stored run fine-tuned, or null. An imported model's
 * files are kept with the project (one at a time), so a run on an earlier import, or on one whose
 * files could not be kept, needs it imported again to continue.
 */
export function textBaseMismatch(origin: { name: string; source: string } | null | undefined): string | null {
  if (!origin) return null;
  const base = text().base;
  const now = base?.source ?? 'bundled';
  if (isImportedTextSource(origin.source) && (now !== origin.source || base?.name !== origin.name)) {
    const from = origin.source === 'hf' ? 'imported from Hugging Face files' : 'a text model exported by the studio and imported';
    return `This run fine-tuned “${origin.name}”, ${from}, which this project no longer keeps in browser storage (another model was imported since, or its files could not be kept): import that model again in step 2 to continue with this run.`;
  }
  if (!isImportedTextSource(origin.source) && isImportedTextSource(now)) {
    return `This run fine-tuned the bundled language model: choose it in step 2 (now “${base?.name ?? ''}” is loaded).`;
  }
  return null;
}

export function setTextTrainable(groups: string[]): void {
  if (isTextBusy(text().status)) return;
  setText({ trainable: groups });
}

export function toggleTextGroup(group: string, on: boolean): void {
  const set = new Set(text().trainable);
  if (on) set.add(group);
  else set.delete(group);
  setTextTrainable([...set]);
}
