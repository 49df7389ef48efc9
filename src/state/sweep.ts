/**
 * Sweeps from the UI (every task): trials drawn at random from the space the person chose
 * (`sampleTrials`, seeded by the settings' seed), run one after another in the worker as real studio
 * runs — each stored, listed in the runs view and tagged with its trial number — under successive
 * halving: every trial trains to the first rung's epochs, the top third go on to the next rung by
 * continuing from their stored checkpoint (the resume machinery, with more epochs), the rest stop
 * early. The scheduling is `nextAction` (src/engine/sweep.ts); this file only carries it out, through
 * the task's `SweepRunner` (the image one here, the text tasks' in textSweep.ts).
 */
import { nextAction, rungEpochs, sampleTrials, spaceProblem, type SweepSpace, type TrialParams } from '../engine/sweep';
import { NO_AUGMENTATION, augmentationOn, type TrainSettings } from '../engine/types';
import { presetTrainable } from '../models/freeze';
import { userMessageOf } from '../lib/errors';
import { newRunId, reevaluate, showResumedRun, stopTraining, trainInWorker, workerImages } from './controller';
import { batchMetrics } from './metricsBuffer';
import { withPassiveLayers } from './modelSlice';
import { modelOrigin } from './modelSource';
import { beginResume, newId, patchRun, removeRun, resumePoint, type ResumePoint } from './persistence';
import { loadRuns, makeRunCurrent } from './runsActions';
import { classNames, isBusy, startBlocker } from './selectors';
import { finite } from './runRows';
import { useStudio } from './store';
import { isTextTask } from './textSlice';
import { isTextBusy } from './textSelectors';
import { IDLE_SWEEP } from './sweepSlice';
import { unfinished } from './sweepStore';
import type { StudioState, SweepMetric, SweepTrialView, SweepView } from './types';
import type { TextTask } from '../text/types';

const set = (patch: Partial<SweepView>) => useStudio.getState().setSweep(patch);
const sweep = () => useStudio.getState().sweep;

/** Augmentation a trial gets when the sweep turns it on and the settings have none of their own. */
export const SWEEP_AUGMENTATION = { ...NO_AUGMENTATION, flip: true, cropScale: 0.85, rotationDeg: 10 };

export function updateSweepSpace<K extends keyof SweepSpace>(key: K, patch: Partial<SweepSpace[K]>): void {
  const space = sweep().space;
  set({ space: { ...space, [key]: { ...space[key], ...patch } } });
}

export function setSweepBudget(patch: Partial<Pick<SweepView, 'trials' | 'minutes'>>): void {
  set(patch);
}

/** Why the sweep's space or budget cannot run, as a sentence (shown in an alert beside the form); null when it can. */
export function sweepInputProblem(s: Pick<StudioState, 'sweep' | 'backend'> & { text: Pick<StudioState['text'], 'task'> }): string | null {
  if (s.sweep.minutes !== null && !(s.sweep.minutes > 0)) return 'The time budget must be more than 0 minutes, or left empty.';
  // Text blocks train on any backend (WASM lacks only convolution gradients).
  if (s.text.task !== 'image-classification') return spaceProblem(textSpace(s.sweep.space), s.sweep.trials);
  return spaceProblem(s.sweep.space, s.sweep.trials, { headOnly: s.backend === 'wasm' });
}

/**
 * What a sweep needs from the task it runs: its trials' runs, started fresh or continued from a
 * stored checkpoint with more epochs, and how the latest one ended. Every run is a real studio run
 * of that task (stored, listed in the runs view).
 */
export interface SweepRunner {
  /** Why the task cannot start a run now; null when it can. */
  blocker(s: StudioState): string | null;
  /** The Epochs setting: the last rung. */
  epochs(s: StudioState): number;
  /** Called once as a sweep starts or continues: the settings and data every trial builds on. */
  begin(): void;
  fresh(sweepId: string, t: SweepTrialView, epochs: number): Promise<boolean>;
  resume(t: SweepTrialView, point: ResumePoint, epochs: number): Promise<boolean>;
  /** What its trials are judged by: validation accuracy (higher is better) or validation loss (lower). */
  metric: SweepMetric;
  /** The latest trial's last validation metric and epoch, and whether the person stopped it. */
  outcome(): { metric: number | null; epoch: number | null; stoppedByPerson: boolean; error: string | null };
  /** After every trial (the image runner marks the run done). */
  settle(): void;
  /** After the sweep: the model on screen is the last trial's. */
  finish(): Promise<void>;
  stop(): Promise<void>;
}

const textRunners = new Map<TextTask, SweepRunner>();

