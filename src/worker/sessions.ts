/**
 * The worker's one session registry: for each task, the functions that answer its verbs. A task's
 * session lives in its folder (src/tasks/<task>/session.ts); the worker shell dispatches every task
 * command here by its task id and verb.
 */
import type { BackendName } from '../engine/types';
import { StudioError } from '../lib/errors';
import type { PayloadOf, TaskCommand, TaskId, TaskResultOf, VerbOf, WorkerEvent } from './protocol';

/** What the worker shell gives every session: posting events and the backend it runs on. */
export interface SessionContext {
  post(event: WorkerEvent, transfer?: Transferable[]): void;
  /** The backend the worker started (the one a run records). */
  backend(): BackendName;
  /** Called once per training batch: reports a lost GPU device or WebGL context, if it is gone. */
  checkDevice(): void;
}

/** A task's session: one async function per verb the task answers. */
export type Session<T extends TaskId> = { [V in VerbOf<T>]: (payload: PayloadOf<T, V>) => Promise<TaskResultOf<T, V>> };

export type SessionRegistry = { [T in TaskId]: Session<T> };

/** Answers one task command from the registry (a verb the task lacks is refused in plain words). */
export function dispatch(registry: SessionRegistry, command: TaskCommand): Promise<unknown> {
  const session = registry[command.task] as Record<string, ((payload: unknown) => Promise<unknown>) | undefined>;
  const run = session[command.kind];
  if (!run) return Promise.reject(new StudioError('unsupported', `The ${command.task} task cannot ${command.kind}.`));
  return run(command);
}
