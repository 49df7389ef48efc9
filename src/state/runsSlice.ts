import type { StateCreator } from 'zustand';
import type { RunsSlice, RunsState, StudioState } from './types';

export const INITIAL_RUNS: RunsState = {
  list: [],
  loaded: false,
  error: null,
  restoring: null,
  chosen: [],
  differOnly: false,
  sort: { key: 'number', dir: 'asc' },
  series: 'valLoss',
  scatterX: 'learningRate',
};

/** The runs view's state (its actions are runsActions.ts). */
export const createRunsSlice: StateCreator<StudioState, [], [], RunsSlice> = (set) => ({
  runs: INITIAL_RUNS,
  setRuns: (patch) => set((s) => ({ runs: { ...s.runs, ...patch } })),
});
