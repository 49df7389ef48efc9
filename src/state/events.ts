/**
 * Worker progress events become store changes here, in one exhaustive switch.
 * Per-batch metrics go to the append-only buffer, never into React state.
 */
import type { ProgressEvent } from '../worker/client';
import type { MetricsBuffer } from './metricsBuffer';
import type { StudioState } from './types';

export type EventPatch = Partial<
  Pick<
    StudioState,
    'status' | 'phase' | 'history' | 'initialValLoss' | 'trainingStartedAt' | 'lastLog' | 'download' | 'runRecord' | 'runLabels'
  >
>;

function assertNever(x: never): never {
  throw new Error(`unhandled worker event ${JSON.stringify(x)}`);
}

export function reduceWorkerEvent(state: StudioState, event: ProgressEvent, buffer: MetricsBuffer): EventPatch | null {
  switch (event.type) {
    case 'phase': {
      const patch: EventPatch = { phase: { phase: event.phase, done: event.done, total: event.total } };
      if (event.phase === 'training') {
        if (state.status === 'loading') patch.status = 'running';
        if (state.trainingStartedAt === null) patch.trainingStartedAt = Date.now();
      }
      return patch;
    }
    case 'batches': {
      buffer.push(event.items);
      if (state.status === 'loading') {
        return { status: 'running', trainingStartedAt: state.trainingStartedAt ?? Date.now() };
      }
      return null;
    }
    case 'epoch': {
      const m = event.metrics;
      // Epoch 0 reports the untrained model: the initial validation loss.
      if (m.epoch === 0) return { initialValLoss: m.valLoss };
      const history = [...state.history.filter((h) => h.epoch !== m.epoch), m].sort((a, b) => a.epoch - b.epoch);
      return { history };
    }
    case 'log':
      return { lastLog: event.message };
    case 'run':
      // Text runs keep their records in their own store (state/text).
      return event.record.task === 'image-classification' ? { runRecord: event.record, runLabels: event.record.labels } : null;
    case 'text':
      // Text runs have their own store (state/text).
      return null;
    case 'device-lost':
      // The controller restarts the worker and offers backends to continue on (state/controller.ts).
      return null;
    case 'checkpoint':
      // Stored in IndexedDB by the persistence layer (state/persistence.ts), not in the store.
      return null;
    case 'download':
      return { download: { modelId: event.modelId, loaded: event.loaded, total: event.total } };
    default:
      return assertNever(event);
  }
}
