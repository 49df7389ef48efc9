/**
 * A run handed to PyTorch coming back: `metrics.jsonl` (one JSON object a line, one line an epoch, as
 * `train.py` writes it) read into the studio's epoch history, `metadata.json`'s `trainedBy` read into
 * a typed record of where it trained, and the two made into a stored run the runs view lists beside
 * the studio's own. An image classifier's job (train.py) and a text-generation job (train_lm.py) write
 * the same file, a text line with `perplexity` in place of `train_accuracy`. Plain data and pure
 * functions, no tfjs, no DOM.
 */
import { StudioError } from '../lib/errors';
import type { EpochMetrics, TrainSettings } from '../engine/types';
import type { TextEpochMetrics, TextTrainSettings } from '../text/types';
import type { RunRecord as StoredRun } from '../storage/projects';
import { sha256 } from '../data/hash';

/** Where a run trained when it did not train in the studio: `metadata.json`'s `trainedBy`. */
export interface TrainedBy {
  /** What trained it: `"train.py"` for a job the studio handed to PyTorch. */
  tool: string;
  /** `torch.__version__`, when known. */
  torch: string | null;
  /** Processes that trained it together (the data-parallel world size). */
  worldSize: number;
  /** The device they ran on, as `train.py` named it (`"cuda"`, `"cpu"`). */
  device: string | null;
  /** When the studio made the job (`config.json`'s `job.createdAt`). */
  jobCreatedAt: string | null;
}

/** A run that trained outside the studio and came back with its model, as the project keeps it. */
export interface JobRunOrigin {
  trainedBy: TrainedBy;
  /** The pre-trained model it fine-tuned (`metadata.json`'s `model.name`). */
  model: string | null;
  /** The file its model came back in (`model.zip`). */
  file: string;
  /** `metadata.json`'s `createdAt` (when the job wrote its model) and its `run.id`: the same job imported again replaces its run. */
  exportedAt: string | null;
  runId: string | null;
}

/** One line of `metrics.jsonl`; `line` is its 1-based line number in the file. */
export interface JobMetricsLine {
  line: number;
  epoch: number;
  trainLoss: number | null;
  trainAccuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
  learningRate: number | null;
  worldSize: number;
  /** Seconds the epoch took (0 for epoch 0). */
  seconds: number | null;
  /** Parameters that trained in the epoch (`trainable_params`, which train.py adds), when the line has it. */
  trainableParams: number | null;
  /** A text job's perplexity per token (exp of the validation loss), when the line has it; null for an image job. */
  perplexity: number | null;
}

/** Which job wrote the file: an image classifier's (train.py) or a text generator's (train_lm.py). */
export type JobKind = 'image' | 'text';

const FIELDS = {
  image: ['epoch', 'train_loss', 'train_accuracy', 'val_loss', 'val_accuracy', 'learning_rate', 'world_size', 'seconds'],
  text: ['epoch', 'train_loss', 'val_loss', 'learning_rate', 'world_size', 'seconds'],
} as const;
type Field = (typeof FIELDS)['image'][number] | 'perplexity';

/** Python's `json.dumps` writes NaN and ±Infinity bare; they become strings JSON.parse accepts, read back as numbers below. */
const PY_NUMBERS = /(?<=[:,[]\s*)(NaN|-?Infinity)(?=\s*[,\]}])/g;

function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v);
  return undefined;
}

const shown = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

/**
 * Reads `metrics.jsonl` (blank lines skipped). The first line that is not a JSON object with every
 * field, each a number (null where the format allows it), is a StudioError whose sentence names the
 * file, the line and the field. A text job's lines (`kind` 'text') need no `train_accuracy`; their
 * `perplexity` and `val_accuracy` may be absent or null.
 */
