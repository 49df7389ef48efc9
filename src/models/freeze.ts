/**
 * Freezing presets and block structure over the layer table: plain data in, a set of trainable
 * layer names out. The engine applies the set (`applyFreezing`); nothing else decides what trains.
 */
import type { LayerInfo } from '../engine/types';

export interface Block {
  name: string;
  layers: LayerInfo[];
  /** Parameters that train when the whole block trains. */
  trainableParams: number;
}

/** The model's blocks in order (input and head excluded), each with its layers. */
export function blocksOf(layers: readonly LayerInfo[]): Block[] {
  const blocks: Block[] = [];
  for (const l of layers) {
    if (l.block === 'input' || l.block === 'head') continue;
    let b = blocks[blocks.length - 1];
    if (!b || b.name !== l.block) {
      b = { name: l.block, layers: [], trainableParams: 0 };
      blocks.push(b);
    }
    b.layers.push(l);
    b.trainableParams += l.trainableParams;
  }
  return blocks;
}

export type FreezePreset =
  { kind: 'head-only' } | { kind: 'full' } | { kind: 'top-blocks'; blocks: number } | { kind: 'from-block'; block: string };

/** Whether a block is one of the model's repeated blocks (not the stem or the final conv). */
function isNumberedBlock(name: string): boolean {
  return /^block_\d+$/.test(name);
}

/** What "Top N blocks" counts on a model, or why it cannot count anything there. */
export type TopBlocks =
  | {
      available: true;
      /** The blocks N counts, in model order (whatever follows the first one chosen trains too). */
      counted: Block[];
      /** 'numbered': the model's block_N blocks; 'groups': the layer table's groups that hold weights. */
      by: 'numbered' | 'groups';
    }
  | { available: false; reason: string };

/**
 * The blocks "Top N blocks" counts. A model with `block_N` layer names counts those blocks (the stem
 * and the final conv are not blocks; the final conv trains with the top block). Another model counts
 * the layer table's groups that hold weights, in model order — when they mean something: at least two
 * of them, some with more than one layer, and no group name split over separate places in the model
 * (names like conv2d_1, batch_normalization_1 interleave, so they group nothing). Otherwise the preset
 * is unavailable, with a sentence saying why: it never quietly means "everything".
 */
export function topBlocksOf(layers: readonly LayerInfo[], format: 'layers' | 'graph' = 'layers'): TopBlocks {
  return topBlocksFrom(blocksOf(layers), format);
}

function topBlocksFrom(blocks: Block[], format: 'layers' | 'graph'): TopBlocks {
  if (format === 'graph') {
    return { available: false, reason: 'A graph model is one frozen feature extractor: it has no blocks that can train.' };
  }
  const numbered = blocks.filter((b) => isNumberedBlock(b.name));
  if (numbered.length > 0) return { available: true, counted: numbered, by: 'numbered' };
  const weighted = blocks.filter((b) => b.layers.some((l) => l.hasWeights));
  if (weighted.length < 2) {
    return {
      available: false,
      reason: 'Its layers do not form blocks (at most one group holds weights); pick layers in the table, or use the slider.',
    };
  }
  const seen = new Set<string>();
  const split = blocks.some((b) => {
    const again = seen.has(b.name);
    seen.add(b.name);
    return again;
  });
  if (split || blocks.every((b) => b.layers.length === 1)) {
    return {
      available: false,
      reason:
        'Its layer names do not group into blocks (most layers are a group of their own); pick layers in the table, or use the slider.',
    };
  }
  return { available: true, counted: weighted, by: 'groups' };
}

/**
 * The trainable layers a preset gives. `top-blocks` n: the last n blocks that `topBlocksOf` counts and
 * everything after them (the final conv); nothing when the model has no such blocks; n beyond the
 * count starts at the first counted block (not the stem). `from-block`: that block and every block
 * after it ("trainable from here").
 */
export function presetTrainable(layers: readonly LayerInfo[], preset: FreezePreset): Set<string> {
  const blocks = blocksOf(layers);
  const names = (bs: Block[]) => new Set(bs.flatMap((b) => b.layers.filter((l) => l.hasWeights).map((l) => l.name)));
  switch (preset.kind) {
    case 'head-only':
      return new Set();
    case 'full':
      return names(blocks);
    case 'top-blocks': {
      const top = topBlocksFrom(blocks, 'layers');
      if (!top.available || preset.blocks <= 0) return new Set();
      const first = top.counted[Math.max(0, top.counted.length - preset.blocks)];
      return names(blocks.slice(first ? blocks.indexOf(first) : blocks.length));
    }
    case 'from-block': {
      const start = blocks.findIndex((b) => b.name === preset.block);
      return start < 0 ? new Set() : names(blocks.slice(start));
    }
  }
}

/** Bytes of memory one training step needs, roughly: weights, gradients and optimizer slots, activations. */
export function estimateStepMemory(
  layers: readonly LayerInfo[],
  trainable: ReadonlySet<string>,
  batchSize: number,
  imageSize: number,
  numClasses: number,
): { bytes: number; weights: number; activations: number } {
  const native = (layers[0]?.outputShape[1] as number | null) ?? imageSize;
  const scale = (imageSize / native) ** 2;
  const total = layers.reduce((s, l) => s + l.params, 0);
  const featureDim = (layers[layers.length - 1]?.outputShape.at(-1) as number | null) ?? 0;
  const trainParams =
    layers.filter((l) => trainable.has(l.name)).reduce((s, l) => s + l.trainableParams, 0) + (featureDim + 1) * numClasses;
  // Weights once; trainable ones also need a gradient and two Adam slots.
  const weights = 4 * (total + 3 * trainParams);
  const first = layers.findIndex((l) => trainable.has(l.name));
  const act = (ls: readonly LayerInfo[]) =>
    ls.reduce((s, l) => s + l.outputShape.slice(1).reduce((a: number, b) => a * (b ?? 1), 1), 0) * scale;
  // Layers from the first trainable one keep activations and their gradients for the backward pass;
  // the frozen prefix runs in inference, so only its largest activation pair is alive at once.
  const trainedActs = first >= 0 ? act(layers.slice(first)) * 2 : featureDim * 2;
  const prefixPeak = Math.max(0, ...layers.map((l) => act([l]))) * 2;
  const activations = 4 * batchSize * (trainedActs + prefixPeak);
  return { bytes: weights + activations, weights, activations };
}
