/** Derived values: pure functions of the store's state. */
import { classNames } from '../data';
import { autoInputSize } from '../engine/autosize';
import { GRAPH_TRAIN_MESSAGE, type EpochMetrics } from '../engine/types';
import { estimateStepMemory } from '../models/freeze';
import { trainableParamCount } from '../models/inspect';
import { classificationManifest, dataDrift, settingsDrift, type DataManifest } from '../engine/run-record';
import type { StudioState } from './types';
import { segStartBlocker } from './segSelectors';
import { audioStartBlocker } from './audioSelectors';
import { wasmGradientBlocker } from '../engine/wasm-grads';

/** Class names in the model's output order (natural sort, as src/data sorts them). */
export { classNames };

export interface ClassRow {
  name: string;
  count: number;
  train: number;
  val: number;
}

export function classRows(state: Pick<StudioState, 'images' | 'split'>): ClassRow[] {
  const val = new Set(state.split.val);
  const train = new Set(state.split.train);
  const rows = new Map<string, ClassRow>();
  for (const img of state.images) {
    const row = rows.get(img.label) ?? { name: img.label, count: 0, train: 0, val: 0 };
    row.count += 1;
    if (val.has(img.id)) row.val += 1;
    else if (train.has(img.id)) row.train += 1;
    rows.set(img.label, row);
  }
  const order = classNames(state.images);
  return order.map((name) => rows.get(name)).filter((r): r is ClassRow => r !== undefined);
}

export function trainableParams(
  state: Pick<StudioState, 'summary' | 'trainable' | 'images'> & { settings?: { headLayer: string } },
): number {
  if (!state.summary) return 0;
  const numClasses = Math.max(2, classNames(state.images).length);
  return trainableParamCount(headLayers(state.summary.layers, state.settings?.headLayer), new Set(state.trainable), numClasses);
}

/** The layers a model keeps when its head reads `headLayer`: all of them for the output (and for Auto, before it has chosen). */
export function headLayers<L extends { name: string }>(layers: readonly L[], headLayer: string | undefined): readonly L[] {
  const at = headLayer ? layers.findIndex((l) => l.name === headLayer) : -1;
  return at < 0 ? layers : layers.slice(0, at + 1);
}

/** Why training cannot start now, as a sentence; null when it can. */
export function startBlocker(state: StudioState): string | null {
  if (state.text.task === 'image-segmentation') return segStartBlocker(state);
  if (state.text.task === 'audio-classification') return audioStartBlocker(state);
  if (state.lrFinder.state === 'running') return 'Wait for the learning-rate test to finish.';
  if (state.backendError) return 'The compute backend did not start; see the message at the top.';
  if (state.modelState === 'loading' || state.modelState === 'idle') return 'The model is still loading.';
  if (state.modelState === 'error' || !state.summary) return 'The model did not load; retry loading it in step 2.';
  if (state.ingesting) return 'Images are still being added.';
  const rows = classRows(state);
  if (rows.length < 2) return 'Add images of at least two classes in step 1.';
  const thin = rows.find((r) => r.train === 0 || r.val === 0);
  if (thin) {
    return `Class “${thin.name}” needs at least one image for training and one for validation; add more images of it.`;
  }
  const bad = Object.values(state.fieldErrors).find(Boolean);
  if (bad) return `Fix the settings first: ${bad}`;
  if (graphTrainBlocked(state)) return GRAPH_TRAIN_MESSAGE;
  const head = state.settings.headLayer;
  if (head !== 'auto' && head !== 'output' && !state.summary.layers.some((l) => l.name === head)) {
    return `The head reads ${head}, which ${state.summary.name} does not have: choose Auto or one of its layers under “Head reads”.`;
  }
  const beyond = layersBeyondHead(state);
  if (beyond.length > 0) {
    return `The head reads ${state.settings.headLayer}, but ${beyond.length === 1 ? 'a layer after it is' : `${beyond.length} layers after it are`} set to train (${beyond[0]}${beyond.length > 1 ? ', …' : ''}): they would not be in the model. Freeze them in step 2, or let the head read a later layer.`;
  }
  return null;
}

/** Trainable layers after the layer the head reads (a named one): they are left out of the model. */
export function layersBeyondHead(state: Pick<StudioState, 'summary' | 'trainable' | 'settings'>): string[] {
  const layers = state.summary?.layers ?? [];
  const head = state.settings.headLayer;
  if (state.settings.mode !== 'fine-tune' || head === 'auto' || head === 'output') return [];
  const at = layers.findIndex((l) => l.name === head);
  if (at < 0) return [];
  const on = new Set(state.trainable);
  return layers
    .slice(at + 1)
    .filter((l) => on.has(l.name))
    .map((l) => l.name);
}

/** Whether a graph model (which cannot train) has backbone layers marked trainable. */
export function graphTrainBlocked(state: Pick<StudioState, 'summary' | 'trainable'>): boolean {
  if (state.summary?.format !== 'graph') return false;
  const on = new Set(state.trainable);
  return state.summary.layers.some((l) => l.block !== 'input' && on.has(l.name));
}

export function isBusy(status: StudioState['status']): boolean {
  return status === 'loading' || status === 'running' || status === 'stopping' || status === 'paused';
}

