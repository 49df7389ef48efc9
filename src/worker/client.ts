/**
 * The UI side of the worker protocol: typed request/response calls plus a progress event stream.
 * `cancel()` terminates the worker; the next call starts a fresh one (which needs `init` and `load` again).
 */
import { StudioError, deserializeError } from '../lib/errors';
import type { BackendName } from '../engine/types';
import type { Command, Request, ResultOf, WorkerEvent } from './protocol';

/** Events that are not answers to a call: phase, batches, epoch, log. */
export type ProgressEvent = Exclude<WorkerEvent, { type: 'result' } | { type: 'error' }>;

export interface TrainingClient {
  call<C extends Command>(command: C): Promise<ResultOf<C>>;
  onEvent(listener: (event: ProgressEvent) => void): () => void;
  /** Terminates the worker and rejects every pending call with a 'cancelled' error. */
  cancel(): void;
  /** Increments each time a fresh worker is started (after a cancel or a crash). */
  readonly generation: number;
  /** Increments each time the worker dies on its own (a crash, or `kill()`). */
  readonly crashes: number;
  /** Test hook: terminates the worker the way a crash would (pending calls fail, `crashes` grows). */
  kill(): void;
  /** Why the worker last died: a crash, or the GPU device / WebGL context under its backend was lost. */
  readonly lastCrash: { cause: 'crash' } | { cause: 'device-lost'; backend: BackendName; reason: string } | null;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: StudioError) => void;
}

export type WorkerFactory = () => Worker;

const defaultFactory: WorkerFactory = () => new Worker(new URL('./training.worker.ts', import.meta.url), { type: 'module' });

export function createTrainingClient(factory: WorkerFactory = defaultFactory): TrainingClient {
  let worker: Worker | null = null;
  let nextId = 1;
  let generation = 0;
  let crashes = 0;
  let lastCrash: TrainingClient['lastCrash'] = null;
  const pending = new Map<number, Pending>();
  const listeners = new Set<(event: ProgressEvent) => void>();

  function rejectAll(err: StudioError): void {
    const all = [...pending.values()];
    pending.clear();
    for (const p of all) p.reject(err);
  }

  function handle(event: WorkerEvent): void {
    switch (event.type) {
      case 'result': {
        const p = pending.get(event.id);
        pending.delete(event.id);
        p?.resolve(event.value);
        return;
      }
      case 'error': {
        const p = pending.get(event.id);
        pending.delete(event.id);
        p?.reject(deserializeError(event.error));
        return;
      }
      case 'device-lost': {
        for (const l of listeners) l(event);
        // Nothing more can run on that backend in this worker: end it like a crash, with its cause.
        if (worker) {
          lastCrash = { cause: 'device-lost', backend: event.backend, reason: event.reason };
          crashed(worker, event.reason, 'device-lost');
        }
        return;
      }
      default:
        for (const l of listeners) l(event);
    }
  }

  function ensureWorker(): Worker {
    if (worker) return worker;
    const w = factory();
    generation += 1;
    w.onmessage = (e: MessageEvent<WorkerEvent>) => handle(e.data);
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      if (worker !== w) return;
      lastCrash = { cause: 'crash' };
      crashed(w, e.message);
    };
    w.onmessageerror = () => {
      rejectAll(new StudioError('internal', 'A message from the training worker could not be read.'));
    };
    worker = w;
    return w;
  }

  function crashed(w: Worker, cause: unknown, code: 'internal' | 'device-lost' = 'internal'): void {
    w.terminate();
    worker = null;
    crashes += 1;
    const message =
      code === 'device-lost'
        ? 'The GPU under the training worker was lost, so the worker was stopped.'
        : 'The training worker stopped unexpectedly. Reload the page and try again.';
    rejectAll(new StudioError(code, message, { cause }));
  }

  return {
    get generation() {
      return generation;
    },
    get crashes() {
      return crashes;
    },
    get lastCrash() {
      return lastCrash;
    },
    kill() {
      lastCrash = { cause: 'crash' };
      if (worker) crashed(worker, 'killed by a test hook');
    },
    call<C extends Command>(command: C): Promise<ResultOf<C>> {
      const w = ensureWorker();
      const id = nextId++;
      return new Promise<ResultOf<C>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        const request: Request = { id, command };
        try {
          // Nothing is transferred: Blobs are posted as-is and the UI keeps its copies.
          w.postMessage(request);
        } catch (err) {
          pending.delete(id);
          reject(new StudioError('internal', 'The studio could not send work to the training worker.', { cause: err }));
        }
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    cancel() {
      const w = worker;
      worker = null;
      w?.terminate();
      rejectAll(new StudioError('cancelled', 'Training was cancelled.'));
    },
  };
}
