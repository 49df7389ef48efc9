/** Derived values of the segmentation task: its seeded split and why a run cannot start. Pure. */
import { splitDataset } from '../data/split';
import { decoderParamCount, planSkips, SEG_SIZES } from '../tasks/image-segmentation/model';
import type { StudioState } from './types';

/**
 * The seeded split of the pairs, as pair ids: one group (a mask has no single label), decided by the
 * pairs' names (unique in a dataset) and the seed alone, so the same set splits the same way in any
 * session, whenever and in whatever drops it was added.
 */
export function segSplitOf(
  pairs: readonly { id: string; name: string }[],
  validationSplit: number,
  seed: number,
): { train: string[]; val: string[] } {
  const idOf = new Map(pairs.map((p) => [p.name, p.id]));
  const split = splitDataset(
    pairs.map((p) => ({ id: p.name, label: '' })),
    validationSplit,
    seed,
  );
  const ids = (names: string[]) => names.map((n) => idOf.get(n) ?? n);
  return { train: ids(split.train), val: ids(split.val) };
}

/** The current split of the pairs, by the settings' fraction and seed. */
export function currentSegSplit(s: Pick<StudioState, 'seg' | 'settings'>): { train: string[]; val: string[] } {
  return segSplitOf(s.seg.pairs, s.settings.validationSplit, s.settings.seed);
}

/** Why a segmentation run cannot start now, as a sentence; null when it can. */
export function segStartBlocker(s: StudioState): string | null {
  if (s.backendError) return 'The compute backend did not start; see the message at the top.';
  if (s.modelState === 'loading' || s.modelState === 'idle') return 'The model is still loading.';
  if (s.modelState === 'error' || !s.summary) return 'The model did not load; retry loading it in step 2.';
  if (s.summary.format === 'graph') {
    return `${s.summary.name} is a graph model; a segmentation decoder needs a Layers model (choose the bundled MobileNetV2 in step 2).`;
  }
  if (s.seg.busy) return 'Images and masks are still being read.';
  if (s.seg.pairs.length < 2) return 'Add at least two image–mask pairs in step 1 (one to train on, one to check the model on).';
  if (s.seg.classNames.length < 2)
    return 'The masks name only one class: a segmentation model needs the background and at least one kind of object.';
  const { train, val } = currentSegSplit(s);
  if (train.length === 0 || val.length === 0)
    return 'The validation split leaves no pair for training or none for validation; change the validation split.';
  if (!(SEG_SIZES as readonly number[]).includes(s.settings.imageSize)) {
    return `Segmentation takes input sizes that are multiples of 32 from 128 to 256 (${SEG_SIZES.join(', ')}); choose one of them.`;
  }
  const bad = Object.values(s.fieldErrors).find(Boolean);
  if (bad) return `Fix the settings first: ${bad}`;
  return null;
}

/**
 * Parameters a segmentation run would train now: the chosen encoder layers plus the decoder, sized
 * from the loaded backbone's layer table (its skips and bottleneck) and the classes; the encoder's
 * alone when the backbone cannot carry a decoder.
 */
export function segTrainableParams(s: Pick<StudioState, 'summary' | 'trainable' | 'seg'>): number {
  const layers = s.summary?.layers ?? [];
  const on = new Set(s.trainable);
  const encoder = layers.filter((l) => on.has(l.name)).reduce((n, l) => n + l.trainableParams, 0);
  const bottom = layers[layers.length - 1]?.outputShape.at(-1);
  if (!s.summary || typeof bottom !== 'number') return encoder;
  try {
    return encoder + decoderParamCount(planSkips(layers, s.summary.inputSize), bottom, Math.max(2, s.seg.classNames.length));
  } catch {
    return encoder;
  }
}
