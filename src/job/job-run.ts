/**
 * A run handed to PyTorch coming back: `metrics.jsonl` (one JSON object a line, one line an epoch, as
 * `train.py` writes it) read into the studio's epoch history, `metadata.json`'s `trainedBy` read into
 * a typed record of where it trained, and the two made into a stored run the runs view lists beside
 * the studio's own. Plain data and pure functions, no tfjs, no DOM.
 */
import { StudioError } from '../lib/errors';
import type { EpochMetrics, TrainSettings } from '../engine/types';
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
}

const FIELDS = ['epoch', 'train_loss', 'train_accuracy', 'val_loss', 'val_accuracy', 'learning_rate', 'world_size', 'seconds'] as const;
type Field = (typeof FIELDS)[number];

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
 * file, the line and the field.
 */
export function parseJobMetrics(text: string, file = 'metrics.jsonl'): JobMetricsLine[] {
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
    const missing = FIELDS.filter((f) => !(f in o));
    if (missing.length > 0) {
      throw fail(
        n,
        `has no ${missing.join(', ')} (each line needs ${FIELDS.slice(0, -1).join(', ')} and ${FIELDS[FIELDS.length - 1] ?? ''})`,
      );
    }
    const epoch = o.epoch;
    if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0)
      throw fail(n, `has epoch ${shown(epoch)}, not a whole number from 0`);
    /** A number, or null where `nullable` says the field may be empty. */
    const read = (f: Field, nullable: boolean): number | null => {
      const v = o[f];
      if (v === null && nullable) return null;
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
      trainAccuracy: read('train_accuracy', first),
      valLoss: read('val_loss', true),
      valAccuracy: read('val_accuracy', true),
      learningRate: read('learning_rate', first),
      worldSize,
      seconds: read('seconds', first),
      trainableParams: typeof o.trainable_params === 'number' && o.trainable_params >= 0 ? o.trainable_params : null,
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
 * The lines as the studio's history: epoch 0 gives the validation loss before training, each later
 * epoch one `EpochMetrics` (`trainableParams` for lines without `trainable_params`). A line for an epoch the file already had (a job rerun over the same
 * output folder) replaces it and every later one, as a resumed run here does.
 */
export function jobHistory(
  lines: readonly JobMetricsLine[],
  trainableParams = 0,
): { initialValLoss: number | null; history: EpochMetrics[]; seconds: number } {
  let initialValLoss: number | null = null;
  let history: (EpochMetrics & { seconds: number })[] = [];
  let before = 0;
  for (const l of lines) {
    history = history.filter((h) => h.epoch < l.epoch);
    if (l.epoch === 0) {
      initialValLoss = l.valLoss;
      before = l.seconds ?? 0;
      continue;
    }
    const seconds = l.seconds ?? 0;
    history.push({
      epoch: l.epoch,
      learningRate: l.learningRate ?? 0,
      trainableParams: l.trainableParams ?? trainableParams,
      loss: l.trainLoss ?? Number.NaN,
      accuracy: l.trainAccuracy ?? Number.NaN,
      valLoss: l.valLoss,
      valAccuracy: l.valAccuracy,
      ms: seconds * 1000,
      numTensors: 0,
      seconds,
    });
  }
  const seconds = before + history.reduce((s, h) => s + h.seconds, 0);
  return { initialValLoss, history: history.map(({ seconds: _s, ...h }) => h), seconds };
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
  const model = record(metadata.model);
  // train.py puts each epoch's trainable parameters on its line; a run record's count is the fallback.
  const trainableParams = typeof run?.trainableParams === 'number' ? run.trainableParams : 0;
  const { history, initialValLoss, seconds } = jobHistory(lines, trainableParams);
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
  const labels = Array.isArray(metadata.labels) ? metadata.labels.map(String) : [];
  const settings = { ...args.fallbackSettings, ...(record(metadata.settings) ?? {}) } as TrainSettings;
  return {
    id: args.id,
    projectId: args.projectId,
    labels,
    settings,
    history,
    initialValLoss,
    record: null,
    status: 'done',
    startedAt: endedAt - Math.round(seconds * 1000),
    updatedAt: endedAt,
    job: { trainedBy, model: text(model?.name), file: args.file, exportedAt, runId: text(run?.id) },
  };
}
