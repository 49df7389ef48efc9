/**
 * Append-only buffer of per-batch metrics, outside React state. The worker's `batches` events push
 * here; charts read it at most once per animation frame (see ui/common/useBufferVersion).
 */
import type { BatchMetrics } from '../engine/types';

export interface MetricsBuffer {
  readonly items: readonly BatchMetrics[];
  /** Bumps on every push and reset. */
  readonly version: number;
  push(items: readonly BatchMetrics[]): void;
  reset(): void;
  latest(): BatchMetrics | undefined;
}

export function createMetricsBuffer(): MetricsBuffer {
  let items: BatchMetrics[] = [];
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

/** The one buffer the studio uses. */
export const batchMetrics = createMetricsBuffer();
