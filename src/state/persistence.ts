/**
 * Autosave and restore: the current project's dataset, settings and runs (with their epoch history
 * and latest checkpoint) live in IndexedDB (../storage/projects.ts). On start the studio reopens the
 * last project; a run that was still going when the page went away can be resumed. The project list
 * and the interrupted run are store state (projectSlice.ts); the list's actions are projectActions.ts.
 */
import type { Checkpoint } from '../engine/checkpoint';
import { openProjectStore, type CheckpointRecord, type ProjectRecord, type ProjectStore, type RunRecord } from '../storage/projects';
import { getClient } from './clientHost';
import { currentSource } from './modelSource';
import { restoreModelSource } from './modelImport';
import { useStudio } from './store';
import type { StudioState } from './types';
import { restoredText, storedText, storedTextBase, storedTextRun, textBaseChanged, textProjectChanged } from './textPersistence';
import { isTextBusy } from './textSelectors';
import { carryBaseToNewProject, ensureTextBase, importedBaseName, openProjectBase } from './textModel';
import { pruneImportedModels } from './importedModelStore';
import { restoredSweep, storedSweep } from './sweepStore';
import { isImageTask, isTextTask } from './textSlice';
import { clearSegData, restoreSegDrops } from './segData';
import { resetAudioData, restoreAudioClips } from './audioData';

let db: ProjectStore | null = null;
let currentRunId: string | null = null;
/** The text run being recorded (text runs and image runs are recorded apart). */
let textRunId: string | null = null;
/** Set while a run continues from a checkpoint: its `runStartedAt` change is not a new run. */
let resumingRunId: string | null = null;
let writes: Promise<unknown> = Promise.resolve();
/** Set while a project's segmentation drops are put back on screen (they are not written again). */
let restoringSeg = false;
/** Set while a project's audio clips are put back on screen (they are not written again). */
let restoringAudio = false;
/**
 * Set while a project is put on screen or a new one begun: the current project is still the one
 * being left, and its record must not be written with what comes in (its name, settings, clips).
 */
let switching = false;
let started: Promise<void> | null = null;

function queue(write: () => Promise<unknown>): void {
  writes = writes.then(write).catch(() => {
    /* storage full or unavailable: the studio keeps working without saving */
  });
}

/** Waits for every queued write (tests and resume use it). */
export function flushWrites(): Promise<unknown> {
  return writes;
}

/** The open project database; null before startPersistence, or when the browser gives no storage. */
export function projectDb(): ProjectStore | null {
  return db;
}

export function newId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

function projectFromState(s: StudioState, base: ProjectRecord | null, id: string): ProjectRecord {
  const now = Date.now();
  return {
    id,
    name: s.projectName,
    createdAt: base?.createdAt ?? now,
    updatedAt: now,
    settings: s.settings,
    imageSizeAuto: s.imageSizeAuto,
    splitSeed: s.settings.seed,
    modelId: s.modelId,
    modelSource: currentSource(),
    trainable: s.trainable,
    lastRunId: currentRunId ?? base?.lastRunId ?? null,
    text: storedText(s.text, textRunId ?? base?.text?.lastRunId ?? null, importedBaseName()),
    sweep: storedSweep(s.sweep),
    seg: { colourMap: s.seg.colourMap },
    audio: { groupKey: s.audio.groupKey, sources: s.audio.sources },
  };
}

/** Reads the project list and the storage estimate into the store. */
export async function refreshProjects(): Promise<void> {
  if (!db) return;
  const projects = (await db.listProjects()).map(({ id, name, updatedAt }) => ({ id, name, updatedAt }));
  const { usage, quota } = await db.estimate();
  useStudio.setState({ projects, usage, quota });
}

function timer(ms: number, fn: () => void): () => void {
  let t: ReturnType<typeof setTimeout> | null = null;
  return () => {
    if (t) clearTimeout(t);
    t = setTimeout(() => {
      t = null;
      fn();
    }, ms);
  };
}

