import type { StateCreator } from 'zustand';
import type { SegSlice, SegState, StudioState } from './types';
import { TASK_RESULTS_RESET } from './taskResults';

/** What a segmentation run leaves on screen after it: cleared when a new run starts. */
export const SEG_RESULTS_RESET = TASK_RESULTS_RESET satisfies Partial<SegState>;

const initialSeg = (): SegState => ({
  drops: [],
  pairs: [],
  classNames: [],
  classSource: 'inferred',
  summary: null,
  colourMap: null,
  busy: false,
  error: null,
  ...SEG_RESULTS_RESET,
  opacity: 0.5,
  settingsTask: 'image-classification',
  parked: {},
});

export const createSegSlice: StateCreator<StudioState, [], [], SegSlice> = (set) => ({
  seg: initialSeg(),
  setSeg: (patch) => set((s) => ({ seg: { ...s.seg, ...patch } })),
});
