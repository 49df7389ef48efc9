/**
 * Orchestration: the one place that talks to the training worker and turns answers into store changes.
 * Views call these functions; they never touch the worker client themselves.
 */
import { ingestFiles } from '../data';
import { probeImage } from '../data/decode-client';
import { StudioError, userMessageOf } from '../lib/errors';
import { BACKEND_ORDER, backendLabel, type BackendName, type EpochMetrics } from '../engine/types';
import type { ImageRunRecord, RunStart, SegRunRecord } from '../engine/run-record';
import type { WorkerImage } from '../worker/protocol';
import type { TrainingClient } from '../worker/client';
import type { TaskCommand } from '../worker/protocol';
import { getClient } from './clientHost';
import { readParams } from './params';
import { classNames, isBusy, startBlocker } from './selectors';
import { useStudio } from './store';
import { absolute, currentSource, loadSource, modelOrigin } from './modelSource';
import { activeRunId, beginResume, discardRun, resumePoint, startPersistence, type ResumePoint } from './persistence';
import { resumeSegTraining, startSegTraining } from './segTraining';
import { resumeAudioTraining, startAudioTraining } from './audioTraining';
import type { ImageTask } from './types';

/** The client generation whose worker has had `init` + `load`. */
let readyGeneration = -1;
let readying: Promise<boolean> | null = null;
let ingestCounter = 0;

/** Reads `?backend=` and `?seed=`, starts the backend and loads the bundled model. */
export function startStudio(search: string = location.search): void {
  const params = readParams(search);
  const s = useStudio.getState();
  if (params.seed !== null) s.updateSettings({ seed: params.seed });
  useStudio.setState({ requestedBackend: params.backend });
  void startPersistence(params.seed);
  installTestHooks();
  if (params.unknownBackend) {
    s.setBackend(
      null,
      `“${params.unknownBackend}” is not a backend the studio knows. Use ?backend=webgpu, webgl, wasm or cpu, or leave it out to pick automatically.`,
    );
    return;
  }
  void ensureReady();
}

/** Makes sure the current worker has a backend and the selected model; starts a fresh one after a cancel. */
export function ensureReady(): Promise<boolean> {
  const c = getClient();
  if (readyGeneration === c.generation && c.generation > 0 && useStudio.getState().modelState === 'loaded') {
    return Promise.resolve(true);
  }
  if (readying) return readying;
  readying = (async () => {
    const s = useStudio.getState();
    const backend = s.requestedBackend;
    try {
      const res = await c.call({ kind: 'init', backend, wasmPath: absolute('./wasm/') });
      useStudio.getState().setBackend(res.backend, null);
    } catch (err) {
      useStudio.getState().setBackend(null, backendMessage(backend, err));
      return false;
    }
    const ok = await loadModel(c);
    if (ok) readyGeneration = c.generation;
    return ok;
  })().finally(() => {
    readying = null;
  });
  return readying;
}

function backendMessage(backend: BackendName | null, err: unknown): string {
  const base = userMessageOf(err);
  if (!backend) return base;
  if (base.toLowerCase().includes(backend)) return base;
  return `The ${backend} backend could not start: ${base}`;
}

async function loadModel(c: TrainingClient): Promise<boolean> {
  const s = useStudio.getState();
  s.setModelLoading();
  try {
    const source = currentSource();
    const summary = await loadSource(c, source);
    useStudio.getState().setModelLoaded(summary);
    useStudio.getState().selectModel(source.id);
    return true;
  } catch (err) {
    if (err instanceof StudioError && err.code === 'cancelled') return false;
    useStudio.getState().setModelError(userMessageOf(err));
    return false;
  } finally {
    useStudio.getState().setModelSwitch({ download: null });
  }
}

export function retryStartup(): void {
  const s = useStudio.getState();
  if (s.backendError) s.setBackend(null, null);
  void ensureReady();
}

// ---------------------------------------------------------------- dataset

export interface InputFile {
  path: string;
  data: Blob;
}

export async function addFiles(files: InputFile[], projectHint?: string): Promise<void> {
  const s = useStudio.getState();
  if (files.length === 0) return;
  s.setIngesting(true);
  s.setIngestError(null);
  try {
    const result = await ingestFiles(files, {
      defaultLabel: s.looseClass.trim() || 'unlabelled',
      probe: probeImage,
      idPrefix: `b${++ingestCounter}-`,
    });
    const st = useStudio.getState();
    if (st.images.length === 0 && projectHint) st.setProjectName(projectHint);
    st.addDataset(result);
    if (result.images.length === 0) {
      st.setIngestError(
        'No images were found in what you added. Add JPEG, PNG, WebP, GIF or BMP files, a folder of them, or a .zip archive.',
      );
    }
  } catch (err) {
    useStudio.getState().setIngestError(userMessageOf(err));
  } finally {
    useStudio.getState().setIngesting(false);
  }
}