/** The text tasks register their runners here (textSweep.ts), so this file does not import the text side. */
export function registerTextSweep(task: TextTask, runner: SweepRunner): void {
  textRunners.set(task, runner);
}

/** The runner of the task on screen; null for a task without sweeps (segmentation, for now). */
function runnerFor(s: StudioState): SweepRunner | null {
  const task = s.text.task;
  if (task === 'image-classification') return imageRunner;
  return isTextTask(task) ? (textRunners.get(task) ?? null) : null;
}

/** Why a sweep cannot start now, as a sentence; null when it can. */
export function sweepBlocker(s: StudioState): string | null {
  if (s.sweep.state === 'running') return 'The sweep is running.';
  const runner = runnerFor(s);
  if (!runner) return 'Sweeps are not built for this task yet.';
  if (isBusy(s.status) || isTextBusy(s.text.status)) return 'Wait for the run in progress to end.';
  if (s.lrFinder.state === 'running') return 'Wait for the learning-rate test to end.';
  return sweepInputProblem(s) ?? runner.blocker(s);
}

/** A trial's settings: the run's own, with the sampled values, trained to `epochs`. */
export function trialSettings(s: Pick<StudioState, 'settings' | 'summary'>, p: TrialParams, epochs: number): TrainSettings {
  const out: TrainSettings = { ...s.settings, epochs };
  if (p.learningRate !== undefined) out.learningRate = p.learningRate;
  if (p.batchSize !== undefined) out.batchSize = p.batchSize;
  if (p.dropout !== undefined) out.dropout = p.dropout;
  if (p.weightDecay !== undefined) out.weightDecay = p.weightDecay;
  if (p.imageSize !== undefined) out.imageSize = p.imageSize;
  if (p.augmentation !== undefined) {
    out.augmentation = !p.augmentation
      ? NO_AUGMENTATION
      : augmentationOn(s.settings.augmentation)
        ? s.settings.augmentation
        : SWEEP_AUGMENTATION;
  }
  if (p.topBlocks !== undefined) {
    const layers = s.summary?.layers ?? [];
    const chosen = withPassiveLayers(layers, presetTrainable(layers, { kind: 'top-blocks', blocks: p.topBlocks }));
    out.trainableLayers = layers.filter((l) => chosen.has(l.name)).map((l) => l.name);
    out.mode = out.trainableLayers.length > 0 ? 'fine-tune' : 'head-only';
  }
  return out;
}

/**
 * The trial with the best final metric (any trial that trained, stopped early or not): the highest
 * validation accuracy, or with `metric` 'loss' the lowest validation loss.
 */
export function bestTrial(list: readonly SweepTrialView[], metric: SweepMetric = 'accuracy'): SweepTrialView | null {
  const score = (m: number) => (metric === 'loss' ? -m : m);
  let best: SweepTrialView | null = null;
  for (const t of list) {
    const m = t.metrics.at(-1);
    if (m === null || m === undefined) continue;
    const b = best?.metrics.at(-1);
    if (b === null || b === undefined || score(m) > score(b)) best = t;
  }
  return best;
}

export function patchTrial(n: number, patch: Partial<SweepTrialView>): void {
  set({ list: sweep().list.map((t) => (t.trial === n ? { ...t, ...patch } : t)) });
}

/** The settings the sweep started with: every trial builds on them, whatever changes on screen meanwhile. */
let baseSettings: TrainSettings | null = null;

const trialOf = (n: number) => sweep().list.find((t) => t.trial === n) as SweepTrialView;

interface TrialData {
  labels: string[];
  train: ReturnType<typeof workerImages>;
  val: ReturnType<typeof workerImages>;
}

/** Trains a new trial run to `epochs`; true when it finished. */
async function freshTrial(sweepId: string, t: SweepTrialView, epochs: number, data: TrialData): Promise<boolean> {
  const s = useStudio.getState();
  const settings = trialSettings({ settings: baseSettings ?? s.settings, summary: s.summary }, t.params, epochs);
  const runId = newRunId();
  s.beginRun(data.labels, runId);
  patchTrial(t.trial, { runId });
  // The run record was queued by the autosave as the run began; the tag is written after it.
  void patchRun(runId, { sweep: { id: sweepId, trial: t.trial } }).catch(() => undefined);
  const run = { id: runId, model: modelOrigin(s.modelId, s.summary) };
  const { labels, train, val } = data;
  return trainInWorker(() => ({ kind: 'train', task: 'image-classification', settings, labels, train, val, run }));
}

