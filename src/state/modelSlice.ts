import type { StateCreator } from 'zustand';
import type { LayerInfo } from '../engine/types';
import { blocksOf, presetTrainable, type FreezePreset } from '../models/freeze';
import type { ModelSlice, StudioState } from './types';

/**
 * Whole blocks a preset chose also get their weightless layers (activations, padding, adds), so the
 * table reads as "this block trains" rather than a checkerboard. They have nothing to train either way.
 */
export function withPassiveLayers(layers: readonly LayerInfo[], chosen: ReadonlySet<string>): Set<string> {
  const out = new Set(chosen);
  for (const b of blocksOf(layers)) {
    const weighted = b.layers.filter((l) => l.hasWeights);
    if (weighted.length > 0 && weighted.every((l) => chosen.has(l.name))) for (const l of b.layers) out.add(l.name);
  }
  return out;
}

const PRESETS: Record<FreezePreset['kind'], FreezePreset> = {
  'head-only': { kind: 'head-only' },
  full: { kind: 'full' },
  'top-blocks': { kind: 'top-blocks', blocks: 2 },
  'from-block': { kind: 'from-block', block: 'top' },
};

export const createModelSlice: StateCreator<StudioState, [], [], ModelSlice> = (set, get) => {
  const ordered = (names: Iterable<string>): string[] => {
    const want = new Set(names);
    const layers = get().summary?.layers ?? [];
    return layers.filter((l) => want.has(l.name)).map((l) => l.name);
  };
  return {
    modelId: 'mobilenet-v2',
    summary: null,
    modelState: 'idle',
    modelError: null,
    trainable: [],
    pendingModelId: null,
    download: null,
    importError: null,
    cachedModels: [],
    setModelSwitch: (patch) => set(patch),
    setCachedModels: (cachedModels) => set({ cachedModels }),
    selectModel: (modelId) => set({ modelId }),
    setModelLoading: () => set({ modelState: 'loading', modelError: null }),
    setModelLoaded(summary) {
      const keep = get().trainable;
      set({ summary, modelState: 'loaded', modelError: null });
      get().setTrainable(keep);
    },
    setModelError: (modelError) => set({ modelState: 'error', modelError }),
    setTrainable(names) {
      const trainable = ordered(names);
      set((s) => ({
        trainable,
        settings: {
          ...s.settings,
          mode: trainable.length === 0 ? 'head-only' : 'fine-tune',
          trainableLayers: trainable,
        },
      }));
    },
    toggleLayer(name, on) {
      const set2 = new Set(get().trainable);
      if (on) set2.add(name);
      else set2.delete(name);
      get().setTrainable(set2);
    },
    toggleBlock(block, on) {
      const set2 = new Set(get().trainable);
      for (const l of get().summary?.layers ?? []) {
        if (l.block !== block) continue;
        if (on) set2.add(l.name);
        else set2.delete(l.name);
      }
      get().setTrainable(set2);
    },
    applyPreset(preset) {
      const layers = get().summary?.layers ?? [];
      const p = typeof preset === 'string' ? PRESETS[preset] : preset;
      get().setTrainable(withPassiveLayers(layers, presetTrainable(layers, p)));
    },
  };
};