function saveProjectNow(): void {
  const id = useStudio.getState().currentId;
  if (!db || !id || switching) return;
  const store = db;
  const s = useStudio.getState();
  queue(async () => {
    const base = (await store.getProject(id)) ?? null;
    await store.putProject(projectFromState(s, base, id));
    await refreshProjects();
  });
}

function saveImagesNow(): void {
  const id = useStudio.getState().currentId;
  if (!db || !id) return;
  const store = db;
  const images = useStudio.getState().images;
  queue(async () => {
    await store.saveImages(id, images);
    await refreshProjects();
  });
}

function saveSegDropsNow(): void {
  const id = useStudio.getState().currentId;
  if (!db || !id) return;
  const store = db;
  const drops = useStudio.getState().seg.drops;
  queue(async () => {
    await store.saveSegDrops(id, drops);
    await refreshProjects();
  });
}

function saveAudioClipsNow(): void {
  const id = useStudio.getState().currentId;
  if (!db || !id) return;
  const store = db;
  const clips = useStudio.getState().audio.clips;
  queue(async () => {
    await store.saveAudioClips(id, clips);
    await refreshProjects();
  });
}

const saveProject = timer(300, saveProjectNow);
const saveImages = timer(400, saveImagesNow);

function saveRun(patch: Partial<RunRecord>, runId = currentRunId): void {
  if (!db || !runId) return;
  const store = db;
  queue(async () => {
    const before = await store.getRun(runId);
    if (!before) return;
    await store.putRun({ ...before, ...patch, updatedAt: Date.now() });
  });
}

function beginRunRecord(s: StudioState): void {
  const projectId = useStudio.getState().currentId;
  if (!db || !projectId) return;
  const store = db;
  const runId = s.runId ?? newId('run');
  currentRunId = runId;
  const run: RunRecord = {
    id: runId,
    projectId,
    labels: [...s.runLabels],
    settings: s.settings,
    history: [],
    initialValLoss: null,
    status: 'running',
    startedAt: Date.now(),
    updatedAt: Date.now(),
  };
  useStudio.setState({ resumeRunId: null, resumeEpoch: null });
  queue(async () => {
    await store.putRun(run);
  });
  saveProjectNow();
}

function onStoreChange(s: StudioState, prev: StudioState): void {
  if (s.images !== prev.images) saveImages();
  // A segmentation drop is written at once: a reload right after must find it (a run may resume on it).
  // Drops a project brings back when it opens are its own already.
  if (s.seg.drops !== prev.seg.drops && !restoringSeg) saveSegDropsNow();
  if (s.seg.colourMap !== prev.seg.colourMap) saveProject();
  // Audio clips too are written at once (only new or changed ones are); a project's own, brought back
  // when it opens, are not, nor its speaker key and sources (the project being left is still current then).
  if (!restoringAudio) {
    if (s.audio.clips !== prev.audio.clips) saveAudioClipsNow();
    if (s.audio.groupKey !== prev.audio.groupKey || s.audio.sources !== prev.audio.sources) saveProject();
  }
  // A new model is saved at once: a reload right after an import must find it.
  // So does a sweep's progress (a trial started, finished a rung, stopped early): a reload right after
  // must find it.
  if (s.modelId !== prev.modelId || s.sweep.list !== prev.sweep.list) saveProjectNow();
  else if (
    s.settings !== prev.settings ||
    s.imageSizeAuto !== prev.imageSizeAuto ||
    s.trainable !== prev.trainable ||
    s.projectName !== prev.projectName ||
    s.sweep !== prev.sweep
  ) {
    saveProject();
  }
  if (s.text !== prev.text) onTextChange(s, prev);
  if (s.runStartedAt !== prev.runStartedAt && s.runStartedAt !== null && s.status === 'loading') {
    if (resumingRunId) currentRunId = resumingRunId;
    else beginRunRecord(s);
  }
  if (!currentRunId) return;
  // A reset (another model, another task) clears the screen, not the run: its stored epochs stay.
  const reset = s.history.length === 0 && s.status === 'idle' && s.runStartedAt === null;
  if (s.history !== prev.history && !reset) saveRun({ history: s.history });
  if (s.runRecord !== prev.runRecord && s.runRecord) saveRun({ record: s.runRecord });
  if (s.initialValLoss !== prev.initialValLoss && s.initialValLoss !== null) saveRun({ initialValLoss: s.initialValLoss });
  if (s.status !== prev.status) {
    if (s.status === 'done') saveRun({ status: 'done', history: s.history });
    else if (s.status === 'error') saveRun({ status: 'error' });
    else if (s.status === 'idle') saveRun({ status: 'stopped' });
  }
}