interface SampleManifest {
  name: string;
  licence?: string;
  classes: string[];
  files: string[];
}

/** A built-in sample served under public/samples/<folder>/: its name and files (paths under `prefix`), by its manifest.json. */
export async function fetchSample(folder: string, prefix = ''): Promise<{ name: string; licence: string | null; files: InputFile[] }> {
  const base = absolute(`./samples/${folder}/`);
  const res = await fetch(new URL('manifest.json', base));
  if (!res.ok) throw new Error(`manifest: HTTP ${res.status}`);
  const manifest = (await res.json()) as SampleManifest;
  const files = await Promise.all(
    manifest.files.map(async (path) => {
      const r = await fetch(new URL(path, base));
      if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
      return { path: `${prefix}${path}`, data: await r.blob() };
    }),
  );
  return { name: manifest.name || folder, licence: manifest.licence ?? null, files };
}

export async function loadSample(): Promise<void> {
  const s = useStudio.getState();
  s.setIngesting(true);
  s.setIngestError(null);
  try {
    const { name, files } = await fetchSample('shapes');
    s.setIngesting(false);
    await addFiles(files, name);
  } catch {
    useStudio
      .getState()
      .setIngestError('The sample dataset could not be loaded. Check that the studio was built with `npm run build`, then reload.');
    useStudio.getState().setIngesting(false);
  }
}

// ---------------------------------------------------------------- training