/** Continues a trial's stored run from its checkpoint up to `epochs` (a promotion to the next rung). */
async function continueTrial(t: SweepTrialView, point: ResumePoint, epochs: number, data: TrialData): Promise<boolean> {
  const record = point.run.record;
  if (!record || record.task !== 'image-classification') {
    useStudio.getState().failRun(`Trial ${t.trial}’s checkpoint is missing, so it cannot go on to the next rung.`);
    return false;
  }
  const { run, checkpoint } = point;
  const settings = { ...record.settings, epochs };
  batchMetrics.reset();
  const history = showResumedRun(run, record, record.labels, checkpoint.epoch);
  const s = useStudio.getState();
  try {
    return await trainInWorker(() => ({
      kind: 'train',
      task: 'image-classification',
      settings,
      labels: record.labels,
      train: data.train,
      val: data.val,
      run: { id: run.id, model: record.model ?? modelOrigin(s.modelId, s.summary) },
      resume: { checkpoint, history, record: { ...record, settings } },
    }));
  } finally {
    beginResume(null);
  }
}

function trialData(): TrialData {
  const s = useStudio.getState();
  const labels = classNames(s.images);
  return { labels, train: workerImages(s.split.train, labels), val: workerImages(s.split.val, labels) };
}

let imageData: TrialData | null = null;

const imageRunner: SweepRunner = {
  metric: 'accuracy',
  blocker: startBlocker,
  epochs: (s) => s.settings.epochs,
  begin() {
    baseSettings = useStudio.getState().settings;
    imageData = trialData();
  },
  fresh: (sweepId, t, epochs) => freshTrial(sweepId, t, epochs, imageData ?? trialData()),
  resume: (t, point, epochs) => continueTrial(t, point, epochs, imageData ?? trialData()),
  outcome() {
    const st = useStudio.getState();
    return {
      metric: finite(st.history.at(-1)?.valAccuracy),
      epoch: st.history.at(-1)?.epoch ?? null,
      stoppedByPerson: st.result?.stopped === true,
      error: st.trainError,
    };
  },
  settle: () => useStudio.getState().setStatus('done'),
  finish: reevaluate,
  stop: stopTraining,
};

/** Runs a sweep: the trials drawn from the space, under successive halving, until done, stopped or out of time. */
export async function startSweep(): Promise<void> {
  const s = useStudio.getState();
  const runner = runnerFor(s);
  if (sweepBlocker(s) || !runner) return;
  const text = s.text.task !== 'image-classification';
  const seed = text ? s.text.seed : s.settings.seed;
  const list: SweepTrialView[] = sampleTrials(text ? textSpace(s.sweep.space) : s.sweep.space, s.sweep.trials, seed).map((params, i) => ({
    trial: i + 1,
    params,
    state: 'queued',
    metrics: [],
    runId: null,
    epochs: 0,
  }));
  runner.begin();
  set({
    state: 'running',
    id: newId('sweep'),
    task: s.text.task,
    metric: runner.metric,
    rungs: rungEpochs(runner.epochs(s)),
    list,
    stopping: false,
    note: null,
    error: null,
  });
  await runSweep(runner);
}

/** The dimensions a text sweep can vary: no input size or augmentation (they are image settings). */
export function textSpace(space: SweepSpace): SweepSpace {
  return { ...space, augmentation: { on: false }, imageSize: space.imageSize ? { ...space.imageSize, on: false } : undefined };
}

/** Why an interrupted sweep cannot continue now; null when it can (a trial's run waiting to be resumed does not block it). */
export function continueBlocker(s: StudioState): string | null {
  if (s.sweep.state !== 'idle' || !s.sweep.id || unfinished(s.sweep) === 0) return 'There is no interrupted sweep.';
  const task = s.sweep.task ?? 'image-classification';
  if (task !== s.text.task)
    return `The interrupted sweep was a ${task.replace('-', ' ')} sweep: choose that task at the top to continue it.`;
  const runner = runnerFor(s);
  if (!runner) return 'Sweeps are not built for this task yet.';
  const waits = (id: string | null) => s.sweep.list.some((t) => t.runId !== null && t.runId === id);
  const trialWaits = (s.status === 'paused' && waits(s.resumeRunId)) || (s.text.status === 'paused' && waits(s.text.resumeRunId));
  if ((isBusy(s.status) || isTextBusy(s.text.status)) && !trialWaits) return 'Wait for the run in progress to end.';
  if (s.lrFinder.state === 'running') return 'Wait for the learning-rate test to end.';
  return runner.blocker(s);
}

/**
 * Continues a sweep a reload interrupted: trials that were running go back to the queue (one with a
 * checkpoint goes on from it; one without starts again), then the sweep carries on. Its time budget,
 * if any, starts again from now.
 */
