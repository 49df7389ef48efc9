/**
 * The runs view's row model: one row per stored run (image or text), its settings as used (from the
 * worker's record, else the stored ones), its metrics, which settings differ between runs, sorting,
 * the curves to overlay and the scatter's points. Plain data and pure functions, no React, no tfjs.
 */
import { augmentationOn, type AugmentationSettings } from '../engine/types';
import type { RunRecord as StoredRun, RunStatus } from '../storage/projects';
import { trainedByLabel, type TrainedBy } from '../job/job-run';

export type SettingKey =
  | 'learningRate'
  | 'batchSize'
  | 'epochs'
  | 'optimizer'
  | 'trainable'
  | 'trainableParams'
  | 'imageSize'
  | 'headLayer'
  | 'augmentation'
  | 'weightDecay'
  | 'dropout';

export const SETTING_COLUMNS: readonly { key: SettingKey; label: string; numeric: boolean }[] = [
  { key: 'learningRate', label: 'Learning rate', numeric: true },
  { key: 'batchSize', label: 'Batch size', numeric: true },
  { key: 'epochs', label: 'Epochs', numeric: true },
  { key: 'optimizer', label: 'Optimizer', numeric: false },
  { key: 'trainable', label: 'What trains', numeric: false },
  { key: 'trainableParams', label: 'Trainable params', numeric: true },
  { key: 'imageSize', label: 'Input size', numeric: true },
  { key: 'headLayer', label: 'Head reads', numeric: false },
  { key: 'augmentation', label: 'Augmentation', numeric: false },
  { key: 'weightDecay', label: 'Weight decay', numeric: true },
  { key: 'dropout', label: 'Dropout', numeric: true },
];

export type SettingValue = string | number | null;

/** The layer a run's head read, as the table shows it; runs from before the setting read the output. */
function headLayerLabel(layer: string | undefined, auto: boolean): string {
  const name = !layer || layer === 'output' ? 'output' : layer;
  return auto ? `${name} (Auto)` : name;
}

/** One epoch of a run's validation curves; `valMetric` is accuracy (classification) or loss (generation). */
export interface CurvePoint {
  epoch: number;
  valLoss: number | null;
  valMetric: number | null;
}

export type RunMetric = 'accuracy' | 'loss' | 'iou';

/** What the runs view calls the metric of `rows`: theirs when they share one, else 'metric'. */
export function metricNameOf(rows: readonly { metric: RunMetric }[]): string {
  const kinds = new Set(rows.map((r) => r.metric));
  if (kinds.size !== 1) return 'metric';
  return { accuracy: 'accuracy', loss: 'loss', iou: 'mean IoU' }[[...kinds][0] as RunMetric];
}

export interface RunRow {
  id: string;
  /** 1-based, in the order the runs started. */
  number: number;
  kind: 'image' | 'text';
  task: string;
  startedAt: number;
  durationMs: number;
  status: RunStatus;
  backend: string;
  model: string;
  settings: Record<SettingKey, SettingValue>;
  /** What the run is judged by: validation accuracy, validation loss for text generation, the foreground mean IoU for segmentation. */
  metric: RunMetric;
  finalMetric: number | null;
  bestMetric: number | null;
  bestEpoch: number | null;
  epochsCompleted: number;
  curve: CurvePoint[];
  notes: string;
  /** Set when the run is a sweep's trial: its number, and whether successive halving stopped it early. */
  sweep: { id: string; trial: number; stoppedEarly: boolean } | null;
  /** Set when the run trained outside the studio (a PyTorch job brought back with its model); `backend` then says where. */
  trainedBy: TrainedBy | null;
}

function augmentationLabel(a: AugmentationSettings | undefined): string | null {
  if (!a) return null;
  if (!augmentationOn(a)) return 'off';
  const on: string[] = [];
  if (a.flip) on.push('flip');
  if (a.cropScale < 1) on.push(`crop ${a.cropScale}`);
  if (a.rotationDeg > 0) on.push(`rotate ±${a.rotationDeg}°`);
  if (a.brightness > 0) on.push(`brightness ±${a.brightness}`);
  if (a.contrast > 0) on.push(`contrast ±${a.contrast}`);
  return on.join(', ');
}

