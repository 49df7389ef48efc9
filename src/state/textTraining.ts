/**
 * Text actions on a run: settings, start and stop. The run's progress (the worker's `text` events)
 * reaches the store through events.ts, like an image run's.
 */
import { StudioError, userMessageOf } from '../lib/errors';
import { getClient } from './clientHost';
import { newRunId } from './controller';
import { useStudio } from './store';
import { ensureTextBase } from './textModel';
import { isTextBusy, textStartBlocker, textTrainSettings, textTrainingData, type PreparedTextData } from './textSelectors';
import { TEXT_LM, isTextTask } from './textSlice';
import type { TextSettings, TextState } from './types';

const text = () => useStudio.getState().text;
const setText = (patch: Partial<TextState>) => useStudio.getState().setText(patch);

export function updateTextSettings(patch: Partial<TextSettings>): void {
  setText({ settings: { ...text().settings, ...patch } });
}

export async function startTextTraining(): Promise<void> {
  const s = text();
  if (isTextBusy(s.status) || textStartBlocker(s) || !isTextTask(s.task)) return;
  const task = s.task;
  let prepared: PreparedTextData;
  try {
    prepared = textTrainingData(s, task);
  } catch (err) {
    setText({ runError: userMessageOf(err), status: 'error' });
    return;
  }
  const { labels, valExamples, data } = prepared;
  useStudio.getState().resetTextRun({ status: 'loading', runTask: task, runLabels: labels, valExamples });
  if (!(await ensureTextBase())) {
    setText({ status: 'error', runError: text().baseError ?? 'The language model could not be loaded.' });
    return;
  }
  try {
    const run = {
      id: newRunId(),
      model: { id: TEXT_LM.id, name: TEXT_LM.name, licence: TEXT_LM.licence, source: 'bundled' },
      validationSplit: s.settings.validationSplit,
    };
    const { record, ...result } = await getClient().call({
      kind: 'train',
      task,
      settings: textTrainSettings(text(), task),
      labels,
      data,
      run,
    });
    setText({ result, record, status: 'done' });
  } catch (err) {
    if (err instanceof StudioError && err.code === 'cancelled') {
      setText({ status: 'idle' });
      return;
    }
    setText({ status: 'error', runError: userMessageOf(err) });
  }
}

export async function stopTextTraining(): Promise<void> {
  const s = text();
  if (s.status !== 'running' && s.status !== 'loading') return;
  setText({ status: 'stopping' });
  await getClient()
    .call({ kind: 'stop' })
    .catch(() => undefined);
}
