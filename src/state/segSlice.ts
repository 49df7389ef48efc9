import type { StateCreator } from 'zustand';
import type { SegSlice, SegState, StudioState } from './types';

/** What a segmentation run leaves on screen after it: cleared when a new run starts. */
export const SEG_RESULTS_RESET = {
  evaluation: null,
  evalState: 'idle',
  evalError: null,
  prediction: null,
  predicting: false,
  predictError: null,
  exporting: false,
  exportError: null,
} as const satisfies Partial<SegState>;

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
