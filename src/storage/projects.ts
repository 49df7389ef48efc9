/**
 * Projects that survive a reload: one IndexedDB database (through `idb`) with a store each for
 * projects, their images (the compressed originals as Blobs), segmentation drops, audio clips (their
 * files as Blobs), runs (settings, labels, epoch history, status) and the latest checkpoint of each
 * run. No tfjs and no React here.
 */
import { openDB, type DBSchema } from 'idb';
import type { Checkpoint } from '../engine/checkpoint';
import type { EpochMetrics, TrainSettings } from '../engine/types';
import type { DatasetImage } from '../data/types';
import type { ModelSource } from '../state/modelSource';
import type { ImageRunRecord, SegRunRecord, TextRunRecord } from '../engine/run-record';
import type { TextDocument, TextTable } from '../data/text';
import type { TextEpochMetrics, TextTask, TextTrainSettings } from '../text/types';
import type { SegDrop } from '../data/seg-ingest';
import type { ColourClass } from '../data/segmentation';
import type { KeptAudioClip } from '../data/audio-ingest';
import type { AudioGroupKey } from '../state/types';
import type { JobRunOrigin } from '../job/job-run';

export const DB_NAME = 'finetune-studio';
/** 2: the store of segmentation drops (`segDrops`). 3: the store of audio clips (`audioClips`). */
const DB_VERSION = 3;

export interface ProjectRecord {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  settings: TrainSettings;
  /** Whether the input size follows the dataset. */
  imageSizeAuto: boolean;
  /** The split seed (also `settings.seed`, kept apart so a project list can show it). */
  splitSeed: number;
  /** The model source (catalog id) the project trains on. */
  modelId: string;
  /** Where that model came from: a catalog entry, imported files (kept as Blobs) or a URL. */
  modelSource?: ModelSource;
  /** Backbone layers that train. */
  trainable: string[];
  lastRunId: string | null;
  /** The text side of the project: the chosen task, the texts, columns, trainable groups and settings (absent in older projects). */
  text?: StoredText;
  /** The project's last sweep (its space, budget and trials), so an interrupted one can continue (absent in older projects). */
  sweep?: StoredSweep;
  /** Segmentation: the colour map of its RGB masks as edited (its image–mask drops are in the `segDrops` store). */
  seg?: { colourMap: ColourClass[] | null };
  /** Audio: the speaker key and where the clips came from (the clips, with their files, are in the `audioClips` store). */
  audio?: { groupKey: AudioGroupKey; sources: string[] };
}

/** A sweep as a project keeps it: plain data (src/state/sweep.ts reads it back). */
export type StoredSweep = Record<string, unknown>;

export interface StoredText {
  /** The task picker's choice (image classification too). */
  task: string;
  corpus: TextDocument[];
  table: TextTable | null;
  textColumn: string | null;
  labelColumn: string | null;
  trainable: string[];
  settings: Record<string, unknown>;
  seed: number;
  lastRunId: string | null;
}

/** A text run: what it trained with, its epochs so far and the worker's record. */
export interface StoredTextRun {
  task: TextTask;
  settings: TextTrainSettings;
  labels: string[];
  initial: TextEpochMetrics | null;
  history: TextEpochMetrics[];
  record: TextRunRecord | null;
}

export interface ImageRecord extends DatasetImage {
  projectId: string;
}

export type RunStatus = 'running' | 'done' | 'stopped' | 'error';

export interface RunRecord {
  id: string;
  projectId: string;
  labels: string[];
  settings: TrainSettings;
  history: EpochMetrics[];
  initialValLoss: number | null;
  /** The worker's record of the run (settings as used, labels, data manifest, metrics); absent in runs stored before it existed. */
  record?: ImageRunRecord | SegRunRecord | null;
  /** A text run's own fields (then `settings`, `history` and `record` above are unused). */
  text?: StoredTextRun;
  status: RunStatus;
  startedAt: number;
  updatedAt: number;
  /** The person's notes on the run (the runs view edits them). */
  notes?: string;
  /** Set when the run is a trial of a sweep: which sweep, its trial number, and whether successive halving stopped it early. */
  sweep?: { id: string; trial: number; stoppedEarly?: boolean };
  /**
   * Set when the run trained outside the studio and came back with its model (a PyTorch job's
   * metrics.jsonl imported beside its model.zip): where it trained. Such a run has no `record` and no checkpoint.
   */
  job?: JobRunOrigin;
}

/** One drop of a segmentation dataset (its images and masks as Blobs), as the project keeps it. */
export interface SegDropRecord extends SegDrop {
  projectId: string;
}

/** One clip of an audio dataset (its original file as a Blob; its samples are decoded again on open), as the project keeps it. */
export interface AudioClipRecord extends KeptAudioClip {
  projectId: string;
}

export interface CheckpointRecord extends Checkpoint {
  runId: string;
  savedAt: number;
}

