/**
 * The saved projects and the interrupted run: the list, the current project, storage use, and what
 * `train.resume` or a crash notice offers. persistence.ts and projectActions.ts write it; the
 * controller sets the crash notice and the backends to recover on.
 */
import type { StateCreator } from 'zustand';
import type { ProjectSlice, StudioState } from './types';

export const createProjectSlice: StateCreator<StudioState, [], [], ProjectSlice> = () => ({
  ready: false,
  available: true,
  projects: [],
  currentId: null,
  usage: null,
  quota: null,
  resumeRunId: null,
  resumeEpoch: null,
  crashNotice: null,
  recoverBackends: null,
});