/** Text: the project's texts and settings, and the text run (begun when its record first arrives). */
function onTextChange(s: StudioState, prev: StudioState): void {
  if (adoptingText) return;
  const t = s.text;
  // A new language model (an import, the bundled one again) is saved at once: a reload right after must find it.
  if (textBaseChanged(t, prev.text)) saveProjectNow();
  else if (textProjectChanged(t, prev.text)) saveProject();
  const projectId = s.currentId;
  if (t.record && t.record !== prev.text.record && t.record.id !== textRunId && db && projectId) {
    // A new text run (a resumed one keeps its id): recorded under the id the worker's record carries.
    const store = db;
    const id = t.record.id;
    textRunId = id;
    const run: RunRecord = {
      id,
      projectId,
      labels: t.record.labels,
      settings: s.settings, // unused for a text run: its settings are in `text`
      history: [],
      initialValLoss: null,
      text: storedTextRun(t) ?? undefined,
      status: 'running',
      startedAt: Date.now(),
      updatedAt: Date.now(),
    };
    queue(async () => {
      if (!(await store.getRun(id))) await store.putRun(run);
    });
    saveProjectNow();
  }
  if (!textRunId) return;
  if (t.history !== prev.text.history || t.record !== prev.text.record || t.initial !== prev.text.initial) {
    const stored = storedTextRun(t);
    if (stored) saveRun({ text: stored }, textRunId);
  }
  if (t.status !== prev.text.status) {
    if (t.status === 'done') saveRun({ status: 'done' }, textRunId);
    else if (t.status === 'error') saveRun({ status: 'error' }, textRunId);
    else if (t.status === 'idle') saveRun({ status: 'stopped' }, textRunId);
    else if (t.status === 'running') saveRun({ status: 'running' }, textRunId);
  }
}

function onCheckpoint(checkpoint: Checkpoint): void {
  // One run at a time: a text run while text trains, else the image run.
  const runId = isTextBusy(useStudio.getState().text.status) ? textRunId : currentRunId;
  if (!db || !runId) return;
  const store = db;
  queue(() => store.putCheckpoint(runId, checkpoint));
}

/** Puts a stored project into the studio: dataset, settings and the last run's curves. */
export async function applyProject(p: ProjectRecord): Promise<void> {
  switching = true;
  try {
    await showProject(p);
  } finally {
    switching = false;
  }
}