interface StudioDB extends DBSchema {
  projects: { key: string; value: ProjectRecord; indexes: { updatedAt: number } };
  images: { key: [string, string]; value: ImageRecord; indexes: { projectId: string } };
  runs: { key: string; value: RunRecord; indexes: { projectId: string } };
  checkpoints: { key: string; value: CheckpointRecord };
  segDrops: { key: [string, string]; value: SegDropRecord; indexes: { projectId: string } };
  audioClips: { key: [string, string]; value: AudioClipRecord; indexes: { projectId: string } };
  meta: { key: string; value: { key: string; value: string } };
}

export interface StorageUse {
  usage: number | null;
  quota: number | null;
}

export interface ProjectStore {
  listProjects(): Promise<ProjectRecord[]>;
  getProject(id: string): Promise<ProjectRecord | undefined>;
  putProject(project: ProjectRecord): Promise<void>;
  renameProject(id: string, name: string): Promise<void>;
  /** A copy with its images and runs' settings (not its checkpoints); returns the new project. */
  duplicateProject(id: string, newId: string, name: string): Promise<ProjectRecord>;
  /** Deletes a project with its images, runs and checkpoints. */
  deleteProject(id: string): Promise<void>;
  /** Makes the project's stored images exactly `images`: adds new ones, updates changed labels, deletes removed ones. */
  saveImages(projectId: string, images: readonly DatasetImage[]): Promise<void>;
  loadImages(projectId: string): Promise<DatasetImage[]>;
  /** Makes the project's stored segmentation drops exactly `drops` (a drop never changes once read: new ones are added, removed ones deleted). */
  saveSegDrops(projectId: string, drops: readonly SegDrop[]): Promise<void>;
  loadSegDrops(projectId: string): Promise<SegDrop[]>;
  /** Makes the project's stored audio clips exactly `clips` (their files, names, labels and hashes; not their samples). */
  saveAudioClips(projectId: string, clips: readonly KeptAudioClip[]): Promise<void>;
  loadAudioClips(projectId: string): Promise<KeptAudioClip[]>;
  putRun(run: RunRecord): Promise<void>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Every run of a project, image and text, oldest first. */
  listRuns(projectId: string): Promise<RunRecord[]>;
  /** Deletes a run with its checkpoint. */
  deleteRun(id: string): Promise<void>;
  /** Keeps only the latest checkpoint of a run. */
  putCheckpoint(runId: string, checkpoint: Checkpoint): Promise<void>;
  getCheckpoint(runId: string): Promise<CheckpointRecord | undefined>;
  getLastProjectId(): Promise<string | null>;
  setLastProjectId(id: string): Promise<void>;
  estimate(): Promise<StorageUse>;
  close(): void;
}

/**
 * Runs `open` (an idb `openDB`) through `factory` when given: idb opens through the global
 * indexedDB, and a test passes its own factory.
 */
export async function openThrough<T>(factory: IDBFactory | undefined, open: () => Promise<T>): Promise<T> {
  if (!factory) return open();
  const saved = globalThis.indexedDB;
  (globalThis as { indexedDB: IDBFactory }).indexedDB = factory;
  try {
    return await open();
  } finally {
    (globalThis as { indexedDB: IDBFactory | undefined }).indexedDB = saved;
  }
}

function toImage(r: ImageRecord): DatasetImage {
  const { projectId: _p, ...image } = r;
  return image;
}