/**
 * Where the current stretch of overfitting began: validation loss rose for 2+ epochs in a row, up to
 * the latest epoch, while training loss fell. Returns the last good epoch (validation loss lowest
 * before the rise) and how many epochs it has risen since; null when the latest epochs do not show it.
 */
export function overfitOnset(history: readonly EpochMetrics[]): { epoch: number; rising: number } | null {
  let rising = 0;
  for (let i = history.length - 1; i > 0; i--) {
    const cur = history[i];
    const prev = history[i - 1];
    if (!cur || !prev || cur.valLoss === null || prev.valLoss === null) break;
    if (!(cur.valLoss > prev.valLoss && cur.loss < prev.loss)) break;
    rising += 1;
  }
  const start = history[history.length - 1 - rising];
  return rising >= 2 && start ? { epoch: start.epoch, rising } : null;
}

/** Whether validation loss has risen two epochs in a row while training loss fell. */
export function overfitting(history: readonly EpochMetrics[]): boolean {
  return overfitOnset(history) !== null;
}

/** The input size "Auto" picks for these images (from their shorter sides). */
export function autoImageSize(images: readonly { width: number; height: number }[]): number {
  return autoInputSize(images.filter((i) => i.width > 0 && i.height > 0).map((i) => Math.min(i.width, i.height)));
}

/** Backbone parameters that stay as pre-trained (batch-norm statistics included). */
export function frozenParams(state: Pick<StudioState, 'summary' | 'trainable'>): number {
  if (!state.summary) return 0;
  const on = new Set(state.trainable);
  return state.summary.layers.reduce((n, l) => n + (on.has(l.name) ? l.params - l.trainableParams : l.params), 0);
}

/** Rough bytes one training step needs at the chosen batch and input size. */
export function stepMemoryBytes(state: Pick<StudioState, 'summary' | 'trainable' | 'images' | 'settings'>): number {
  if (!state.summary) return 0;
  const numClasses = Math.max(2, classNames(state.images).length);
  const { batchSize, imageSize } = state.settings;
  return estimateStepMemory(state.summary.layers, new Set(state.trainable), batchSize, imageSize, numClasses).bytes;
}

export const MEMORY_WARNING_BYTES = 1.5e9;

/** Step memory past which the studio warns before training: GPU backends get less than WASM/CPU. */
export function memoryBudgetBytes(state: Pick<StudioState, 'backend'>): number {
  return state.backend === 'wasm' || state.backend === 'cpu' ? 2e9 : MEMORY_WARNING_BYTES;
}

/** A warning for the Start button when one training step likely needs more memory than the budget. */
export function stepMemoryWarning(state: Pick<StudioState, 'summary' | 'trainable' | 'images' | 'settings' | 'backend'>): string | null {
  const bytes = stepMemoryBytes(state);
  const budget = memoryBudgetBytes(state);
  if (bytes <= budget) return null;
  const mb = (b: number) => `${Math.round(b / 1e6).toLocaleString('en')} MB`;
  return `One training step needs about ${mb(bytes)}, more than the ${mb(budget)} a browser tab can count on. Lower the batch size or input size, or train fewer layers; if memory runs out, the studio halves the batch size and carries on.`;
}

/**
 * On WASM, the first depthwise convolution that training would have to pass through (at or above the
 * lowest trainable layer with weights), by name; null when nothing blocks training. The engines refuse
 * the same case (one rule: `wasmGradientBlocker`).
 */
export function wasmConvBlocker(state: Pick<StudioState, 'summary' | 'trainable' | 'backend'>): string | null {
  if (state.backend !== 'wasm' || !state.summary) return null;
  const on = new Set(state.trainable);
  return wasmGradientBlocker(
    state.summary.layers.map((l) => ({ name: l.name, className: l.className, trains: on.has(l.name) && l.hasWeights })),
  );
}

/** Training batches per epoch for the current split and batch size (at least 1). */
export function stepsPerEpoch(state: Pick<StudioState, 'split' | 'settings'>): number {
  return Math.max(1, Math.floor(state.split.train.length / Math.max(1, state.settings.batchSize)));
}

/** The data manifest the current split would give a run now (the worker writes the same for what it receives). */
export function currentDataManifest(state: Pick<StudioState, 'images' | 'split' | 'settings'>): DataManifest {
  const labels = classNames(state.images);
  const byId = new Map(state.images.map((i) => [i.id, i]));
  const items = (ids: readonly string[]) =>
    ids.flatMap((id) => {
      const img = byId.get(id);
      return img ? [{ key: img.hash, label: labels.indexOf(img.label) }] : [];
    });
  return classificationManifest(labels, items(state.split.train), items(state.split.val), state.settings.validationSplit);
}

/**
 * What changed since the last run trained, as short phrases ("epochs 3 → 5", "class added: big"):
 * the export still describes the trained model, and the screen says so. Empty when nothing changed.
 */
export function runDrift(
  state: Pick<StudioState, 'runRecord' | 'images' | 'split' | 'settings'>,
  data: DataManifest = currentDataManifest(state),
): string[] {
  const r = state.runRecord;
  if (!r) return [];
  // A layer Auto chose is what "Auto" on screen still asks for.
  const used = r.task === 'image-classification' && r.auto ? { ...r.settings, headLayer: 'auto' } : r.settings;
  return [...settingsDrift(used, state.settings), ...dataDrift(r.data, data)];
}
