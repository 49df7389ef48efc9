/**
 * Imported Hugging Face models that survive a reload: the files of the one model each project
 * imported (names and bytes, as Blobs), keyed by project id. They live in a database of their own,
 * beside the project database (projects.ts): they are written once per import and read once per
 * reload, never rewritten by the autosave, and hundreds of megabytes of weights stay out of the
 * project records the autosave puts several times a minute. No tfjs and no React here.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { openThrough } from './projects';

export const IMPORTED_DB_NAME = 'finetune-studio-imported-models';
const DB_VERSION = 1;

/** One file of an imported model folder; `bytes` is its size when stored, to tell a truncated copy. */
export interface StoredModelFile {
  name: string;
  blob: Blob;
  bytes: number;
}

export interface StoredImportedModel {
  projectId: string;
  /** The model's name as the worker read it: what the runs on it record as their model's name. */
  name: string;
  files: StoredModelFile[];
  savedAt: number;
}

interface ImportedDB extends DBSchema {
  models: { key: string; value: StoredImportedModel };
}

export interface ImportedModelStore {
  /** Keeps `files` as the project's imported model, replacing the one it kept before. */
  put(projectId: string, name: string, files: readonly { name: string; blob: Blob }[]): Promise<void>;
  get(projectId: string): Promise<StoredImportedModel | undefined>;
  delete(projectId: string): Promise<void>;
  /** The projects that keep a model. */
  projectIds(): Promise<string[]>;
  close(): void;
}

export async function openImportedModelStore(name = IMPORTED_DB_NAME, factory?: IDBFactory): Promise<ImportedModelStore> {
  const open = () =>
    openDB<ImportedDB>(name, DB_VERSION, {
      upgrade(db) {
        db.createObjectStore('models', { keyPath: 'projectId' });
      },
    });
  const db: IDBPDatabase<ImportedDB> = await openThrough(factory, open);
  return {
    async put(projectId, modelName, files) {
      const record: StoredImportedModel = {
        projectId,
        name: modelName,
        files: files.map((f) => ({ name: f.name, blob: f.blob, bytes: f.blob.size })),
        savedAt: Date.now(),
      };
      await db.put('models', record);
    },
    get: (projectId) => db.get('models', projectId),
    async delete(projectId) {
      await db.delete('models', projectId);
    },
    projectIds: () => db.getAllKeys('models'),
    close() {
      db.close();
    },
  };
}

/**
 * What is wrong with a stored model, in words, or null when it looks whole: every file as long as
 * when it was stored, and the three an import cannot do without (the worker checks the rest).
 */
export function storedModelProblem(model: StoredImportedModel): string | null {
  const base = (n: string) => n.split(/[\\/]/).pop() ?? n;
  const names = new Set(model.files.map((f) => base(f.name)));
  const short = model.files.find((f) => !(f.blob instanceof Blob) || f.blob.size !== f.bytes);
  if (short) return `its file ${base(short.name)} is not the size it was stored with`;
  for (const needed of ['config.json', 'tokenizer.json']) if (!names.has(needed)) return `its ${needed} is missing`;
  if (![...names].some((n) => n.endsWith('.safetensors'))) return 'its weights (.safetensors) are missing';
  return null;
}

/** Whether a failed write was the browser refusing more storage for the site. */
export function isQuotaError(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  const message = (err as { message?: unknown } | null)?.message;
  return name === 'QuotaExceededError' || (typeof message === 'string' && /quota/i.test(message));
}
