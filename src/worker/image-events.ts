/**
 * The image engines' events (classification and segmentation) as worker events: batch metrics
 * batched to about ten messages a second, phases throttled, checkpoints transferred.
 */
import type { Checkpoint } from '../engine/checkpoint';
import type { RunRecord } from '../engine/run-record';
import type { BatchMetrics, EpochMetrics } from '../engine/types';
import { createBatcher } from './batcher';
import type { SessionContext } from './sessions';

export type ImageEngineEvent =
  | { type: 'phase'; phase: 'decoding' | 'probing' | 'caching' | 'training' | 'evaluating'; done: number; total: number }
  | { type: 'batch'; metrics: BatchMetrics }
  | { type: 'epoch'; metrics: EpochMetrics }
  | { type: 'checkpoint'; checkpoint: Checkpoint }
  | { type: 'log'; message: string }
  | { type: 'run'; record: RunRecord };

export function imageEventSink(ctx: SessionContext): { onEvent(e: ImageEngineEvent): void; flush(): void } {
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
