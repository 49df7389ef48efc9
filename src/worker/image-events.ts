/**
 * What the image tasks' sessions (classification, segmentation) share in the worker: their engines'
 * events as worker events (batch metrics batched to about ten messages a second, phases throttled,
 * checkpoints transferred), a run whose held weights are posted when it ends, and the loaded model's
 * origin for a run record.
 */
import type { Checkpoint } from '../engine/checkpoint';
import type { EngineEvent } from '../engine/engine';
import type { ModelOrigin, RunRecord, RunStart, DataManifest } from '../engine/run-record';
import type { BatchMetrics, ModelSummary } from '../engine/types';
import { catalogEntry } from '../models/catalog';
import { createBatcher } from './batcher';
import type { SessionContext } from './sessions';

export function imageEventSink(ctx: SessionContext): { onEvent(e: EngineEvent<RunRecord>): void; flush(): void } {
  const batches = createBatcher<BatchMetrics>((items) => ctx.post({ type: 'batches', items }));
  let lastPhasePost = 0;
  return {
    flush: () => batches.flush(),
    onEvent(e) {
      switch (e.type) {
        case 'batch':
          ctx.checkDevice();
          batches.push(e.metrics);
          return;
        case 'epoch':
          batches.flush();
          ctx.post({ type: 'epoch', metrics: e.metrics });
          return;
        case 'checkpoint':
          ctx.post({ type: 'checkpoint', checkpoint: e.checkpoint }, [e.checkpoint.weights]);
          return;
        case 'run':
          batches.flush();
          ctx.post({ type: 'run', record: e.record });
          return;
        case 'log':
          batches.flush();
          ctx.post({ type: 'log', message: e.message });
          return;
        case 'phase': {
          const now = Date.now();
          if (e.done === 0 || e.done === e.total || now - lastPhasePost > 100) {
            lastPhasePost = now;
            ctx.post({ type: 'phase', phase: e.phase, done: e.done, total: e.total });
          }
          return;
        }
      }
    },
  };
}

/**
 * The run's id and model origin with its data manifest: what the UI sent, or when it sent nothing
 * (tests, the bench) a fresh id and what the engine knows of the loaded model.
 */
export function runStart(given: RunStart | undefined, summary: ModelSummary | null, data: DataManifest): RunStart & { data: DataManifest } {
  if (given) return { ...given, data };
  const origin: ModelOrigin = {
    id: summary?.id ?? 'unknown',
    name: summary?.name ?? 'unknown',
    licence: catalogEntry(summary?.id ?? '')?.licence ?? 'unknown',
    source: 'unknown',
  };
  return { id: `run-${Date.now().toString(36)}`, model: origin, data };
}

/**
 * Trains, then posts the weights the model ends with as the run's `final` checkpoint: the last
 * per-epoch one may not hold them (restore-best, a stop mid-epoch), and it is what "use this run"
 * restores. Batch metrics still waiting are sent either way.
 */
export async function trainHoldingFinal<T>(
  ctx: SessionContext,
  events: { flush(): void },
  train: () => Promise<T>,
  held: () => Promise<Checkpoint | null>,
): Promise<T> {
  try {
    const result = await train();
    const final = await held();
    if (final) ctx.post({ type: 'checkpoint', checkpoint: final }, [final.weights]);
    return result;
  } finally {
    events.flush();
  }
}
