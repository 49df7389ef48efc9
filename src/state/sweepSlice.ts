import type { StateCreator } from 'zustand';
import { DEFAULT_SPACE } from '../engine/sweep';
import type { StudioState, SweepSlice, SweepView } from './types';

export const IDLE_SWEEP: SweepView = {
  state: 'idle',
  space: DEFAULT_SPACE,
  trials: 6,
  minutes: null,
  id: null,
  rungs: [],
  list: [],
  stopping: false,
  note: null,
  error: null,
};

/** The sweep view's state (its actions are sweep.ts). */
export const createSweepSlice: StateCreator<StudioState, [], [], SweepSlice> = (set) => ({
  sweep: IDLE_SWEEP,
  setSweep: (patch) => set((s) => ({ sweep: { ...s.sweep, ...patch } })),
});
