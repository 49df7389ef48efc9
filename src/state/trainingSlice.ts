import type { StateCreator } from 'zustand';
import { batchMetrics } from './metricsBuffer';
import type { StudioState, TrainingSlice } from './types';

const RUN_RESET = {
  phase: null,
  history: [],
  initialValLoss: null,
  runStartedAt: null,
  trainingStartedAt: null,
  result: null,
  trainError: null,
  lastLog: null,
  runRecord: null,
} as const;

export const createTrainingSlice: StateCreator<StudioState, [], [], TrainingSlice> = (set) => ({
  status: 'idle',
  requestedBackend: null,
  backend: null,
  backendError: null,
  runLabels: [],
  runId: null,
  ...RUN_RESET,
  history: [],
  setBackend: (backend, backendError) =>
    set((s) => ({ backend, backendError, status: backendError ? 'error' : s.status === 'error' ? 'idle' : s.status })),
  beginRun(labels, runId) {
    batchMetrics.reset();
    set({
      ...RUN_RESET,
      history: [],
      status: 'loading',
      runLabels: labels,
      runId,
      runStartedAt: Date.now(),
      evaluation: null,
      evalState: 'idle',
      evalError: null,
      prediction: null,
      predictError: null,
      exportError: null,
    });
  },
  setStatus: (status) => set({ status }),
  finishRun: (result) => set({ result, phase: null }),
  failRun: (trainError) => set({ status: 'error', trainError, phase: null }),
  resetRun() {
    batchMetrics.reset();
    set({ ...RUN_RESET, history: [], status: 'idle' });
  },
});
