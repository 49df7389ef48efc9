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

/**
 * The trainable layers a preset gives. `top-blocks` n: the last n numbered blocks and everything
 * after them (the final conv). `from-block`: that block and every block after it ("trainable from here").
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
      const numbered = blocks.map((b, i) => (isNumberedBlock(b.name) ? i : -1)).filter((i) => i >= 0);
      const start = numbered.length >= preset.blocks ? (numbered[numbered.length - preset.blocks] ?? 0) : 0;
      return preset.blocks <= 0 ? new Set() : names(blocks.slice(start));
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