export async function continueSweep(): Promise<void> {
  const s = useStudio.getState();
  const runner = runnerFor(s);
  if (continueBlocker(s) || !runner) return;
  const { id } = s.sweep;
  runner.begin();
  // A trial whose run began but whose id the project had not saved yet: its tagged stored run is its own.
  const tagged = new Map(s.runs.list.filter((r) => r.sweep?.id === id).map((r) => [r.sweep?.trial, r.id]));
  set({
    state: 'running',
    stopping: false,
    note: null,
    error: null,
    list: s.sweep.list.map((t) => ({
      ...t,
      runId: t.runId ?? tagged.get(t.trial) ?? null,
      state: t.state === 'running' ? 'queued' : t.state,
    })),
  });
  await runSweep(runner);
}

async function runSweep(runner: SweepRunner): Promise<void> {
  const { id, rungs, minutes } = sweep();
  const sweepId = id ?? newId('sweep');
  const deadline = minutes !== null ? Date.now() + minutes * 60_000 : null;
  try {
    for (;;) {
      if (sweep().stopping) {
        endEarly('You stopped the sweep.');
        break;
      }
      if (deadline !== null && Date.now() >= deadline) {
        endEarly(`The ${minutes} minute budget ran out.`);
        break;
      }
      const action = nextAction(sweep().list, rungs, 3, (sweep().metric ?? 'accuracy') === 'accuracy');
      if (action.kind === 'done') break;
      if (action.kind === 'promote') {
        for (const n of action.stop) {
          patchTrial(n, { state: 'stopped-early' });
          const runId = trialOf(n).runId;
          if (runId) await patchRun(runId, { sweep: { id: sweepId, trial: n, stoppedEarly: true } }).catch(() => undefined);
        }
        for (const n of action.keep) patchTrial(n, { state: 'queued' });
        void loadRuns();
        continue;
      }
      const t = trialOf(action.trial);
      patchTrial(t.trial, { state: 'running' });
      // A trial with a stored checkpoint goes on from it (a promotion, or a trial a reload interrupted).
      const point = t.runId ? await resumePoint(t.runId) : null;
      if (t.runId && !point) await removeRun(t.runId).catch(() => undefined);
      const finished = point ? await runner.resume(t, point, action.epochs) : await runner.fresh(sweepId, t, action.epochs);
      const outcome = runner.outcome();
      if (!finished) {
        if (sweep().stopping) {
          patchTrial(t.trial, { state: 'stopped' });
          continue;
        }
        patchTrial(t.trial, { state: 'failed' });
        set({
          state: 'error',
          error: `Trial ${t.trial} failed: ${outcome.error ?? 'the run did not finish.'} The trials before it are kept.`,
        });
        void loadRuns();
        return;
      }
      runner.settle();
      const metrics = [...t.metrics, outcome.metric];
      const epochs = outcome.epoch ?? action.epochs;
      // Stopped by the person (the sweep's stop, or the train step's): no further trial starts.
      const stoppedByPerson = outcome.stoppedByPerson;
      if (stoppedByPerson) set({ stopping: true });
      patchTrial(t.trial, {
        metrics,
        epochs,
        state: stoppedByPerson ? 'stopped' : metrics.length === rungs.length ? 'done' : 'waiting',
      });
    }
    set({ state: 'done', stopping: false });
    void loadRuns();
    // The model on screen is the last trial's: its evaluation is shown until a trial is applied.
    await runner.finish();
  } catch (err) {
    set({ state: 'error', stopping: false, error: `The sweep stopped: ${userMessageOf(err)}` });
  }
}

/** Trials that had not finished when the sweep ended early. */
function endEarly(note: string): void {
  set({
    note,
    list: sweep().list.map((t) =>
      t.state === 'queued' || t.state === 'waiting' || t.state === 'running' ? { ...t, state: 'stopped' } : t,
    ),
  });
}

/** Ends the sweep after the current trial's batch (the trial keeps what it trained); no further trial starts. */
export async function stopSweep(): Promise<void> {
  if (sweep().state !== 'running') return;
  set({ stopping: true });
  await (runnerFor(useStudio.getState()) ?? imageRunner).stop();
}

/** Makes the best trial's model the current one (so evaluation, try-it and export describe it). */
export async function applyBestTrial(): Promise<void> {
  const best = bestTrial(sweep().list, sweep().metric);
  if (!best?.runId || sweep().state === 'running') return;
  await makeRunCurrent(best.runId, `Trial ${best.trial}`);
}

/** Clears the finished sweep's table (its runs stay in the runs view). */
export function resetSweep(): void {
  if (sweep().state === 'running') return;
  const { space, trials, minutes } = sweep();
  set({ ...IDLE_SWEEP, space, trials, minutes });
}