/** A metric as a number, or null when a run has none (absent, NaN, infinite). */
export const finite = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function best(curve: readonly CurvePoint[], higher: boolean): { value: number | null; epoch: number | null } {
  let value: number | null = null;
  let epoch: number | null = null;
  for (const p of curve) {
    const v = p.valMetric;
    if (v === null) continue;
    if (value === null || (higher ? v > value : v < value)) {
      value = v;
      epoch = p.epoch;
    }
  }
  return { value, epoch };
}

function durationOf(run: StoredRun, finishedAt: string | null | undefined): number {
  const end = finishedAt ? Date.parse(finishedAt) : run.updatedAt;
  return Math.max(0, (Number.isFinite(end) ? end : run.updatedAt) - run.startedAt);
}

/** The row of one stored run; `number` is its place in start order. */
export function runRow(run: StoredRun, number: number): RunRow {
  const sweep = run.sweep ? { id: run.sweep.id, trial: run.sweep.trial, stoppedEarly: run.sweep.stoppedEarly === true } : null;
  const base = { id: run.id, number, startedAt: run.startedAt, status: run.status, notes: run.notes ?? '', sweep, trainedBy: null };
  if (run.text) {
    const t = run.text;
    const rec = t.record;
    const s = rec?.settings ?? t.settings;
    const generation = t.task === 'text-generation';
    const history = rec?.metrics.history ?? t.history;
    const curve = history
      .filter((h) => h.epoch > 0)
      .map((h) => ({ epoch: h.epoch, valLoss: finite(h.valLoss), valMetric: finite(generation ? h.valLoss : h.valAccuracy) }));
    const top = best(curve, !generation);
    return {
      ...base,
      kind: 'text',
      task: t.task,
      durationMs: durationOf(run, rec?.metrics.finishedAt),
      backend: rec ? [...new Set(rec.backends)].join(' → ') : run.job ? trainedByLabel(run.job.trainedBy) : '',
      model: rec?.model.name ?? run.job?.model ?? '',
      trainedBy: run.job?.trainedBy ?? null,
      settings: {
        learningRate: s.learningRate,
        batchSize: s.batchSize,
        epochs: s.epochs,
        optimizer: s.optimizer,
        trainable: `${s.trainableGroups.length} groups${s.lora ? ` + LoRA r${s.lora.rank}` : ''}`,
        trainableParams: rec?.trainableParams || null,
        imageSize: null,
        headLayer: null,
        augmentation: null,
        weightDecay: s.weightDecay,
        dropout: s.dropout,
      },
      metric: generation ? 'loss' : 'accuracy',
      finalMetric: curve.at(-1)?.valMetric ?? null,
      bestMetric: top.value,
      bestEpoch: rec?.metrics.bestEpoch ?? top.epoch,
      epochsCompleted: curve.length,
      curve,
    };
  }
  const rec = run.record ?? null;
  const seg = rec?.task === 'image-segmentation';
  const s = rec?.settings ?? run.settings;
  const history = rec?.metrics.history ?? run.history;
  const curve = history
    .filter((h) => h.epoch > 0)
    .map((h) => ({ epoch: h.epoch, valLoss: finite(h.valLoss), valMetric: finite(seg ? (h.valIou ?? null) : h.valAccuracy) }));
  const top = best(curve, true);
  const what = seg ? 'decoder' : 'head';
  return {
    ...base,
    kind: 'image',
    task: rec?.task ?? 'image-classification',
    durationMs: durationOf(run, rec?.metrics.finishedAt),
    backend: rec ? [...new Set(rec.backends)].join(' → ') : run.job ? trainedByLabel(run.job.trainedBy) : '',
    model: rec?.model.name ?? run.job?.model ?? '',
    trainedBy: run.job?.trainedBy ?? null,
    settings: {
      learningRate: s.learningRate,
      batchSize: s.batchSize,
      epochs: s.epochs,
      optimizer: s.optimizer,
      trainable: s.mode === 'fine-tune' ? `${s.trainableLayers.length} layers + ${what}` : `${what} only`,
      trainableParams: rec?.trainableParams || Math.max(0, ...history.map((h) => h.trainableParams)) || null,
      imageSize: rec?.input.imageSize ?? s.imageSize,
      headLayer: seg ? null : headLayerLabel(s.headLayer, rec?.task === 'image-classification' && rec.auto !== undefined),
      augmentation: augmentationLabel(s.augmentation),
      weightDecay: s.weightDecay,
      dropout: s.dropout,
    },
    metric: seg ? 'iou' : 'accuracy',
    finalMetric: curve.at(-1)?.valMetric ?? null,
    bestMetric: top.value,
    bestEpoch: rec?.metrics.bestEpoch ?? top.epoch,
    epochsCompleted: curve.length,
    curve,
  };
}

