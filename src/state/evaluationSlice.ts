import type { StateCreator } from 'zustand';
import type { EvaluationSlice, StudioState } from './types';

export const createEvaluationSlice: StateCreator<StudioState, [], [], EvaluationSlice> = (set) => ({
  evaluation: null,
  evalState: 'idle',
  evalError: null,
  exporting: false,
  exportError: null,
  exportingJob: false,
  jobError: null,
  prediction: null,
  predicting: false,
  predictError: null,
  setEvaluation: (patch) => set(patch),
  setExport: (patch) => set(patch),
  setPrediction: (patch) => set(patch),
});
