/**
 * Worker progress events become store changes here, in one exhaustive switch (and one for a text
 * run's events inside it). Per-batch metrics go to the append-only buffers, never into React state.
 */
import type { TextTrainEvent } from '../text/types';
import type { ProgressEvent } from '../worker/client';
import type { MetricsBuffer } from './metricsBuffer';
import type { StudioState, TextBatchPoint } from './types';
import type { RunRecord, TextRunRecord } from '../engine/run-record';

const isTextRecord = (r: RunRecord): r is TextRunRecord => r.task === 'text-generation' || r.task === 'text-classification';

export type EventPatch = Partial<
  Pick<
    StudioState,
    | 'status'
    | 'phase'
    | 'history'
    | 'initialValLoss'
    | 'trainingStartedAt'
    | 'lastLog'
    | 'download'
    | 'runRecord'
    | 'runLabels'
    | 'text'
    | 'lrFinder'
  >
>;

/** Where per-batch metrics go: image batches and text batches. */
export interface EventBuffers {
  image: MetricsBuffer;
  text: MetricsBuffer<TextBatchPoint>;
}

function assertNever(x: never): never {
  throw new Error(`unhandled worker event ${JSON.stringify(x)}`);
}

export function reduceWorkerEvent(state: StudioState, event: ProgressEvent, buffers: EventBuffers): EventPatch | null {
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
      buffers.image.push(event.items);
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
    case 'run': {
      const r = event.record;
      if (isTextRecord(r)) return { text: { ...state.text, record: r, runLabels: r.labels } };
      return { runRecord: r, runLabels: r.labels };
    }
    case 'lr-point':
      return { lrFinder: { ...state.lrFinder, points: [...state.lrFinder.points, event.point], steps: event.steps } };
    case 'text':
      return reduceTextEvent(state, event.event, buffers.text);
    case 'generated':
      // Streamed while `generating`; the answer to `infer` sets the final text.
      return state.text.generating ? { text: { ...state.text, generated: event.text } } : null;
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

/** A text run's progress: the `text` state under the store's `text` key, and the text batch buffer. */
function reduceTextEvent(state: StudioState, event: TextTrainEvent, buffer: MetricsBuffer<TextBatchPoint>): EventPatch | null {
  const t = state.text;
  switch (event.type) {
    case 'initial':
      return {
        text: {
          ...t,
          initial: event.metrics,
          batchesPerEpoch: event.batchesPerEpoch,
          status: t.status === 'loading' ? 'running' : t.status,
        },
      };
    case 'batch':
      buffer.push([{ step: event.step, batches: event.batches, loss: event.loss }]);
      return t.batchesPerEpoch === event.batches ? null : { text: { ...t, batchesPerEpoch: event.batches } };
    case 'epoch': {
      const m = event.metrics;
      return { text: { ...t, history: [...t.history.filter((h) => h.epoch !== m.epoch), m] } };
    }
    case 'done':
      // The run's result comes with the answer to `textTrain` (state/textTraining.ts).
      return null;
    default:
      return assertNever(event);
  }
}