/** Rows of a project's runs, numbered in start order. */
export function runRows(runs: readonly StoredRun[]): RunRow[] {
  return [...runs].sort((a, b) => a.startedAt - b.startedAt).map((r, i) => runRow(r, i + 1));
}

/** The settings whose values are not the same in every row (a setting a run lacks counts as a value). */
export function differingSettings(rows: readonly RunRow[]): SettingKey[] {
  return SETTING_COLUMNS.map((c) => c.key).filter((key) => new Set(rows.map((r) => JSON.stringify(r.settings[key]))).size > 1);
}

export type SortKey = 'number' | 'startedAt' | 'duration' | 'status' | 'backend' | 'model' | 'final' | 'best' | 'bestEpoch' | SettingKey;

export interface SortOrder {
  key: SortKey;
  dir: 'asc' | 'desc';
}

function sortValue(row: RunRow, key: SortKey): SettingValue {
  switch (key) {
    case 'number':
      return row.number;
    case 'startedAt':
      return row.startedAt;
    case 'duration':
      return row.durationMs;
    case 'status':
    case 'backend':
    case 'model':
      return row[key] || null;
    case 'final':
      return row.finalMetric;
    case 'best':
      return row.bestMetric;
    case 'bestEpoch':
      return row.bestEpoch;
    default:
      return row.settings[key];
  }
}

/** The rows in `order`; rows without a value for the key go last either way. */
export function sortRows(rows: readonly RunRow[], order: SortOrder): RunRow[] {
  const sign = order.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = sortValue(a, order.key);
    const y = sortValue(b, order.key);
    if (x === null || y === null) return x === y ? a.number - b.number : x === null ? 1 : -1;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return c === 0 ? a.number - b.number : sign * c;
  });
}

/** The next order after clicking a column header: the same column flips, another starts ascending. */
export function nextSort(order: SortOrder, key: SortKey): SortOrder {
  return order.key === key ? { key, dir: order.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' };
}

/** The chosen runs' curves merged by epoch, for one chart: `{ epoch, [runId]: value }`. */
export function overlayData(rows: readonly RunRow[], series: 'valLoss' | 'valMetric'): Record<string, number | null>[] {
  const byEpoch = new Map<number, Record<string, number | null>>();
  for (const row of rows) {
    for (const p of row.curve) {
      const point = byEpoch.get(p.epoch) ?? { epoch: p.epoch };
      point[row.id] = p[series];
      byEpoch.set(p.epoch, point);
    }
  }
  return [...byEpoch.values()].sort((a, b) => (a.epoch ?? 0) - (b.epoch ?? 0));
}

/** One point per run with a numeric value of `key` (positive for a log axis) and a final metric. */
export function scatterPoints(
  rows: readonly RunRow[],
  key: SettingKey,
  log: boolean,
): { id: string; name: string; x: number; y: number }[] {
  const out: { id: string; name: string; x: number; y: number }[] = [];
  for (const r of rows) {
    const x = r.settings[key];
    if (typeof x !== 'number' || r.finalMetric === null || (log && x <= 0)) continue;
    out.push({ id: r.id, name: `Run ${r.number}`, x, y: r.finalMetric });
  }
  return out;
}
