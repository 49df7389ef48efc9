import type { StateCreator } from 'zustand';
import { DEFAULT_SETTINGS } from '../engine/types';
import { topBlocksOf } from '../models/freeze';
import { autoImageSize } from './selectors';
import type { SettingsSlice, StudioState } from './types';

export const createSettingsSlice: StateCreator<StudioState, [], [], SettingsSlice> = (set, get) => ({
  settings: { ...DEFAULT_SETTINGS, imageSize: autoImageSize([]) },
  imageSizeAuto: true,
  fieldErrors: {},
  updateSettings(patch) {
    const before = get().settings;
    set({ settings: { ...before, ...patch } });
    if (
      (patch.seed !== undefined && patch.seed !== before.seed) ||
      (patch.validationSplit !== undefined && patch.validationSplit !== before.validationSplit)
    ) {
      get().refreshDerived();
    }
  },
  updateGroup(group, patch) {
    set((s) => ({ settings: { ...s.settings, [group]: { ...s.settings[group], ...patch } } }));
  },
  setImageSize(size) {
    if (size === 'auto') {
      set((s) => ({ imageSizeAuto: true, settings: { ...s.settings, imageSize: autoImageSize(s.images) } }));
    } else {
      set((s) => ({ imageSizeAuto: false, settings: { ...s.settings, imageSize: size } }));
    }
  },
  setFieldError(field, message) {
    set((s) => {
      const fieldErrors = { ...s.fieldErrors };
      if (message) fieldErrors[field] = message;
      else delete fieldErrors[field];
      return { fieldErrors };
    });
  },
  setMode(mode) {
    if (mode === 'head-only') get().applyPreset('head-only');
    else if (get().trainable.length === 0) {
      // The top blocks when the model has blocks; a model whose layers form no blocks trains all of them.
      const summary = get().summary;
      const blocks = summary ? topBlocksOf(summary.layers, summary.format) : null;
      get().applyPreset(blocks && !blocks.available && summary?.format !== 'graph' ? 'full' : 'top-blocks');
    }
  },
});
