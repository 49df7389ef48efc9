/**
 * Removes an imported model's own classifier so the studio can compose its head on the features.
 * A model "ends in a classifier" when a softmax (or sigmoid) sits after its last spatial feature map.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { isContainer } from './flatten';
import { outputShapeOf } from './inspect';

type Tf = typeof tfTypes;
type Layer = tfTypes.layers.Layer;

export interface CutResult {
  model: tfTypes.LayersModel;
  /** The layer whose output is the new backbone's output; null when nothing was cut. */
  cutAt: string | null;
  /** Layers removed, in model order. */
  removed: string[];
  removedParams: number;
  /** A sentence for the user about what was cut, or null. */
  note: string | null;
  /** The studio's own dense head (`head_dense`) when the model was exported by the studio: kept to continue training. */
  head: { kernel: tfTypes.Tensor; bias: tfTypes.Tensor } | null;
}

/** Layers that make up a classifier stack on top of the features. */
const HEAD_STACK = new Set([
  'Dense',
  'Flatten',
  'Reshape',
  'Dropout',
  'SpatialDropout2D',
  'GaussianDropout',
  'AlphaDropout',
  'GaussianNoise',
  'Activation',
  'Softmax',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'GlobalAveragePooling1D',
  'GlobalMaxPooling1D',
  'BatchNormalization',
]);

function activationOf(layer: Layer): string | null {
  const cfg = layer.getConfig() as { activation?: unknown };
  return typeof cfg.activation === 'string' ? cfg.activation : null;
}

function isClassifierOutput(layer: Layer): boolean {
  const cls = layer.getClassName();
  if (cls === 'Softmax') return true;
  const act = activationOf(layer);
  return act === 'softmax' || act === 'sigmoid';
}

/** A 4-D output whose spatial size is not 1×1 (null = any size): a feature map. */
function isFeatureMap(shape: (number | null)[]): boolean {
  if (shape.length !== 4) return false;
  const [, h, w] = shape;
  return h !== 1 || w !== 1;
}

function paramsOf(layer: Layer): number {
  return layer.weights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

/** The layer to cut at, or -1 when the model does not end in a classifier (or cannot be cut). */
export function classifierCutIndex(model: tfTypes.LayersModel): number {
  const layers = model.layers;
  if (model.outputs.length !== 1 || layers.length < 2) return -1;
  // The tail after the last feature map must hold the classifier's softmax/sigmoid.
  let lastMap = -1;
  for (let i = layers.length - 1; i > 0; i--) {
    if (isFeatureMap(outputShapeOf(layers[i] as Layer))) {
      lastMap = i;
      break;
    }
  }
  const tailStart = lastMap >= 0 ? lastMap + 1 : 1;
  const tail = layers.slice(tailStart);
  if (!tail.some(isClassifierOutput)) return -1;
  if (lastMap > 0) return lastMap;
  // No feature map (a dense network): cut below the final stack of head-like layers.
  let i = layers.length - 1;
  while (i > 0 && HEAD_STACK.has((layers[i] as Layer).getClassName())) i--;
  // Keep at least the layer feeding the last Dense.
  return i > 0 ? i : -1;
}

/**
 * A Sequential whose last layer is itself a Sequential head (Teachable Machine's export:
 * [truncated MobileNet, [Dense 100 relu, Dense K softmax]]) is rebuilt flat, sharing the same layer
 * objects, so its classifier can be cut like any other. Returns null for any other model.
 * The fallback for a model that `flattenModel` (./flatten.ts) could not open: its truncated MobileNet
 * stays one layer.
 */
export function flattenNestedHead(tf: Tf, model: tfTypes.LayersModel): tfTypes.LayersModel | null {
  const last = model.layers[model.layers.length - 1];
  if (model.getClassName() !== 'Sequential' || !last || !isContainer(last) || model.inputs.length !== 1) return null;
  const shape = model.inputs[0]?.shape.slice(1);
  if (!shape) return null;
  const input = tf.input({ shape: shape as number[], name: 'input_flat' });
  let x = input as tfTypes.SymbolicTensor;
  for (const l of model.layers.slice(0, -1)) x = l.apply(x) as tfTypes.SymbolicTensor;
  for (const l of last.layers) x = l.apply(x) as tfTypes.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: `${model.name}_flat` });
}

