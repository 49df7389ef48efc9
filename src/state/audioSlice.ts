import type { StateCreator } from 'zustand';
import type { AudioSlice, AudioState, StudioState } from './types';

/** What an audio run leaves on screen after it: cleared when a new run starts. */
export const AUDIO_RESULTS_RESET = {
  evaluation: null,
  evalState: 'idle',
  evalError: null,
  prediction: null,
  predicting: false,
  predictError: null,
  exporting: false,
  exportError: null,
} as const satisfies Partial<AudioState>;

const initialAudio = (): AudioState => ({
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
