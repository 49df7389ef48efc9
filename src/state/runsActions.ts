/**
 * The runs view's actions: load the current project's runs (on project open, and again when a run
 * starts, completes an epoch or ends), notes, delete, and "use this run's model", which rebuilds a
 * finished run's model (image or text) in the worker from its record and stored checkpoint and makes it the
 * current one (evaluation, try-it and every export then describe that run).
 */
import { userMessageOf } from '../lib/errors';
import type { RunRecord as StoredRun, StoredTextRun } from '../storage/projects';
import type { Checkpoint } from '../engine/checkpoint';
import type { TrainResult } from '../engine/types';
import type { TextTrainingData } from '../text/types';
import { trainedByLabel } from '../job/job-run';
import { getClient } from './clientHost';
import { ensureReady, reevaluate } from './controller';
import { reevaluateSeg } from './segTraining';
import { SEG_RESULTS_RESET } from './segSlice';
import { reevaluateAudio } from './audioTraining';
import { AUDIO_RESULTS_RESET } from './audioSlice';
import { batchMetrics } from './metricsBuffer';
import { adoptRun, adoptTextRun, flushWrites, patchRun, projectDb, removeRun } from './persistence';
import { nextSort, type SortKey } from './runRows';
import { isBusy } from './selectors';
import { useStudio } from './store';
import { isTextBusy, textTrainingData, type PreparedTextData } from './textSelectors';
import { ensureTextBaseFor, textBaseMismatch } from './textModel';
import type { RunsState, StudioState } from './types';

const set = (patch: Partial<RunsState>) => useStudio.getState().setRuns(patch);
const runs = () => useStudio.getState().runs;
const text = () => useStudio.getState().text;

/** Run ids seen in this project: a run seen for the first time is chosen for the overlay. */
let known = new Set<string>();
let loading = 0;

export async function loadRuns(): Promise<void> {
  const db = projectDb();
  const projectId = useStudio.getState().currentId;
  if (!db || !projectId) return;
  const ticket = ++loading;
  try {
    await flushWrites();
    const list = await db.listRuns(projectId);
    if (ticket !== loading || useStudio.getState().currentId !== projectId) return;
    const ids = new Set(list.map((r) => r.id));
    const fresh = list.filter((r) => !known.has(r.id)).map((r) => r.id);
    fresh.forEach((id) => known.add(id));
    set({ list, loaded: true, chosen: [...runs().chosen.filter((id) => ids.has(id)), ...fresh] });
  } catch (err) {
    set({ error: `The runs of this project could not be read from browser storage (${userMessageOf(err)}).` });
  }
}

let timer: ReturnType<typeof setTimeout> | null = null;
function loadSoon(): void {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    void loadRuns();
  }, 250);
}

let syncing = false;

/** Keeps the runs list in step with the project: loaded when one opens, refreshed as runs start, progress and end. */
export function startRunsSync(): void {
  if (syncing) return;
  syncing = true;
  useStudio.subscribe((s: StudioState, prev: StudioState) => {
    if (s.currentId !== prev.currentId) {
      known = new Set();
      set({ list: [], loaded: false, chosen: [], error: null });
      loadSoon();
      return;
    }
    if (
      (s.ready && !prev.ready) ||
      s.status !== prev.status ||
      s.text.status !== prev.text.status ||
      s.history.length !== prev.history.length ||
      s.text.history.length !== prev.text.history.length
    ) {
      loadSoon();
    }
  });
  if (useStudio.getState().ready) loadSoon();
}

function inProgress(s: StudioState, id: string): boolean {
  return (isBusy(s.status) && s.runId === id) || (isTextBusy(s.text.status) && s.text.record?.id === id);
}

export async function saveRunNotes(id: string, notes: string): Promise<void> {
  try {
    await patchRun(id, { notes });
    set({ list: runs().list.map((r) => (r.id === id ? { ...r, notes } : r)), error: null });
  } catch (err) {
    set({ error: `The note could not be saved (${userMessageOf(err)}). Your text is still in the box; try again.` });
  }
}

export async function deleteRun(id: string): Promise<void> {
  const s = useStudio.getState();
  if (inProgress(s, id)) {
    set({ error: 'This run is still training or waiting to be resumed. Stop or discard it first, then delete it.' });
    return;
  }
  try {
    await removeRun(id);
    if (s.resumeRunId === id) useStudio.setState({ resumeRunId: null, resumeEpoch: null });
    set({ list: runs().list.filter((r) => r.id !== id), chosen: runs().chosen.filter((c) => c !== id), error: null });
  } catch (err) {
    set({ error: `The run could not be deleted (${userMessageOf(err)}). It is still stored; try again.` });
  }
}

const jobRunUseBlocker = (job: NonNullable<StoredRun['job']>) =>
  `This run trained in ${trainedByLabel(job.trainedBy)}, outside the studio: its model comes back by importing ${job.file} again in step 2.`;

/** Why a run's model cannot be made current now, in a sentence; null when it can. */
export function runUseBlocker(run: StoredRun, s: Pick<StudioState, 'status' | 'text'>): string | null {
  if (run.text) {
    const task = run.text.task;
    if (s.text.task !== task) return `This is a ${task.replace('text-', 'text ')} run: choose that task at the top to use its model.`;
    if (run.job) return jobRunUseBlocker(run.job);
    if (!run.text.record) return 'This run was stored before the studio kept run records, so its model cannot be rebuilt.';
  } else if (s.text.task !== (run.record?.task ?? 'image-classification')) {
    const task = run.record?.task ?? 'image-classification';
    return `This is ${task === 'audio-classification' ? 'an audio' : `an ${task.replace('image-', 'image ')}`} run: choose that task at the top to use its model.`;
  } else if (run.job) {
    return jobRunUseBlocker(run.job);
  } else if (!run.record) return 'This run was stored before the studio kept run records, so its model cannot be rebuilt.';
  if (run.status === 'running') return 'This run has not finished.';
  if (isBusy(s.status) || isTextBusy(s.text.status)) return 'Wait for the run in progress to end.';
  return null;
}

