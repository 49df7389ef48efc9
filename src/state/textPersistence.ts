/**
 * The text side of a saved project: what of the text state is kept (the task, the texts, columns,
 * trainable groups and settings), a text run as stored, and putting both back after a reload. Plain
 * functions; persistence.ts owns the database and calls them.
 */
import { textExamples } from '../data/text';
import type { CheckpointRecord, RunRecord, StoredText, StoredTextRun } from '../storage/projects';
import type { TextTask } from '../text/types';
import { DEFAULT_TEXT_SETTINGS, isImageTask, isTextTask } from './textSlice';
import type { Task, TextSettings, TextState } from './types';

/**
 * The project's text state as stored, with the language model it has as its base: an imported
 * Hugging Face model by name (its files are kept apart, src/storage/imported-models.ts), absent for
 * the bundled one (and in projects stored before imports were kept).
 */
export interface StoredTextWithBase extends StoredText {
  base?: { source: 'hf'; name: string };
}

/** The imported model a stored project had as its base, or null for the bundled one. */
export function storedTextBase(stored: StoredText): string | null {
  const base = (stored as StoredTextWithBase).base;
  return base?.source === 'hf' && typeof base.name === 'string' ? base.name : null;
}

/** Whether the language model on screen changed (loaded, unloaded, another one): saved at once, like a new image model. */
export function textBaseChanged(a: TextState, b: TextState): boolean {
  const key = (t: TextState) => (t.base ? `${t.base.source}:${t.base.name}` : null);
  return key(a) !== key(b);
}

/** The fields whose change saves the project. */
export function textProjectChanged(a: TextState, b: TextState): boolean {
  return (
    a.task !== b.task ||
    a.corpus !== b.corpus ||
    a.table !== b.table ||
    a.textColumn !== b.textColumn ||
    a.labelColumn !== b.labelColumn ||
    a.trainable !== b.trainable ||
    a.settings !== b.settings ||
    a.seed !== b.seed
  );
}

/** `importedBase`: the imported model the project has as its base (textModel.importedBaseName), null for the bundled one. */
export function storedText(t: TextState, lastRunId: string | null, importedBase: string | null = null): StoredTextWithBase {
  return {
    ...(importedBase === null ? {} : { base: { source: 'hf' as const, name: importedBase } }),
    task: t.task,
    corpus: t.corpus,
    table: t.table,
    textColumn: t.textColumn,
    labelColumn: t.labelColumn,
    trainable: t.trainable,
    settings: { ...t.settings },
    seed: t.seed,
    lastRunId,
  };
}

/** A text run as stored, from the store's view of it (the record says what it trains with). */
export function storedTextRun(t: TextState): StoredTextRun | null {
  const record = t.record;
  if (!record || !t.runTask) return null;
  return {
    task: t.runTask,
    settings: record.settings,
    labels: record.labels,
    initial: t.initial,
    history: t.history,
    record,
  };
}

/**
 * The text state of a reopened project: its texts and settings, and an interrupted run's finished
 * epochs (resumable from `checkpoint`). Examples are rebuilt from the table and its columns.
 */
export function restoredText(stored: StoredText, run: RunRecord | undefined, checkpoint: CheckpointRecord | undefined): Partial<TextState> {
  const task = stored.task as Task;
  const examples =
    stored.table && stored.textColumn && stored.labelColumn
      ? safely(() => textExamples(stored.table!, { textColumn: stored.textColumn!, labelColumn: stored.labelColumn! }))
      : null;
  const patch: Partial<TextState> = {
    task: isTextTask(task) || isImageTask(task) ? task : 'image-classification',
    corpus: stored.corpus,
    table: stored.table,
    textColumn: stored.textColumn,
    labelColumn: stored.labelColumn,
    examples,
    trainable: stored.trainable,
    settings: { ...DEFAULT_TEXT_SETTINGS, ...(stored.settings as Partial<TextSettings>) },
    seed: stored.seed,
  };
  const r = run?.text;
  if (run && r && run.status === 'running' && checkpoint) {
    Object.assign(patch, {
      status: 'paused',
      runTask: r.task as TextTask,
      runLabels: r.labels,
      initial: r.initial,
      history: r.history.filter((h) => h.epoch <= checkpoint.epoch),
      record: r.record,
      resumeRunId: run.id,
      resumeEpoch: checkpoint.epoch,
    } satisfies Partial<TextState>);
  }
  return patch;
}

function safely<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}