async function showProject(p: ProjectRecord): Promise<void> {
  if (!db) return;
  const images = await db.loadImages(p.id);
  restoringSeg = true;
  try {
    await restoreSegDrops(await db.loadSegDrops(p.id), p.seg?.colourMap ?? null);
  } finally {
    restoringSeg = false;
  }
  restoringAudio = true;
  try {
    await restoreAudioClips(await db.loadAudioClips(p.id), p.audio ?? null);
  } finally {
    restoringAudio = false;
  }
  const run = p.lastRunId ? await db.getRun(p.lastRunId) : undefined;
  const checkpoint = run ? await db.getCheckpoint(run.id) : undefined;
  const textRun = p.text?.lastRunId ? await db.getRun(p.text.lastRunId) : undefined;
  const textCheckpoint = textRun ? await db.getCheckpoint(textRun.id) : undefined;
  currentRunId = null;
  textRunId = null;
  useStudio.getState().resetTextRun();
  // The language model the project had (an imported one is read back from browser storage on load).
  openProjectBase(p.id, p.text ? storedTextBase(p.text) : null);
  if (p.text) {
    useStudio.getState().setText(restoredText(p.text, textRun, textCheckpoint));
    if (isTextTask(useStudio.getState().text.task)) void ensureTextBase();
  }
  // The image settings stored are those of the image task the project had on screen.
  const task = useStudio.getState().text.task;
  useStudio.getState().setSeg({ settingsTask: isImageTask(task) ? task : 'image-classification', parked: {} });
  useStudio.setState({
    images,
    skipped: [],
    emptyClasses: [],
    largeImages: [],
    projectName: p.name,
    imageSizeAuto: p.imageSizeAuto,
    settings: { ...useStudio.getState().settings, ...p.settings },
  });
  useStudio.getState().refreshDerived();
  useStudio.getState().setTrainable(p.trainable);
  useStudio.setState({ sweep: restoredSweep(p.sweep) });
  const interrupted = run?.status === 'running' && checkpoint !== undefined;
  if (run) {
    const keep = interrupted ? run.history.filter((h) => h.epoch <= (checkpoint as CheckpointRecord).epoch) : run.history;
    useStudio.setState({
      history: keep,
      initialValLoss: run.initialValLoss,
      runLabels: run.record?.labels ?? run.labels,
      runId: run.id,
      runRecord: run.record ?? null,
      result: null,
      trainError: null,
      status: interrupted ? 'paused' : 'idle',
    });
  } else {
    useStudio.getState().resetRun();
  }
  useStudio.setState({
    currentId: p.id,
    resumeRunId: interrupted ? run.id : null,
    resumeEpoch: interrupted ? (checkpoint as CheckpointRecord).epoch : null,
  });
  await db.setLastProjectId(p.id);
  // The model the project trained on (an imported one too) comes back with it.
  if (p.modelSource) void restoreModelSource(p.modelSource);
}

/** Starts an empty project named `name` and makes it the current one. */
export async function createProject(name: string): Promise<void> {
  switching = true;
  try {
    await beginProject(name);
  } finally {
    switching = false;
  }
}

async function beginProject(name: string): Promise<void> {
  if (!db) return;
  const id = newId('project');
  currentRunId = null;
  textRunId = null;
  useStudio.getState().resetTextRun();
  useStudio.getState().setText({ corpus: [], table: null, textColumn: null, labelColumn: null, examples: null, dataError: null });
  useStudio.getState().clearDataset();
  restoringSeg = true;
  clearSegData();
  restoringSeg = false;
  restoringAudio = true;
  resetAudioData();
  restoringAudio = false;
  useStudio.getState().resetRun();
  useStudio.setState({ sweep: restoredSweep(undefined) });
  useStudio.setState({ projectName: name, currentId: id, resumeRunId: null, resumeEpoch: null, crashNotice: null });
  carryBaseToNewProject(id);
  if (isTextTask(useStudio.getState().text.task)) void ensureTextBase();
  await db.putProject(projectFromState(useStudio.getState(), null, id));
  await db.setLastProjectId(id);
}

/** Opens the database, reopens the last project (or starts one) and begins autosaving. */
export function startPersistence(seedOverride: number | null = null): Promise<void> {
  started ??= (async () => {
    try {
      if (typeof indexedDB === 'undefined') throw new Error('no IndexedDB');
      db = await openProjectStore();
    } catch {
      useStudio.setState({ ready: true, available: false });
      return;
    }
    const lastId = await db.getLastProjectId();
    const last = lastId ? await db.getProject(lastId) : undefined;
    if (last) {
      await applyProject(last);
      if (seedOverride !== null && seedOverride !== useStudio.getState().settings.seed)
        useStudio.getState().updateSettings({ seed: seedOverride });
    } else {
      const id = newId('project');
      await db.putProject(projectFromState(useStudio.getState(), null, id));
      await db.setLastProjectId(id);
      useStudio.setState({ currentId: id });
    }
    getClient().onEvent((e) => {
      if (e.type === 'checkpoint') onCheckpoint(e.checkpoint);
    });
    useStudio.subscribe(onStoreChange);
    useStudio.setState({ ready: true });
    await refreshProjects();
    // Imported models kept for projects deleted since are let go.
    pruneImportedModels(useStudio.getState().projects.map((p) => p.id));
  })();
  return started;
}