export async function openProjectStore(name = DB_NAME, factory?: IDBFactory): Promise<ProjectStore> {
  const open = () =>
    openDB<StudioDB>(name, DB_VERSION, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) {
          db.createObjectStore('projects', { keyPath: 'id' }).createIndex('updatedAt', 'updatedAt');
          db.createObjectStore('images', { keyPath: ['projectId', 'id'] }).createIndex('projectId', 'projectId');
          db.createObjectStore('runs', { keyPath: 'id' }).createIndex('projectId', 'projectId');
          db.createObjectStore('checkpoints', { keyPath: 'runId' });
          db.createObjectStore('meta', { keyPath: 'key' });
        }
        if (oldVersion < 2) db.createObjectStore('segDrops', { keyPath: ['projectId', 'id'] }).createIndex('projectId', 'projectId');
        if (oldVersion < 3) db.createObjectStore('audioClips', { keyPath: ['projectId', 'id'] }).createIndex('projectId', 'projectId');
      },
    });
  const db = await openThrough(factory, open);

  return {
    async listProjects() {
      const all = await db.getAll('projects');
      return all.sort((a, b) => b.updatedAt - a.updatedAt);
    },
    getProject: (id) => db.get('projects', id),
    async putProject(project) {
      await db.put('projects', project);
    },
    async renameProject(id, newName) {
      const tx = db.transaction('projects', 'readwrite');
      const p = await tx.store.get(id);
      if (p) await tx.store.put({ ...p, name: newName, updatedAt: Date.now() });
      await tx.done;
    },
    async duplicateProject(id, newId, newName) {
      const tx = db.transaction(['projects', 'images', 'segDrops', 'audioClips'], 'readwrite');
      const p = await tx.objectStore('projects').get(id);
      if (!p) throw new Error(`No project ${id}`);
      const now = Date.now();
      const copy: ProjectRecord = { ...p, id: newId, name: newName, createdAt: now, updatedAt: now, lastRunId: null };
      await tx.objectStore('projects').put(copy);
      const images = await tx.objectStore('images').index('projectId').getAll(id);
      for (const img of images) await tx.objectStore('images').put({ ...img, projectId: newId });
      const drops = await tx.objectStore('segDrops').index('projectId').getAll(id);
      for (const drop of drops) await tx.objectStore('segDrops').put({ ...drop, projectId: newId });
      const clips = await tx.objectStore('audioClips').index('projectId').getAll(id);
      for (const clip of clips) await tx.objectStore('audioClips').put({ ...clip, projectId: newId });
      await tx.done;
      return copy;
    },
    async deleteProject(id) {
      const tx = db.transaction(['projects', 'images', 'runs', 'checkpoints', 'segDrops', 'audioClips'], 'readwrite');
      await tx.objectStore('projects').delete(id);
      const imageKeys = await tx.objectStore('images').index('projectId').getAllKeys(id);
      for (const k of imageKeys) await tx.objectStore('images').delete(k);
      const dropKeys = await tx.objectStore('segDrops').index('projectId').getAllKeys(id);
      for (const k of dropKeys) await tx.objectStore('segDrops').delete(k);
      const clipKeys = await tx.objectStore('audioClips').index('projectId').getAllKeys(id);
      for (const k of clipKeys) await tx.objectStore('audioClips').delete(k);
      const runKeys = await tx.objectStore('runs').index('projectId').getAllKeys(id);
      for (const k of runKeys) {
        await tx.objectStore('runs').delete(k);
        await tx.objectStore('checkpoints').delete(k);
      }
      await tx.done;
    },
    async saveImages(projectId, images) {
      const tx = db.transaction('images', 'readwrite');
      const stored = new Map((await tx.store.index('projectId').getAll(projectId)).map((r) => [r.id, r]));
      for (const img of images) {
        const before = stored.get(img.id);
        stored.delete(img.id);
        if (before && before.label === img.label && before.name === img.name) continue;
        await tx.store.put({ ...img, projectId });
      }
      for (const gone of stored.keys()) await tx.store.delete([projectId, gone]);
      await tx.done;
    },
    async loadImages(projectId) {
      const all = await db.getAllFromIndex('images', 'projectId', projectId);
      return all.map(toImage);
    },
    async saveSegDrops(projectId, drops) {
      const tx = db.transaction('segDrops', 'readwrite');
      const stored = new Set((await tx.store.index('projectId').getAll(projectId)).map((r) => r.id));
      for (const drop of drops) {
        if (!stored.delete(drop.id)) await tx.store.put({ ...drop, projectId });
      }
      for (const gone of stored) await tx.store.delete([projectId, gone]);
      await tx.done;
    },
    async loadSegDrops(projectId) {
      const all = await db.getAllFromIndex('segDrops', 'projectId', projectId);
      return all.map(({ projectId: _p, ...drop }) => drop);
    },
    async saveAudioClips(projectId, clips) {
      const tx = db.transaction('audioClips', 'readwrite');
      const stored = new Map((await tx.store.index('projectId').getAll(projectId)).map((r) => [r.id, r]));
      for (const { id, name, path, label, file, hash } of clips) {
        const before = stored.get(id);
        stored.delete(id);
        // A clip of the same id whose file, name and class are unchanged is already stored.
        if (before && before.hash === hash && before.label === label && before.name === name && before.path === path) continue;
        await tx.store.put({ id, name, path, label, file, hash, projectId });
      }
      for (const gone of stored.keys()) await tx.store.delete([projectId, gone]);
      await tx.done;
    },
    async loadAudioClips(projectId) {
      const all = await db.getAllFromIndex('audioClips', 'projectId', projectId);
      return all.map(({ projectId: _p, ...clip }) => clip);
    },
    async putRun(run) {
      await db.put('runs', run);
    },
    getRun: (id) => db.get('runs', id),
    async listRuns(projectId) {
      const all = await db.getAllFromIndex('runs', 'projectId', projectId);
      return all.sort((a, b) => a.startedAt - b.startedAt);
    },
    async deleteRun(id) {
      const tx = db.transaction(['runs', 'checkpoints'], 'readwrite');
      await tx.objectStore('runs').delete(id);
      await tx.objectStore('checkpoints').delete(id);
      await tx.done;
    },
    async putCheckpoint(runId, checkpoint) {
      await db.put('checkpoints', { ...checkpoint, runId, savedAt: Date.now() });
    },
    getCheckpoint: (runId) => db.get('checkpoints', runId),
    async getLastProjectId() {
      return (await db.get('meta', 'lastProject'))?.value ?? null;
    },
    async setLastProjectId(id) {
      await db.put('meta', { key: 'lastProject', value: id });
    },
    async estimate() {
      try {
        const e = await navigator.storage.estimate();
        return { usage: e.usage ?? null, quota: e.quota ?? null };
      } catch {
        return { usage: null, quota: null };
      }
    },
    close() {
      db.close();
    },
  };
}
