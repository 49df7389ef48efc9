/**
 * Append-only buffers of per-batch metrics, outside React state. The worker's `batches` events (images)
 * and text `batch` events push here; charts read them at most once per animation frame (see
 * ui/common/useBufferVersion). A push appends in place: it never copies or sorts what is there.
 */
import type { BatchMetrics } from '../engine/types';
import type { TextBatchPoint } from './types';

export interface MetricsBuffer<T = BatchMetrics> {
  readonly items: readonly T[];
  /** Bumps on every push and reset. */
  readonly version: number;
  push(items: readonly T[]): void;
  reset(): void;
  latest(): T | undefined;
}

export function createMetricsBuffer<T = BatchMetrics>(): MetricsBuffer<T> {
  let items: T[] = [];
  let version = 0;
  return {
    get items() {
      return items;
    },
    get version() {
      return version;
    },
    push(more) {
      if (more.length === 0) return;
      for (const m of more) items.push(m);
      version += 1;
    },
    reset() {
      items = [];
      version += 1;
    },
    latest() {
      return items[items.length - 1];
    },
  };
}

/** The image runs' batch losses and accuracies. */
export const batchMetrics = createMetricsBuffer();

/** The text runs' batch losses. */
export const textBatchMetrics = createMetricsBuffer<TextBatchPoint>();
