/** Text actions: choosing the task, loading the bundled language model, and which of its groups train. */
import { userMessageOf } from '../lib/errors';
import { presetGroups } from '../text/groups';
import type { InputFile } from '../data/ingest';
import type { HfInputFile } from '../models/hf/import';
import { HF_TASK } from '../models/hf/tasks';
import type { TextBaseSummary } from '../worker/text-session';
import type { TextTask } from '../text/types';
import { getClient } from './clientHost';
import { ensureReady } from './controller';
import { absolute } from './modelSource';
import { useStudio } from './store';
import { isTextBusy } from './textSelectors';
import { TEXT_LM, TEXT_TASK_DEFAULTS, isTextTask } from './textSlice';
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
  if (isTextTask(task)) void ensureTextBase();
}

/**
 * Generation fine-tunes the top of the network by default; a classifier starts as a head on frozen
 * features; an imported GPT-2 trains adapters alone (LoRA), its own weights frozen; an imported
 * BERT or DistilBERT starts as a head on its pooled output.
 */
function defaultTrainable(task: TextTask, base: TextBaseSummary | null | undefined): string[] {
  if (base?.source === 'hf') return task === 'text-classification' ? ['head'] : [];
  return task === 'text-generation' && base ? presetGroups(base.config, { kind: 'top-blocks', blocks: 1 }) : ['head'];
}

let baseGeneration = -1;
/** The files of the imported model, kept to send again to a restarted worker (a crash or a lost GPU). */
let importedFiles: HfInputFile[] | null = null;

let loadingBase: Promise<boolean> | null = null;

/**
 * Starts the backend (if needed) and loads the language model in the worker: the bundled one, or
 * the imported one again after the worker restarted. Calls while one is loading share it.
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
  if (baseGeneration === getClient().generation && text().baseState === 'loaded') return true;
  setText({ baseState: 'loading', baseError: null });
  try {
    // Both text tasks start from the same language model: either session loads it.
    const base =
      importedFiles && text().base?.source === 'hf'
        ? await getClient().call({ kind: 'load', task: 'text-generation', files: importedFiles })
        : await getClient().call({ kind: 'load', task: 'text-generation', url: absolute(TEXT_LM.url), name: TEXT_LM.name });
    baseGeneration = getClient().generation;
    const first = text().base === null;
    setText({ base, baseState: 'loaded' });
    const now = text().task;
    if (first && isTextTask(now)) setText({ trainable: defaultTrainable(now, base) });
    return true;
  } catch (err) {
    setText({ baseState: 'error', baseError: userMessageOf(err) });
    return false;
  }
}

/**
 * Imports a Hugging Face model folder's files as the model text runs start from: the task becomes
 * text generation for GPT-2 (adapters, LoRA, train by default) or text classification for BERT (a
 * new head on its pooled output), and the run and results reset.
 * A failure is an alert; the model loaded before stays.
 */
export async function importTextModel(files: readonly InputFile[]): Promise<boolean> {
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
    baseGeneration = getClient().generation;
    const t = text();
    // GPT-2 writes (adapters by default); BERT and DistilBERT classify (a head on their pooled output, features cached).
    const task: TextTask = base.architecture ? HF_TASK[base.architecture] : 'text-generation';
    const settings = {
      ...t.settings,
      ...(t.task === task ? {} : TEXT_TASK_DEFAULTS[task]),
      lora: task === 'text-generation',
      // GPT-2 reads 1,024 tokens; 256-token windows train in a quarter of the attention memory.
      contextLength: base.config.contextLength > 256 ? 256 : null,
    };
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

/** Back to the bundled language model (the imported one is forgotten). */
export async function switchToBundledTextModel(): Promise<void> {
  const t = text();
  if (t.base?.source !== 'hf' || isTextBusy(t.status)) return;
  importedFiles = null;
  baseGeneration = -1;
  useStudio
    .getState()
    .resetTextRun({ base: null, baseState: 'idle', importError: null, settings: { ...t.settings, lora: false, contextLength: null } });
  await ensureTextBase();
}

/**
 * Why the model loaded now is not the one a stored run fine-tuned, or null: an imported model's
 * files are not kept in the browser, so a run on one needs it imported again to continue.
 */
export function textBaseMismatch(origin: { name: string; source: string } | null | undefined): string | null {
  if (!origin) return null;
  const base = text().base;
  const now = base?.source ?? 'bundled';
  if (origin.source === 'hf' && (now !== 'hf' || base?.name !== origin.name)) {
    return `This run fine-tuned “${origin.name}”, imported from Hugging Face files, which the studio does not keep after a reload: import that model again in step 2 to continue with this run.`;
  }
  if (origin.source !== 'hf' && now === 'hf') {
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
