/**
 * The layer graph of a functional tfjs model: topological order, inbound names, the points where
 * one tensor carries everything forward (cut points), and running a segment of layers eagerly.
 */
import type * as tfTypes from '@tensorflow/tfjs';

export type Layer = tfTypes.layers.Layer;
export type LayersModel = tfTypes.LayersModel;

/**
 * Names of the layers feeding `layer` in `model`: through the layer's node that belongs to the model
 * (a layer shared with another model, or re-applied when a model is rebuilt, has several nodes).
 */
export function inboundNames(layer: Layer, model?: LayersModel): string[] {
  const own = (model as unknown as { containerNodes?: Set<string> } | undefined)?.containerNodes;
  const index = own ? layer.inboundNodes.findIndex((_, i) => own.has(`${layer.name}_ib-${i}`)) : 0;
  const node = layer.inboundNodes[index < 0 ? 0 : index];
  if (!node) return [];
  return node.inboundLayers.map((l) => l.name);
}

/** Layers that hold weights that could be trained. */
export function hasWeights(layer: Layer): boolean {
  return layer.weights.length > 0;
}

/**
 * For each layer index i, whether its output alone carries everything that later layers need:
 * no layer after i reads from a layer before i.
 */
export function cutPoints(model: LayersModel): boolean[] {
  const layers = model.layers;
  const index = new Map(layers.map((l, i) => [l.name, i]));
  const n = layers.length;
  // minIn[j]: the smallest layer index that layer j reads from.
  const minIn = layers.map((l, j) => {
    const ins = inboundNames(l, model).map((name) => index.get(name) ?? j);
    return ins.length ? Math.min(...ins) : j;
  });
  const ok = new Array<boolean>(n).fill(false);
  let suffixMin = Number.POSITIVE_INFINITY;
  for (let i = n - 1; i >= 0; i--) {
    ok[i] = suffixMin >= i;
    suffixMin = Math.min(suffixMin, minIn[i] ?? i);
  }
  return ok;
}

/**
 * The deepest cut point at or before which nothing trains: everything up to it can be computed
 * once and cached. Returns -1 when the first layer itself trains (nothing to cache). Index 0 is the input.
 */
export function frozenPrefixEnd(model: LayersModel, trains: (layer: Layer) => boolean): number {
  const cuts = cutPoints(model);
  let best = 0;
  for (let i = 0; i < model.layers.length; i++) {
    const layer = model.layers[i] as Layer;
    if (trains(layer)) break;
    if (cuts[i]) best = i;
  }
  return best;
}

const TRAINING_ONLY = new Set(['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);

/** Layers that act differently while training (dropout, noise): they cannot be cached. */
export function actsInTraining(layer: Layer): boolean {
  return TRAINING_ONLY.has(layer.getClassName());
}

export interface SegmentOptions {
  /** Training mode for dropout and for batch norm layers that train. */
  training: boolean;
}

/**
 * Runs layers (from, to] of the model eagerly on `input`, the output of layer `from`.
 * Batch norm layers that are frozen always run in inference mode; dropout follows `training`.
 * Call inside tf.tidy or a gradient function.
 */
export function runSegment(model: LayersModel, from: number, to: number, input: tfTypes.Tensor, opts: SegmentOptions): tfTypes.Tensor {
  const values = new Map<string, tfTypes.Tensor>();
  const first = model.layers[from] as Layer;
  values.set(first.name, input);
  let out = input;
  for (let j = from + 1; j <= to; j++) {
    const layer = model.layers[j] as Layer;
    const ins = inboundNames(layer, model).map((name) => {
      const v = values.get(name);
      if (!v) throw new Error(`layer ${layer.name} reads ${name}, which is outside the segment`);
      return v;
    });
    const training = opts.training && (actsInTraining(layer) || (layer.getClassName() === 'BatchNormalization' && layer.trainable));
    out = layer.apply(ins.length === 1 ? (ins[0] as tfTypes.Tensor) : ins, { training }) as tfTypes.Tensor;
    values.set(layer.name, out);
  }
  return out;
}

/**
 * The frozen part of a model with branches (a U-Net's skip connections): every layer that neither
 * trains, nor acts differently in training, nor reads from one that does. Its *frontier* is the
 * frozen layers some trainable part reads: their outputs, computed once and cached, carry everything
 * the rest of the model needs. For a chain (a classifier) the frontier is the one cut point
 * `frozenPrefixEnd` finds; for a U-Net whose encoder is frozen it is the skips and the bottleneck.
 * `frontier` is in model order; it is empty when nothing trains, and just the input when the first
 * layer trains (nothing to cache).
 */
export function frozenFrontier(model: LayersModel, trains: (layer: Layer) => boolean): { frozen: Set<string>; frontier: string[] } {
  const frozen = new Set<string>();
  for (const layer of model.layers) {
    const ins = inboundNames(layer, model);
    if (!trains(layer) && !actsInTraining(layer) && ins.every((name) => frozen.has(name))) frozen.add(layer.name);
  }
  const read = new Set<string>();
  for (const layer of model.layers) {
    if (frozen.has(layer.name)) continue;
    for (const name of inboundNames(layer, model)) if (frozen.has(name)) read.add(name);
  }
  return { frozen, frontier: model.layers.filter((l) => read.has(l.name)).map((l) => l.name) };
}

/**
 * Runs every layer of the model not in `skip` eagerly, in model order, from `known` (layer name →
 * that layer's output, e.g. the cached frontier; the input layer's name for a whole forward pass).
 * Batch norm layers that are frozen run in inference mode; dropout follows `training`. Returns the
 * model's output. Call inside tf.tidy or a gradient function.
 */
export function runFrom(
  model: LayersModel,
  known: ReadonlyMap<string, tfTypes.Tensor>,
  opts: SegmentOptions & { skip?: ReadonlySet<string> },
): tfTypes.Tensor {
  const values = new Map(known);
  for (const layer of model.layers) {
    if (values.has(layer.name) || opts.skip?.has(layer.name)) continue;
    const ins = inboundNames(layer, model).map((name) => {
      const v = values.get(name);
      if (!v) throw new Error(`layer ${layer.name} reads ${name}, which was neither given nor computed`);
      return v;
    });
    const training = opts.training && (actsInTraining(layer) || (layer.getClassName() === 'BatchNormalization' && layer.trainable));
    values.set(layer.name, layer.apply(ins.length === 1 ? (ins[0] as tfTypes.Tensor) : ins, { training }) as tfTypes.Tensor);
  }
  const outName = model.outputs[0]?.sourceLayer.name ?? '';
  const out = values.get(outName);
  if (!out) throw new Error(`the model's output ${outName} was not computed`);
  return out;
}
