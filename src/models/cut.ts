/**
 * Removes an imported model's own classifier so the studio can compose its head on the features.
 * A model "ends in a classifier" when a softmax (or sigmoid) sits after its last spatial feature map.
 */
import type * as tfTypes from '@tensorflow/tfjs';
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