export function newRunId(): string {
  return `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** The images of `ids` as the worker takes them, labelled by their index in `labels`. */
export function workerImages(ids: string[], labels: string[]): WorkerImage[] {
  const byId = new Map(useStudio.getState().images.map((i) => [i.id, i]));
  const out: WorkerImage[] = [];
  for (const id of ids) {
    const img = byId.get(id);
    if (img) out.push({ id, label: labels.indexOf(img.label), blob: img.blob, hash: img.hash });
  }
  return out;
}

export async function startTraining(): Promise<void> {
  const s = useStudio.getState();
  if (s.text.task === 'image-segmentation') return startSegTraining();
  if (s.text.task === 'audio-classification') return startAudioTraining();
  if (startBlocker(s)) return;
  const labels = classNames(s.images);
  const train = workerImages(s.split.train, labels);
  const val = workerImages(s.split.val, labels);
  await newImageRun(
    labels,
    (run) => ({ kind: 'train', task: 'image-classification', settings: useStudio.getState().settings, labels, train, val, run }),
    () => evaluate(val),
  );
}

type ImageTrainCommand = Extract<TaskCommand, { kind: 'train'; task: ImageTask }>;

/** A new run of an image task, from its first step to its evaluation (`after`); `command` gets the run's id and model origin. */
export async function newImageRun(
  labels: string[],
  command: (run: RunStart) => ImageTrainCommand,
  after: () => Promise<void>,
): Promise<void> {
  const s = useStudio.getState();
  const runId = newRunId();
  s.beginRun(labels, runId);
  const run = { id: runId, model: modelOrigin(s.modelId, s.summary) };
  if (!(await trainInWorker(() => command(run)))) return;
  await after();
  useStudio.getState().setStatus('done');
}

/**
 * Continues an image task's interrupted run from its checkpoint to its evaluation (`after`): the
 * store shows the epochs it completed, and `command` gets them.
 */
export async function continueImageRun(
  point: ResumePoint,
  record: ImageRunRecord | SegRunRecord | null,
  labels: string[],
  command: (history: EpochMetrics[]) => ImageTrainCommand,
  after: () => Promise<void>,
): Promise<void> {
  const history = showResumedRun(point.run, record, labels, point.checkpoint.epoch);
  let finished: boolean;
  try {
    finished = await trainInWorker(() => command(history));
  } finally {
    beginResume(null);
  }
  if (!finished) return;
  await after();
  useStudio.getState().setStatus('done');
}

const NOT_READY = 'The model is not ready in the training worker. Reload the model in step 2 and try again.';

/**
 * Sends one train command, for a new or a resumed run, once the worker is ready; true when the run
 * finished and its model can be evaluated. A crash continues from the last checkpoint; a cancel
 * before training began goes back to idle; any other failure is shown.
 */
export async function trainInWorker(command: () => Extract<TaskCommand, { kind: 'train'; task: ImageTask }>): Promise<boolean> {
  if (!(await ensureReady())) {
    useStudio.getState().failRun(NOT_READY);
    return false;
  }
  const c = getClient();
  const crashes = c.crashes;
  const cmd = command();
  try {
    useStudio.getState().finishRun(await c.call(cmd));
    return true;
  } catch (err) {
    if (c.crashes !== crashes) {
      if (cmd.resume) beginResume(null);
      const lost = c.lastCrash?.cause === 'device-lost' ? c.lastCrash : null;
      if (lost) await offerBackends(lost.backend, lost.reason);
      else await recoverFromCrash();
      return false;
    }
    if (err instanceof StudioError && err.code === 'cancelled') {
      // Stopped before training began (while caching): nothing was trained, so back to idle.
      if (useStudio.getState().status === 'stopping') useStudio.getState().resetRun();
      return false;
    }
    useStudio.getState().failRun(userMessageOf(err));
    return false;
  }
}

/** After the worker died mid-run: says so, and continues from the last checkpoint on a fresh worker. */
async function recoverFromCrash(): Promise<void> {
  forgetWorker();
  const point = await resumePoint(activeRunId());
  if (!point) {
    useStudio
      .getState()
      .failRun(
        'The training worker stopped unexpectedly before the first epoch finished, so there is no checkpoint to continue from. Start training again.',
      );
    return;
  }
  useStudio.setState({
    crashNotice: `The training worker stopped unexpectedly during the run. The studio restarted it and is continuing from the checkpoint after epoch ${point.checkpoint.epoch}.`,
    status: 'paused',
  });
  await resumeTraining(point.run.id);
}

/**
 * After the GPU device or WebGL context was lost mid-run: says so, and lets the person continue from
 * the last checkpoint on a backend of their choice (the same one may work again after a driver reset).
 */
async function offerBackends(lostOn: BackendName, reason: string): Promise<void> {
  forgetWorker();
  const point = await resumePoint(activeRunId());
  const { notice, backends } = deviceLossNotice(lostOn, reason, point?.checkpoint.epoch ?? null);
  if (!point) {
    useStudio.getState().failRun(notice);
    return;
  }
  useStudio.setState({
    crashNotice: notice,
    recoverBackends: backends,
    resumeRunId: point.run.id,
    resumeEpoch: point.checkpoint.epoch,
    status: 'paused',
  });
}

/** Continues the interrupted run on `backend` (a fresh worker starts it), from the last checkpoint. */
export async function continueOnBackend(backend: BackendName): Promise<void> {
  const runId = useStudio.getState().resumeRunId ?? undefined;
  switchBackend(backend);
  await resumeTraining(runId);
}

/** The next worker starts on `backend` (after a lost device): the notice goes, readiness starts over. */
export function switchBackend(backend: BackendName): void {
  useStudio.setState({ recoverBackends: null, crashNotice: null, requestedBackend: backend });
  useStudio.getState().setBackend(null, null);
  forgetWorker();
}

/** The worker died: the next one needs `init` and its models again. */
export function forgetWorker(): void {
  readyGeneration = -1;
  readying = null;
}

/** The notice after a lost GPU device or WebGL context, and the backends a run may continue on (that one last). */
export function deviceLossNotice(
  lostOn: BackendName,
  reason: string,
  savedEpoch: number | null,
): { notice: string; backends: BackendName[] } {
  const what = lostOn === 'webgl' ? 'its WebGL context' : 'its GPU device';
  // The browser's own words, when it gave more than "lost".
  const detail = /was lost$/.test(reason) ? '' : ` (${reason})`;
  const notice =
    savedEpoch === null
      ? `The ${backendLabel(lostOn)} backend lost ${what}${detail} before the first epoch finished, so there is no checkpoint to continue from. Start training again.`
      : `The ${backendLabel(lostOn)} backend lost ${what}${detail} during the run — the GPU driver may have reset, or the browser reclaimed it. The run is saved up to epoch ${savedEpoch}. Continue it on another backend, or try ${backendLabel(lostOn)} again.`;
  return { notice, backends: [...BACKEND_ORDER.filter((b) => b !== lostOn), lostOn] };
}

/** The store as a run continues from its checkpoint after `epoch`: its record, labels and the epochs it completed; returns those epochs. */
export function showResumedRun(
  run: { id: string; history: EpochMetrics[]; initialValLoss: number | null },
  record: ImageRunRecord | SegRunRecord | null,
  labels: string[],
  epoch: number,
): EpochMetrics[] {
  const history = run.history.filter((h) => h.epoch <= epoch);
  beginResume(run.id);
  useStudio.setState({
    status: 'loading',
    runLabels: labels,
    runId: run.id,
    runRecord: record,
    history,
    initialValLoss: run.initialValLoss,
    result: null,
    trainError: null,
    phase: null,
    runStartedAt: Date.now(),
    trainingStartedAt: null,
    evaluation: null,
    evalState: 'idle',
    evalError: null,
  });
  return history;
}

/** Continues an interrupted run (after a reload or a crash) from its last checkpoint. */
export async function resumeTraining(runId?: string): Promise<void> {
  // A reopened project may still be loading the model it trained on.
  while (useStudio.getState().pendingModelId) await new Promise((r) => setTimeout(r, 100));
  const s = useStudio.getState();
  if (s.status !== 'paused' && s.status !== 'error' && s.status !== 'idle') return;
  const point = await resumePoint(runId);
  if (!point) {
    s.failRun('There is no checkpoint of this run to continue from. Start training again.');
    return;
  }
  const { run, checkpoint } = point;
  if (run.record?.task === 'image-segmentation') return resumeSegTraining(point, run.record);
  if (run.record?.task === 'audio-classification') return resumeAudioTraining(point, run.record);
  // The run's record says what it trains with; runs stored before records existed fall back to their own fields.
  const record = run.record ?? null;
  const labels = record?.labels ?? run.labels;
  const settings = record?.settings ?? run.settings;
  const train = workerImages(s.split.train, labels).filter((i) => i.label >= 0);
  const val = workerImages(s.split.val, labels).filter((i) => i.label >= 0);
  await continueImageRun(
    point,
    record,
    labels,
    (history) => ({
      kind: 'train',
      task: 'image-classification',
      settings,
      labels,
      train,
      val,
      run: { id: run.id, model: record?.model ?? modelOrigin(s.modelId, s.summary) },
      resume: { checkpoint, history, record },
    }),
    () => evaluate(val),
  );
}

/** Starts afresh instead of resuming the interrupted run. */
export function discardResume(): void {
  discardRun(useStudio.getState().resumeRunId);
  useStudio.setState({ resumeRunId: null, resumeEpoch: null, crashNotice: null, recoverBackends: null });
  useStudio.getState().resetRun();
}

function installTestHooks(): void {
  if (typeof window === 'undefined') return;
  const w = window as unknown as { __studioTest?: Record<string, unknown> };
  w.__studioTest = {
    ...(w.__studioTest ?? {}),
    killWorker: () => getClient().kill(),
    loseDevice: () => getClient().call({ kind: 'loseDevice' }),
  };
}

async function evaluate(images: WorkerImage[]): Promise<void> {
  const st = useStudio.getState();
  st.setEvaluation({ evalState: 'running', evalError: null });
  try {
    const evaluation = await getClient().call({ kind: 'evaluate', task: 'image-classification', images });
    useStudio.getState().setEvaluation({ evaluation, evalState: 'done' });
  } catch (err) {
    if (err instanceof StudioError && err.code === 'cancelled') return;
    useStudio.getState().setEvaluation({ evalState: 'error', evalError: userMessageOf(err) });
  }
}

/** Evaluates the last run's model again on the current validation split (images of the classes it learnt). */
export async function reevaluate(): Promise<void> {
  const s = useStudio.getState();
  if (!s.result || isBusy(s.status) || s.evalState === 'running') return;
  const images = workerImages(s.split.val, s.runLabels).filter((i) => i.label >= 0);
  if (images.length === 0) {
    s.setEvaluation({
      evalState: 'error',
      evalError: 'The validation split holds no images of the classes this model learnt. Add images of them in step 1.',
    });
    return;
  }
  await evaluate(images);
}

export async function stopTraining(): Promise<void> {
  const s = useStudio.getState();
  if (s.status !== 'running' && s.status !== 'loading') return;
  s.setStatus('stopping');
  try {
    await getClient().call({ kind: 'stop' });
  } catch (err) {
    if (err instanceof StudioError && err.code === 'cancelled') return;
    useStudio.getState().failRun(userMessageOf(err));
  }
}

/** Terminates the worker; a fresh one gets the backend and the model again. */
export function cancelTraining(): void {
  getClient().cancel();
  readyGeneration = -1;
  readying = null;
  const s = useStudio.getState();
  s.resetRun();
  s.setEvaluation({ evaluation: null, evalState: 'idle', evalError: null });
  useStudio.setState({ summary: s.summary, modelState: 'loading' });
  void ensureReady();
}

export function retryModel(): void {
  void ensureReady();
}

// ---------------------------------------------------------------- export & predict

export { exportModel, exportOnnxFile, exportTeachable, predictFile } from './exporting';
export { explainImage, type Explained } from './explaining';
