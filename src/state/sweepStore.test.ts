import { describe, expect, it } from 'vitest';
import { IDLE_SWEEP } from './sweepSlice';
import { restoredSweep, storedSweep, unfinished } from './sweepStore';
import type { SweepTrialView, SweepView } from './types';

const trial = (n: number, state: SweepTrialView['state']): SweepTrialView => ({
  trial: n,
  params: { learningRate: 0.001 * n },
  state,
  metrics: state === 'queued' ? [] : [0.5],
  runId: state === 'queued' ? null : `r${n}`,
  epochs: state === 'queued' ? 0 : 1,
});

describe('a sweep kept in the project', () => {
  const running: SweepView = {
    ...IDLE_SWEEP,
    state: 'running',
    id: 'sweep-1',
    rungs: [1, 3],
    stopping: true,
    list: [trial(1, 'waiting'), trial(2, 'running'), trial(3, 'queued'), trial(4, 'stopped-early')],
  };

  it('comes back with its space, budget and trials; a running one comes back idle, with a note, to be continued', () => {
    const back = restoredSweep(storedSweep(running));
    expect(back.list.map((t) => t.state)).toEqual(['waiting', 'queued', 'queued', 'stopped-early']);
    expect(back.list[1]?.runId).toBe('r2');
    expect(back.rungs).toEqual([1, 3]);
    expect(back.state).toBe('idle');
    expect(back.stopping).toBe(false);
    expect(back.note).toMatch(/interrupted .* after 3 of its 4 trials had trained/);
    expect(unfinished(back)).toBe(3);
  });

  it('a finished sweep comes back as it was; a project without one gets the idle sweep', () => {
    const done = { ...running, state: 'done' as const, stopping: false, list: [trial(1, 'done'), trial(2, 'stopped-early')] };
    expect(restoredSweep(storedSweep(done))).toEqual(done);
    expect(restoredSweep(undefined)).toEqual(IDLE_SWEEP);
  });
});
