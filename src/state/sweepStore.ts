/**
 * A sweep as the project stores it, and back: the space, the budget and the trials. A sweep that was
 * running when the page went away comes back `idle` with a note; `continueSweep` (sweep.ts) goes on
 * with its unfinished trials.
 */
import type { StoredSweep } from '../storage/projects';
import { IDLE_SWEEP } from './sweepSlice';
import type { SweepView } from './types';

const KEPT = ['state', 'task', 'metric', 'space', 'trials', 'minutes', 'id', 'rungs', 'list', 'note', 'error'] as const;

export function storedSweep(s: SweepView): StoredSweep {
  const out: StoredSweep = {};
  for (const k of KEPT) out[k] = s[k];
  return out;
}

/** Whether a sweep has trials that have not finished (queued, running, or waiting for a rung). */
export function unfinished(s: Pick<SweepView, 'list'>): number {
  return s.list.filter((t) => t.state === 'queued' || t.state === 'running' || t.state === 'waiting').length;
}

export function restoredSweep(stored: StoredSweep | undefined): SweepView {
  if (!stored) return IDLE_SWEEP;
  const s = { ...IDLE_SWEEP, ...(stored as Partial<SweepView>), stopping: false };
  if (s.state !== 'running') return s;
  const trained = s.list.filter((t) => t.metrics.length > 0).length;
  return {
    ...s,
    state: 'idle',
    // The trial that was running is next in line (it goes on from its checkpoint, if it saved one).
    list: s.list.map((t) => (t.state === 'running' ? { ...t, state: 'queued' } : t)),
    note: `The sweep was interrupted (the page was closed or reloaded) after ${trained} of its ${s.list.length} trials had trained. Continue it, or start a new one.`,
  };
}