/** Makes a finished image run's model the current one: the worker rebuilds it from the run's record and checkpoint. */
export async function makeRunCurrent(id: string, label = 'This run'): Promise<void> {
  const db = projectDb();
  if (!db || runs().restoring) return;
  set({ restoring: id, error: null });
  try {
    await flushWrites();
    const run = await db.getRun(id);
    const blocker = run ? runUseBlocker(run, useStudio.getState()) : 'It is no longer stored in this project.';
    if (blocker || !run) throw new Error(blocker ?? 'It is no longer stored in this project.');
    const stored = await db.getCheckpoint(id);
    if (!stored) {
      throw new Error(
        'Its checkpoint is missing (the run ended before its first epoch, or the checkpoint was not saved), so its model cannot be restored. Train again with its settings.',
      );
    }
    const { runId: _r, savedAt: _s, ...checkpoint } = stored;
    if (run.text) {
      await makeTextRunCurrent(id, run.text, checkpoint);
      set({ restoring: null });
      return;
    }
    const record = run.record;
    if (!record) throw new Error('It has no run record.');
    if (!(await ensureReady())) throw new Error('The training worker is not ready: reload the model in step 2 and try again.');
    const common = { kind: 'train' as const, settings: record.settings, labels: record.labels, train: [], val: [] };
    const result: TrainResult =
      record.task === 'image-segmentation'
        ? await getClient().call({ ...common, task: 'image-segmentation', restore: { record, checkpoint } })
        : record.task === 'audio-classification'
          ? await getClient().call({ ...common, task: 'audio-classification', restore: { record, checkpoint } })
          : await getClient().call({ ...common, task: 'image-classification', restore: { record, checkpoint } });
    batchMetrics.reset();
    adoptRun(id, () =>
      useStudio.setState({
        status: 'done',
        runId: id,
        runRecord: record,
        runLabels: record.labels,
        history: record.metrics.history,
        initialValLoss: record.metrics.initialValLoss ?? run.initialValLoss,
        result,
        trainError: null,
        phase: null,
        lastLog: null,
        runStartedAt: null,
        trainingStartedAt: null,
        evaluation: null,
        evalState: 'idle',
        evalError: null,
        prediction: null,
        predictError: null,
        exportError: null,
      }),
    );
    set({ restoring: null });
    if (record.task === 'image-segmentation') {
      useStudio.getState().setSeg(SEG_RESULTS_RESET);
      await reevaluateSeg();
    } else if (record.task === 'audio-classification') {
      useStudio.getState().setAudio(AUDIO_RESULTS_RESET);
      await reevaluateAudio();
    } else await reevaluate();
  } catch (err) {
    set({ restoring: null, error: `${label}’s model could not be made current: ${userMessageOf(err)} The current model is unchanged.` });
  }
}

/**
 * The text half of `makeRunCurrent`: the worker rebuilds the run's model from its checkpoint; a
 * classifier is evaluated again on the texts on screen, split as the run split them (its seed and
 * validation share), when they are the run's own.
 */
async function makeTextRunCurrent(id: string, run: StoredTextRun, checkpoint: Checkpoint): Promise<void> {
  const record = run.record;
  if (!record) throw new Error('It has no run record.');
  // A run on an import this project keeps loads that model back (ensureTextBaseFor).
  if (!(await ensureTextBaseFor(record.model))) throw new Error(text().baseError ?? 'The language model could not be loaded.');
  const mismatch = textBaseMismatch(record.model);
  if (mismatch) throw new Error(mismatch);
  const t = text();
  const split = { ...t, seed: record.seed, settings: { ...t.settings, validationSplit: record.data.validationSplit } };
  let prepared: PreparedTextData | null = null;
  try {
    prepared = textTrainingData(split, run.task);
  } catch {
    prepared = null; // no data on screen: the model comes back, its evaluation does not
  }
  const data: TextTrainingData = prepared?.data ?? { task: 'text-classification', train: [], validation: [] };
  const result = await getClient().call({
    kind: 'train',
    task: run.task,
    settings: record.settings,
    labels: record.labels,
    data: run.task === 'text-generation' ? { task: 'text-generation', train: '', validation: '' } : data,
    restore: { record, checkpoint },
  });
  adoptTextRun(id, () =>
    useStudio.getState().resetTextRun({
      status: 'done',
      runTask: run.task,
      runLabels: record.labels,
      valExamples: result.evaluation ? (prepared?.valExamples ?? []) : [],
      initial: run.initial,
      history: record.metrics.history,
      result,
      record,
    }),
  );
}

export function toggleRunChosen(id: string, on: boolean): void {
  const chosen = runs().chosen.filter((c) => c !== id);
  set({ chosen: on ? [...chosen, id] : chosen });
}

export function sortRunsBy(key: SortKey): void {
  set({ sort: nextSort(runs().sort, key) });
}

export function setRunsView(patch: Partial<Pick<RunsState, 'differOnly' | 'series' | 'scatterX'>>): void {
  set(patch);
}

export function dismissRunsError(): void {
  set({ error: null });
}

export function currentRunIds(s: Pick<StudioState, 'result' | 'runId' | 'text'>): string[] {
  const out: string[] = [];
  if (s.result && s.runId) out.push(s.runId);
  if (s.text.result && s.text.record) out.push(s.text.record.id);
  return out;
}