/**
 * A classifier that ends in a softmax Dense on a feature vector (Teachable Machine's head) is cut
 * just before that Dense, and the Dense becomes the studio's head: training continues where it stopped.
 */
function cutBeforeFinalDense(tf: Tf, model: tfTypes.LayersModel): CutResult | null {
  const layers = model.layers;
  const last = layers[layers.length - 1];
  const feeding = layers[layers.length - 2];
  if (!last || !feeding || last.getClassName() !== 'Dense' || activationOf(last) !== 'softmax') return null;
  if (outputShapeOf(feeding).length !== 2 || feeding.getClassName() === 'InputLayer') return null;
  const [kernel, maybeBias] = last.getWeights().map((w) => tf.clone(w));
  if (!kernel) return null;
  const bias = maybeBias ?? tf.zeros([kernel.shape[1] ?? 0]);
  // The node of `last` in this model is its newest (a flattened model re-applies shared layers).
  const node = last.inboundNodes[last.inboundNodes.length - 1];
  const features = node?.inputTensors[0];
  if (!features) return null;
  const cut = tf.model({ inputs: model.inputs, outputs: features, name: `${model.name}_features` });
  const removedParams = paramsOf(last);
  last.dispose();
  return {
    model: cut,
    cutAt: feeding.name,
    removed: [last.name],
    removedParams,
    head: { kernel, bias },
    note: `Its final layer ${last.name} (${removedParams.toLocaleString('en')} parameters) becomes the studio's head; the features of ${feeding.name} [${outputShapeOf(feeding).slice(1).join('×')}] feed it.`,
  };
}

/**
 * Cuts a Teachable Machine-style model before its final Dense, keeping that Dense as the head.
 * The model is normally flat already (load.ts opens nested models first).
 */
export function cutTeachable(tf: Tf, model: tfTypes.LayersModel): CutResult | null {
  const flat = flattenNestedHead(tf, model) ?? model;
  return cutBeforeFinalDense(tf, flat);
}

/**
 * Cuts `model` at its last feature map when it ends in a classifier. The removed layers' weights are
 * disposed; the returned model shares the kept layers (dispose it, not the original).
 */
export function cutClassifier(tf: Tf, model: tfTypes.LayersModel): CutResult {
  const at = classifierCutIndex(model);
  if (at < 0) return { model, cutAt: null, removed: [], removedParams: 0, note: null, head: null };
  const cutLayer = model.layers[at] as Layer;
  const removedLayers = model.layers.slice(at + 1);
  const output = cutLayer.output as tfTypes.SymbolicTensor;
  const cut = tf.model({ inputs: model.inputs, outputs: output, name: `${model.name}_features` });
  const kept = new Set(cut.layers.map((l) => l.name));
  const removed = removedLayers.filter((l) => !kept.has(l.name));
  const removedParams = removed.reduce((s, l) => s + paramsOf(l), 0);
  const dense = removed.find((l) => l.name === 'head_dense');
  const [kernel, bias] = dense ? dense.getWeights().map((w) => tf.clone(w)) : [];
  const head = kernel && bias ? { kernel, bias } : null;
  for (const l of removed) {
    try {
      if (l.weights.length > 0) l.dispose();
    } catch {
      /* already disposed or never used */
    }
  }
  const shape = outputShapeOf(cutLayer)
    .slice(1)
    .map((d) => (d === null ? '?' : String(d)))
    .join('×');
  const names = removed.map((l) => l.name);
  const list = names.length > 4 ? `${names.slice(0, 2).join(', ')} … ${names[names.length - 1] ?? ''}` : names.join(', ');
  return {
    model: cut,
    cutAt: cutLayer.name,
    removed: names,
    removedParams,
    head,
    note:
      `Removed its own classifier: ${names.length} layer${names.length === 1 ? '' : 's'} (${list}; ${removedParams.toLocaleString('en')} parameters). ` +
      `The new head reads the features of ${cutLayer.name} [${shape}].`,
  };
}
