import type { StateCreator } from 'zustand';
import type { LrFinderSlice, LrFinderView, StudioState } from './types';

export const IDLE_LR_FINDER: LrFinderView = {
  state: 'idle',
  task: null,
  points: [],
  steps: 0,
  suggestion: null,
  minimumAt: null,
  rule: null,
  error: null,
  appliedOver: null,
};

export const createLrFinderSlice: StateCreator<StudioState, [], [], LrFinderSlice> = (set) => ({
  lrFinder: IDLE_LR_FINDER,
  setLrFinder: (patch) => set((s) => ({ lrFinder: { ...s.lrFinder, ...patch } })),
});
