import type { StateCreator } from 'zustand';
import type { AudioSlice, AudioState, StudioState } from './types';
import { TASK_RESULTS_RESET } from './taskResults';

/** What an audio run leaves on screen after it: cleared when a new run starts. */
export const AUDIO_RESULTS_RESET = TASK_RESULTS_RESET satisfies Partial<AudioState>;

/** The audio state of a project with none: no clips, no speaker key, no results. */
export const initialAudio = (): AudioState => ({
  clips: [],
  classNames: [],
  groupKey: { kind: 'none' },
  warnings: [],
  sources: [],
  busy: false,
  error: null,
  ...AUDIO_RESULTS_RESET,
});

export const createAudioSlice: StateCreator<StudioState, [], [], AudioSlice> = (set) => ({
  audio: initialAudio(),
  setAudio: (patch) => set((s) => ({ audio: { ...s.audio, ...patch } })),
});
