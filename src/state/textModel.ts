/** Text actions: choosing the task, loading the bundled language model, and which of its groups train. */
import { userMessageOf } from '../lib/errors';
import { presetGroups } from '../text/groups';
import type { LmConfig } from '../text/model';
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
    patch.trainable = defaultTrainable(task, t.base?.config);
    patch.seed = s.settings.seed;
  }
  s.resetTextRun(patch);
  if (isTextTask(task)) void ensureTextBase();
}

/** Generation fine-tunes the top of the network by default; a classifier starts as a head on frozen features. */
function defaultTrainable(task: TextTask, config: LmConfig | undefined): string[] {
  return task === 'text-generation' && config ? presetGroups(config, { kind: 'top-blocks', blocks: 1 }) : ['head'];
}

let baseGeneration = -1;

/** Starts the backend (if needed) and loads the bundled language model in the worker. */
export async function ensureTextBase(): Promise<boolean> {
  // Readiness first: after a crash the next worker is a new generation, which has no language model yet.
  if (!(await ensureReady())) {
    setText({ baseState: 'error', baseError: useStudio.getState().backendError ?? 'The compute backend did not start.' });
    return false;
  }
  if (baseGeneration === getClient().generation && text().baseState === 'loaded') return true;
  setText({ baseState: 'loading', baseError: null });
  try {
    const base = await getClient().call({
      kind: 'load',
      // Both text tasks start from the same language model: either session loads it.
      task: isTextTask(text().task) ? (text().task as TextTask) : 'text-generation',
      url: absolute(TEXT_LM.url),
      name: TEXT_LM.name,
    });
    baseGeneration = getClient().generation;
    const first = text().base === null;
    setText({ base, baseState: 'loaded' });
    const task = text().task;
    if (first && isTextTask(task)) setText({ trainable: defaultTrainable(task, base.config) });
    return true;
  } catch (err) {
    setText({ baseState: 'error', baseError: userMessageOf(err) });
    return false;
  }
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
