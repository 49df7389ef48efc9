/**
 * Where the loaded model came from — a catalog entry, files the user gave, or a URL — so a fresh
 * worker (after a cancel or a crash) can load the same model again.
 */
import type { ContinuedFrom, ModelOrigin } from '../engine/run-record';
import type { ModelSummary } from '../engine/types';
import { CATALOG, catalogEntry } from '../models/catalog';
import type { TrainingClient } from '../worker/client';

export type ModelSource =
  | { kind: 'catalog'; id: string }
  | {
      kind: 'files';
      id: string;
      name: string;
      files: Blob[];
      names: string[];
      inputRange: [number, number];
      /** metadata.json of a studio export: its labels keep the trained head; carried into the next export. */
      metadata?: Record<string, unknown>;
      /** Epochs of the job's metrics.jsonl, when a PyTorch job's model came back with it. */
      jobEpochs?: number;
    }
  | { kind: 'url'; id: string; name: string; url: string; inputRange: [number, number] };

let current: ModelSource = { kind: 'catalog', id: CATALOG[0]?.id ?? 'mobilenet-v2' };

export function currentSource(): ModelSource {
  return current;
}

export function setCurrentSource(source: ModelSource): void {
  current = source;
}

export function absolute(path: string): string {
  return new URL(path, location.href).href;
}

/** Asks the worker to load `source`; resolves with its summary (the worker keeps the old model on failure). */
export function loadSource(c: TrainingClient, source: ModelSource): Promise<ModelSummary> {
  switch (source.kind) {
    case 'catalog': {
      const entry = catalogEntry(source.id) ?? CATALOG[0];
      if (!entry) throw new Error('the catalog is empty');
      return c.call({
        kind: 'load',
        task: 'image-classification',
        source: 'url',
        modelId: entry.id,
        url: absolute(entry.url),
        name: entry.name,
        inputRange: entry.inputRange,
        keep: entry.source === 'hosted',
      });
    }
    case 'files':
      return c.call({
        kind: 'load',
        task: 'image-classification',
        source: 'files',
        modelId: source.id,
        name: source.name,
        files: source.files,
        names: source.names,
        inputRange: source.inputRange,
        headLabels: Array.isArray(source.metadata?.labels) ? (source.metadata.labels as unknown[]).map(String) : undefined,
        teachable: isTeachableMetadata(source.metadata),
      });
    case 'url':
      return c.call({
        kind: 'load',
        task: 'image-classification',
        source: 'url',
        modelId: source.id,
        url: source.url,
        name: source.name,
        inputRange: source.inputRange,
      });
  }
}

/** metadata.json written by Teachable Machine (or the studio's TM-compatible export). */
export function isTeachableMetadata(meta: Record<string, unknown> | undefined): boolean {
  return !!meta && (meta.packageName === '@teachablemachine/image' || typeof meta.tmVersion === 'string');
}

/**
 * What a studio export (`metadata`, its metadata.json) said about itself, for the record of a run that
 * continues from it: its epochs are its own (its history, its count, or a PyTorch job's: the epochs of
 * the metrics.jsonl beside it) plus those it continued from. Image and text exports alike.
 */
export function continuedFromOf(metadata: Record<string, unknown>, jobEpochs = 0): ContinuedFrom {
  const prevMetrics = metadata.metrics as { history?: unknown[]; epochsCompleted?: unknown } | undefined;
  // A text export keeps its run's history and count under `run`.
  const prevRun = metadata.run as { id?: unknown; history?: unknown[]; epochsCompleted?: unknown } | undefined;
  const prevContinued = metadata.continuedFrom as { epochs?: number } | undefined;
  const ownEpochs = Math.max(
    Array.isArray(prevMetrics?.history) ? prevMetrics.history.length : 0,
    typeof prevMetrics?.epochsCompleted === 'number' ? prevMetrics.epochsCompleted : 0,
    Array.isArray(prevRun?.history) ? prevRun.history.length : 0,
    typeof prevRun?.epochsCompleted === 'number' ? prevRun.epochsCompleted : 0,
    jobEpochs,
  );
  return {
    createdAt: metadata.createdAt ?? null,
    model: metadata.model ?? null,
    labels: metadata.labels ?? null,
    epochs: ownEpochs + Number(prevContinued?.epochs ?? 0),
    settings: metadata.settings ?? null,
    run: typeof prevRun?.id === 'string' ? prevRun.id : null,
    // Where it trained when that was not the studio (a PyTorch job): the next export says so too.
    ...(metadata.trainedBy ? { trainedBy: metadata.trainedBy } : {}),
  };
}

/**
 * The loaded model's origin for a new run's record: its catalog entry, or the imported files and, when
 * they are a studio export, what that export said about itself (so the next export says what it continued).
 */
export function modelOrigin(modelId: string, summary: ModelSummary | null): ModelOrigin {
  const source = current;
  const entry = catalogEntry(modelId);
  const previous = source.kind === 'files' ? source.metadata : undefined;
  return {
    id: modelId,
    name: entry?.name ?? summary?.name ?? modelId,
    licence: entry?.licence ?? 'unknown (imported)',
    source: source.kind,
    continuedFrom: previous ? continuedFromOf(previous, source.kind === 'files' ? (source.jobEpochs ?? 0) : 0) : null,
  };
}
