/** The layer table of a real loaded model, grouped into blocks. */
import type * as tfTypes from '@tensorflow/tfjs';
import type { LayerInfo, ModelSummary } from '../engine/types';
import { cutPoints } from '../engine/graph';

/**
 * The block a layer belongs to. MobileNetV2 names: `Conv1…`, `bn_Conv1`, `expanded_conv_*` are the stem,
 * `block_N_*` are blocks, `Conv_1…`/`out_relu` the top. MobileNet v1: `conv1*` the stem, `conv_{dw,pw,pad}_N*`
 * block N. Other models: the text before the first `_`. A layer renamed when its nested model was
 * opened (`model_1/conv1`, see ./flatten.ts) belongs where its own name puts it.
 */
export function blockOf(layerName: string, className: string): string {
  if (className === 'InputLayer') return 'input';
  if (layerName.startsWith('head_')) return 'head';
  const name = layerName.slice(layerName.lastIndexOf('/') + 1);
  const m = /^block_(\d+)_/.exec(name) ?? /^conv_(?:dw|pw|pad)_(\d+)(?:_|$)/.exec(name);
  if (m) return `block_${m[1]}`;
  // MobileNet v1 (tfjs-models): conv1, conv1_bn, conv1_relu are the stem.
  if (/^conv1(_|$)/.test(name)) return 'stem';
  if (/^(Conv1|bn_Conv1|expanded_conv)/.test(name)) return 'stem';
  if (/^(Conv_1|out_relu)/.test(name)) return 'top';
  const cut = name.indexOf('_');
  return cut > 0 ? name.slice(0, cut) : name;
}

function sizeOf(weights: readonly tfTypes.LayerVariable[]): number {
  return weights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

/** Weights a layer trains when it is trainable (its own list, whatever its flag is now). */
function trainableWeightsOf(layer: tfTypes.layers.Layer): tfTypes.LayerVariable[] {
  const own = (layer as unknown as { _trainableWeights?: tfTypes.LayerVariable[] })._trainableWeights;
  return own ?? layer.trainableWeights;
}

export function outputShapeOf(layer: tfTypes.layers.Layer): (number | null)[] {
  const shape = layer.outputShape as unknown;
  if (Array.isArray(shape) && Array.isArray(shape[0])) return shape[0] as (number | null)[];
  return (shape as (number | null)[]) ?? [];
}

export function layerTable(model: tfTypes.LayersModel, isTrainable: (name: string) => boolean): LayerInfo[] {
  const cuts = cutPoints(model);
  return model.layers.map((layer, i) => {
    const className = layer.getClassName();
    const params = sizeOf(layer.weights);
    return {
      name: layer.name,
      className,
      outputShape: outputShapeOf(layer),
      params,
      trainableParams: sizeOf(trainableWeightsOf(layer)),
      trainable: params > 0 && isTrainable(layer.name),
      block: blockOf(layer.name, className),
      hasWeights: params > 0,
      cut: cuts[i] ?? false,
    };
  });
}

export function summarize(id: string, name: string, model: tfTypes.LayersModel, inputRange: [number, number]): ModelSummary {
  const layers = layerTable(model, () => false);
  const inputShape = model.inputs[0]?.shape ?? [];
  return {
    id,
    name,
    inputSize: (inputShape[1] as number | null) ?? 224,
    inputRange,
    layers,
    totalParams: layers.reduce((s, l) => s + l.params, 0),
  };
}

/** Parameters that would train: the chosen backbone layers plus the new dense head. */
export function trainableParamCount(layers: readonly LayerInfo[], trainable: ReadonlySet<string>, numClasses: number): number {
  const last = layers[layers.length - 1];
  const featureDim = (last?.outputShape[last.outputShape.length - 1] as number | null) ?? 0;
  const head = (featureDim + 1) * numClasses;
  return head + layers.filter((l) => trainable.has(l.name)).reduce((s, l) => s + l.trainableParams, 0);
}