export function parseJobMetrics(text: string, file = 'metrics.jsonl', kind: JobKind = 'image'): JobMetricsLine[] {
  const fields = FIELDS[kind];
  const fail = (line: number, why: string) =>
    new StudioError(
      'file-unreadable',
      `Line ${line} of ${file} ${why}, so the job’s run was not brought in. Drop the ${file} that train.py wrote, unchanged, together with its model.zip.`,
    );
  const out: JobMetricsLine[] = [];
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < rows.length; i++) {
    const raw = (rows[i] ?? '').trim();
    if (raw === '') continue;
    const n = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(raw.replace(PY_NUMBERS, '"$1"'));
    } catch {
      throw fail(n, 'is not JSON (train.py writes one JSON object a line)');
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw fail(n, 'is not a JSON object (train.py writes one a line)');
    const o = value as Record<string, unknown>;
    const missing = fields.filter((f) => !(f in o));
    if (missing.length > 0) {
      throw fail(
        n,
        `has no ${missing.join(', ')} (each line needs ${fields.slice(0, -1).join(', ')} and ${fields[fields.length - 1] ?? ''})`,
      );
    }
    const epoch = o.epoch;
    if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0)
      throw fail(n, `has epoch ${shown(epoch)}, not a whole number from 0`);
    /** A number, or null where `nullable` says the field may be empty. */
    const read = (f: Field, nullable: boolean): number | null => {
      const v = o[f];
      if ((v === null || (v === undefined && kind === 'text' && !(fields as readonly string[]).includes(f))) && nullable) return null;
      const x = numberOf(v);
      if (x === undefined) throw fail(n, `has ${f} ${shown(v)}, not a number${nullable ? ' or null' : ''}`);
      return x;
    };
    // Epoch 0 is the model before its first step: no training metrics yet.
    const first = epoch === 0;
    const worldSize = read('world_size', false);
    if (worldSize === null || !Number.isInteger(worldSize) || worldSize < 1)
      throw fail(n, `has world_size ${shown(o.world_size)}, not a whole number from 1`);
    out.push({
      line: n,
      epoch,
      trainLoss: read('train_loss', first),
      trainAccuracy: kind === 'text' ? null : read('train_accuracy', first),
      valLoss: read('val_loss', true),
      valAccuracy: read('val_accuracy', true),
      learningRate: read('learning_rate', first),
      worldSize,
      seconds: read('seconds', first),
      trainableParams: typeof o.trainable_params === 'number' && o.trainable_params >= 0 ? o.trainable_params : null,
      perplexity: kind === 'text' ? read('perplexity', true) : null,
    });
  }
  if (out.length === 0) {
    throw new StudioError(
      'file-unreadable',
      `${file} holds no epochs, so the job’s run was not brought in. Drop the ${file} that train.py wrote, together with its model.zip.`,
    );
  }
  return out;
}

/**
 * The lines that stand: a line for an epoch the file already had (a job rerun over the same output
 * folder) replaces it and every later one, as a resumed run here does. `first` is epoch 0's line.
 */
function standingLines(lines: readonly JobMetricsLine[]): { first: JobMetricsLine | null; epochs: JobMetricsLine[] } {
  let first: JobMetricsLine | null = null;
  let epochs: JobMetricsLine[] = [];
  for (const l of lines) {
    epochs = epochs.filter((h) => h.epoch < l.epoch);
    if (l.epoch === 0) first = l;
    else epochs.push(l);
  }
  return { first, epochs };
}

/** Seconds the job took: epoch 0's evaluation and every epoch that stands. */
const secondsOf = (first: JobMetricsLine | null, epochs: readonly JobMetricsLine[]) =>
  (first?.seconds ?? 0) + epochs.reduce((s, l) => s + (l.seconds ?? 0), 0);

/**
 * The lines as the studio's history: epoch 0 gives the validation loss before training, each later
 * epoch one `EpochMetrics` (`trainableParams` for lines without `trainable_params`).
 */
export function jobHistory(
  lines: readonly JobMetricsLine[],
  trainableParams = 0,
): { initialValLoss: number | null; history: EpochMetrics[]; seconds: number } {
  const { first, epochs } = standingLines(lines);
  const history = epochs.map((l): EpochMetrics => ({
    epoch: l.epoch,
    learningRate: l.learningRate ?? 0,
    trainableParams: l.trainableParams ?? trainableParams,
    loss: l.trainLoss ?? Number.NaN,
    accuracy: l.trainAccuracy ?? Number.NaN,
    valLoss: l.valLoss,
    valAccuracy: l.valAccuracy,
    ms: (l.seconds ?? 0) * 1000,
    numTensors: 0,
  }));
  return { initialValLoss: first?.valLoss ?? null, history, seconds: secondsOf(first, epochs) };
}

/** One line as a text run's epoch: perplexity as the line gives it, else exp(validation loss). */
function textEpoch(l: JobMetricsLine): TextEpochMetrics {
  const valLoss = l.valLoss ?? Number.NaN;
  return {
    epoch: l.epoch,
    trainLoss: l.epoch === 0 ? null : (l.trainLoss ?? Number.NaN),
    valLoss,
    perplexity: l.perplexity ?? (l.valLoss === null ? null : Math.exp(valLoss)),
    valAccuracy: null,
    learningRate: l.learningRate ?? 0,
    sample: null,
    seconds: l.seconds ?? 0,
  };
}

/** A text job's lines as the studio's text history: epoch 0 (before training) as `initial`, then one entry an epoch. */
export function jobTextHistory(lines: readonly JobMetricsLine[]): {
  initial: TextEpochMetrics | null;
  history: TextEpochMetrics[];
  seconds: number;
} {
  const { first, epochs } = standingLines(lines);
  return { initial: first ? textEpoch(first) : null, history: epochs.map(textEpoch), seconds: secondsOf(first, epochs) };
}

/** `tool` when metadata.json does not say what trained the run. */
const UNKNOWN = 'unknown';

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const record = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/**
 * `metadata.json`'s `trainedBy`, typed; null when it has none. `worldSize` falls back to the
 * metrics' (the last line's) when the metadata lacks it.
 */
export function readTrainedBy(value: unknown, lines: readonly JobMetricsLine[] = []): TrainedBy | null {
  const t = record(value);
  if (!t) return null;
  const size = t.worldSize;
  const fromLines = lines[lines.length - 1]?.worldSize ?? 1;
  return {
    tool: text(t.tool) ?? UNKNOWN,
    torch: text(t.torch),
    worldSize: typeof size === 'number' && Number.isInteger(size) && size >= 1 ? size : fromLines,
    device: text(t.device),
    jobCreatedAt: text(t.jobCreatedAt),
  };
}

