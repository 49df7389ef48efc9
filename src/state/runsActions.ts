/**
 * The runs view's actions: load the current project's runs (on project open, and again when a run
 * starts, completes an epoch or ends), notes, delete, and "use this run's model", which rebuilds a
 * finished image run's model in the worker from its record and stored checkpoint and makes it the
 * current one (evaluation, try-it and every export then describe that run).
 */
import { userMessageOf } from '../lib/errors';
import type { RunRecord as StoredRun } from '../storage/projects';
import { getClient } from './clientHost';
import { ensureReady, reevaluate } from './controller';
import { batchMetrics } from './metricsBuffer';
import { adoptRun, flushWrites, patchRun, projectDb, removeRun } from './persistence';
import { nextSort, type SortKey } from './runRows';
import { isBusy } from './selectors';
import { useStudio } from './store';
import { isTextBusy } from './textSelectors';
import type { RunsState, StudioState } from './types';

const set = (patch: Partial<RunsState>) => useStudio.getState().setRuns(patch);
const runs = () => useStudio.getState().runs;

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

/** Why a run's model cannot be made current now, in a sentence; null when it can. */
export function runUseBlocker(run: StoredRun, s: Pick<StudioState, 'status' | 'text'>): string | null {
  if (run.text) return 'Text runs cannot be made current yet: only image runs can be restored from their checkpoint.';
  if (!run.record) return 'This run was stored before the studio kept run records, so its model cannot be rebuilt.';
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
    const record = run?.record;
    if (blocker || !run || !record) throw new Error(blocker ?? 'It has no run record.');
    const stored = await db.getCheckpoint(id);
    if (!stored) {
      throw new Error(
        'Its checkpoint is missing (the run ended before its first epoch, or the checkpoint was not saved), so its model cannot be restored. Train again with its settings.',
      );
    }
    if (!(await ensureReady())) throw new Error('The training worker is not ready: reload the model in step 2 and try again.');
    const { runId: _r, savedAt: _s, ...checkpoint } = stored;
    const result = await getClient().call({
      kind: 'train',
      task: 'image-classification',
      settings: record.settings,
      labels: record.labels,
      train: [],
      val: [],
      restore: { record, checkpoint },
    });
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
    await reevaluate();
  } catch (err) {
    set({ restoring: null, error: `${label}’s model could not be made current: ${userMessageOf(err)} The current model is unchanged.` });
  }
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