// ---------------------------------------------------------------- resume

export interface ResumePoint {
  run: RunRecord;
  checkpoint: Checkpoint;
}

/** The interrupted run of the current project and its latest checkpoint, if any. */
export async function resumePoint(runId = useStudio.getState().resumeRunId ?? currentRunId): Promise<ResumePoint | null> {
  if (!db || !runId) return null;
  await flushWrites();
  const run = await db.getRun(runId);
  const cp = await db.getCheckpoint(runId);
  if (!run || !cp) return null;
  const { runId: _r, savedAt: _s, ...checkpoint } = cp;
  return { run, checkpoint };
}

/** The id of the run being recorded now (null when none). */
export function activeRunId(): string | null {
  return currentRunId;
}

/** The id of the text run being recorded now (null when none). */
export function activeTextRunId(): string | null {
  return textRunId;
}

/** Marks the start of a resumed text run: its events and checkpoints go to `runId`. */
export function beginTextResume(runId: string): void {
  textRunId = runId;
  saveRun({ status: 'running' }, runId);
}

/** Marks the start of a resumed run: its events go to `runId`, not to a new record. */
export function beginResume(runId: string | null): void {
  resumingRunId = runId;
  if (runId) {
    currentRunId = runId;
    saveRun({ status: 'running' });
  }
  useStudio.setState({ resumeRunId: null, resumeEpoch: null });
}

/** The user chose not to resume: the interrupted run is recorded as stopped. */
export function discardRun(runId: string | null): void {
  if (!db || !runId) return;
  const store = db;
  queue(async () => {
    const before = await store.getRun(runId);
    if (before) await store.putRun({ ...before, status: 'stopped', updatedAt: Date.now() });
  });
}

// ---------------------------------------------------------------- the runs view

/** Changes a stored run (its notes, its sweep tag), in order with the autosave's writes; resolves once written. */
export async function patchRun(runId: string, patch: Partial<Pick<RunRecord, 'notes' | 'sweep'>>): Promise<void> {
  if (!db) throw new Error('no project storage');
  const store = db;
  const done = writes.then(async () => {
    const before = await store.getRun(runId);
    if (!before) throw new Error(`no run ${runId}`);
    await store.putRun({ ...before, ...patch });
  });
  writes = done.catch(() => undefined);
  await done;
}

/** Stores a run that trained elsewhere (a PyTorch job brought back with its model), in order with the autosave's writes; resolves once written. */
export async function storeRun(run: RunRecord): Promise<void> {
  if (!db) throw new Error('no project storage');
  const store = db;
  const done = writes.then(() => store.putRun(run));
  writes = done.catch(() => undefined);
  await done;
}

/** Deletes a stored run and its checkpoint, in order with the autosave's writes. */
export async function removeRun(runId: string): Promise<void> {
  if (!db) throw new Error('no project storage');
  const store = db;
  if (currentRunId === runId) currentRunId = null;
  if (textRunId === runId) textRunId = null;
  await flushWrites();
  await store.deleteRun(runId);
}

/**
 * Makes a stored run the current one: `apply` puts its curves and record in the store without
 * recording anything (they are the run's own), then that run is the one the autosave writes to and
 * the project reopens with.
 */
export function adoptRun(runId: string, apply: () => void): void {
  currentRunId = null;
  resumingRunId = null;
  apply();
  currentRunId = runId;
  saveProjectNow();
}

let adoptingText = false;

/** `adoptRun` for a text run: its state is put on screen without recording anything, then autosave writes to it. */
export function adoptTextRun(runId: string, apply: () => void): void {
  adoptingText = true;
  try {
    apply();
  } finally {
    adoptingText = false;
  }
  textRunId = runId;
  saveProjectNow();
}