/** Where a run trained, in the runs view's Backend column: "PyTorch ×4 processes (cuda)". */
export function trainedByLabel(t: TrainedBy): string {
  const who = t.tool === 'train.py' || t.torch !== null ? 'PyTorch' : t.tool === UNKNOWN ? 'Outside the studio' : t.tool;
  const how = t.worldSize === 1 ? `${who}, 1 process` : `${who} ×${t.worldSize} processes`;
  return t.device ? `${how} (${t.device})` : how;
}

/**
 * The id of a job's run in a project, from the export's `createdAt` and `run.id`: the same job
 * imported again into the same project gets the same id (and replaces its run). Null when the
 * metadata has no `createdAt`.
 */
export function jobRunId(projectId: string, metadata: Record<string, unknown>): string | null {
  const exportedAt = text(metadata.createdAt);
  if (!exportedAt) return null;
  const key = JSON.stringify([projectId, exportedAt, text(record(metadata.run)?.id)]);
  const hex = Array.from(sha256(new TextEncoder().encode(key)).slice(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
  return `job-${hex}`;
}

export interface JobRunArgs {
  id: string;
  projectId: string;
  lines: readonly JobMetricsLine[];
  /** The imported model's metadata.json (a studio export written by train.py). */
  metadata: Record<string, unknown>;
  /** The file the model came in (model.zip). */
  file: string;
  /** Settings for any metadata.json lacks (the studio's defaults or the ones on screen). */
  fallbackSettings: TrainSettings;
  /** When it was imported, as a fallback for when the job finished. */
  now: number;
}

/**
 * The job's run as the project keeps it: its history from metrics.jsonl, labels and settings from
 * metadata.json, `job` saying where it trained. It has no worker `record` and no checkpoint: its
 * model is the one imported beside it.
 */
export function jobRunRecord(args: JobRunArgs): StoredRun {
  const { metadata, lines } = args;
  const run = record(metadata.run);
  // train.py puts each epoch's trainable parameters on its line; a run record's count is the fallback.
  const trainableParams = typeof run?.trainableParams === 'number' ? run.trainableParams : 0;
  const { history, initialValLoss, seconds } = jobHistory(lines, trainableParams);
  const labels = Array.isArray(metadata.labels) ? metadata.labels.map(String) : [];
  const settings = { ...args.fallbackSettings, ...(record(metadata.settings) ?? {}) } as TrainSettings;
  return { ...storedJobRun(args, seconds), labels, settings, history, initialValLoss };
}

/** A text job's run: `textSettings` for any metadata.json lacks (`fallbackSettings`, unused by a text run, fills the image fields). */
export interface JobTextRunArgs extends JobRunArgs {
  textSettings: TextTrainSettings;
}

/**
 * A text-generation job's run (train_lm.py) as the project keeps it: a text run (`text`) with its
 * history from metrics.jsonl (perplexity per epoch), its settings from metadata.json, and `job`
 * saying where it trained. Like an image job's run it has no worker record and no checkpoint.
 */
export function jobTextRunRecord(args: JobTextRunArgs): StoredRun {
  const { initial, history, seconds } = jobTextHistory(args.lines);
  const settings = { ...args.textSettings, ...(record(args.metadata.settings) ?? {}), task: 'text-generation' } as TextTrainSettings;
  return {
    ...storedJobRun(args, seconds),
    labels: [],
    settings: args.fallbackSettings,
    history: [],
    initialValLoss: initial?.valLoss ?? null,
    text: { task: 'text-generation', settings, labels: [], initial, history, record: null },
  };
}

/** What an image job's run and a text job's share: its id, times, status and where it trained. */
function storedJobRun(args: JobRunArgs, seconds: number): Omit<StoredRun, 'labels' | 'settings' | 'history' | 'initialValLoss'> {
  const { metadata, lines } = args;
  const run = record(metadata.run);
  const model = record(metadata.model);
  const last = lines[lines.length - 1]?.worldSize ?? 1;
  const trainedBy = readTrainedBy(metadata.trainedBy, lines) ?? {
    tool: UNKNOWN,
    torch: null,
    worldSize: last,
    device: null,
    jobCreatedAt: null,
  };
  const exportedAt = text(metadata.createdAt);
  const endedAt = [text(run?.finishedAt), exportedAt].map((t) => (t ? Date.parse(t) : Number.NaN)).find(Number.isFinite) ?? args.now;
  // An image export names its model in `model.name`; a text export its base model in `baseModel`.
  const name = text(model?.name) ?? text(metadata.baseModel);
  return {
    id: args.id,
    projectId: args.projectId,
    record: null,
    status: 'done',
    startedAt: endedAt - Math.round(seconds * 1000),
    updatedAt: endedAt,
    job: { trainedBy, model: name, file: args.file, exportedAt, runId: text(run?.id) },
  };
}
