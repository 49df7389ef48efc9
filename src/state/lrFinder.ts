/**
 * The learning-rate range test from the UI, for the task on screen: runs it in the worker on the
 * training split, the current model, frozen layers (or trainable groups) and settings; the curve streams in as `lr-point` events (events.ts). Applying
 * the suggestion sets the learning rate (and can be undone). The model and any trained run are left
 * as they were (the worker restores every weight).
 */
import { StudioError, userMessageOf } from '../lib/errors';
import type { TaskCommand } from '../worker/protocol';
import { ensureTextBase } from './textModel';
import { isTextBusy, textStartBlocker, textTrainSettings, textTrainingData } from './textSelectors';
import { isTextTask } from './textSlice';
import { updateTextSettings } from './textTraining';
import { ensureReady, workerImages } from './controller';
import { getClient } from './clientHost';
import { IDLE_LR_FINDER } from './lrFinderSlice';
import { classNames, isBusy, startBlocker } from './selectors';
import { useStudio } from './store';
import type { StudioState } from './types';

/** Why the test cannot run now, as a sentence; null when it can. */
export function lrFinderBlocker(s: StudioState): string | null {
  if (s.lrFinder.state === 'running') return 'The learning-rate test is running.';
  if (isTextTask(s.text.task)) return isTextBusy(s.text.status) ? 'Wait for the run to finish.' : textStartBlocker(s.text);
  if (isBusy(s.status)) return 'Wait for the run to finish.';
  return startBlocker(s);
}

/** The learning rate the current task's next run will use. */
export function currentLearningRate(s: StudioState): number {
  return isTextTask(s.text.task) ? s.text.settings.learningRate : s.settings.learningRate;
}

function setLearningRate(lr: number): void {
  const s = useStudio.getState();
  if (isTextTask(s.text.task)) updateTextSettings({ learningRate: lr });
  else {
    s.setFieldError('learningRate', null);
    s.updateSettings({ learningRate: lr });
  }
}

/** The worker command of the test for the task on screen. */
async function finderCommand(): Promise<Extract<TaskCommand, { kind: 'findLr' }>> {
  const s = useStudio.getState();
  const task = s.text.task;
  if (isTextTask(task)) {
    const { labels, data } = textTrainingData(s.text, task);
    if (!(await ensureTextBase()))
      throw new StudioError('model-load-failed', s.text.baseError ?? 'The language model could not be loaded.');
    return { kind: 'findLr', task, settings: textTrainSettings(useStudio.getState().text, task), labels, data };
  }
  if (!(await ensureReady())) {
    throw new StudioError('model-load-failed', 'The model is not ready in the training worker. Reload the model in step 2 and try again.');
  }
  const now = useStudio.getState();
  const labels = classNames(now.images);
  return { kind: 'findLr', task: 'image-classification', settings: now.settings, labels, train: workerImages(now.split.train, labels) };
}

export async function runLrFinder(): Promise<void> {
  const s = useStudio.getState();
  if (lrFinderBlocker(s)) return;
  s.setLrFinder({ ...IDLE_LR_FINDER, state: 'running', task: s.text.task });
  try {
    const result = await getClient().call(await finderCommand());
    useStudio.getState().setLrFinder({
      state: 'done',
      points: result.points,
      suggestion: result.suggestion,
      minimumAt: result.minimumAt,
      rule: result.ended === 'stopped' ? `Stopped early. ${result.rule}` : result.rule,
    });
  } catch (err) {
    // Stopped while the frozen layers' features were being prepared: nothing to show, nothing wrong.
    if (err instanceof StudioError && err.code === 'cancelled') useStudio.getState().setLrFinder({ state: 'idle' });
    else useStudio.getState().setLrFinder({ state: 'error', error: userMessageOf(err) });
  } finally {
    useStudio.setState({ phase: null });
  }
}

export async function stopLrFinder(): Promise<void> {
  if (useStudio.getState().lrFinder.state !== 'running') return;
  await getClient()
    .call({ kind: 'stop' })
    .catch(() => undefined);
}

/** Sets the learning rate to the suggestion (remembering the one it replaces). */
export function applyLrSuggestion(): void {
  const s = useStudio.getState();
  const lr = s.lrFinder.suggestion;
  if (lr === null) return;
  s.setLrFinder({ appliedOver: currentLearningRate(s) });
  setLearningRate(Number(lr.toPrecision(2)));
}

export function undoLrSuggestion(): void {
  const s = useStudio.getState();
  const before = s.lrFinder.appliedOver;
  if (before === null) return;
  s.setLrFinder({ appliedOver: null });
  setLearningRate(before);
}
