/**
 * Freezing is data: a set of trainable layer names applied by one function.
 * A new head (global average pooling → dropout → dense softmax) is composed on the backbone's output.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { headInput } from '../engine/head-layer';

type Tf = typeof tfTypes;

export const HEAD_LAYERS = ['head_pool', 'head_dropout', 'head_dense'] as const;

export interface HeadOptions {
  numClasses: number;
  dropout: number;
  seed: number;
  /**
   * `'zeros'` when only the head trains: every class starts equal, with no random logits to unlearn
   * (BiT, Kolesnikov et al. 2020). Seeded Glorot otherwise: a zero head passes no gradient to the
   * backbone on the first step.
   */
  init?: 'zeros' | 'glorot';
  /** The backbone layer the head reads (`'output'` or absent: the backbone's output); later layers are left out. */
  layer?: string;
}

/** backbone (up to `opts.layer`) → head_pool → head_dropout → head_dense(softmax): one functional model sharing the backbone's layers. */
export function composeClassifier(tf: Tf, backbone: tfTypes.LayersModel, opts: HeadOptions): tfTypes.LayersModel {
  const features = headInput(backbone, opts.layer ?? 'output');
  let x: tfTypes.SymbolicTensor = features;
  if (features.shape.length === 4) {
    x = tf.layers.globalAveragePooling2d({ name: 'head_pool' }).apply(x) as tfTypes.SymbolicTensor;
  } else {
    x = tf.layers.activation({ activation: 'linear', name: 'head_pool' }).apply(x) as tfTypes.SymbolicTensor;
  }
  x = tf.layers.dropout({ rate: opts.dropout, seed: opts.seed, name: 'head_dropout' }).apply(x) as tfTypes.SymbolicTensor;
  const out = tf.layers
    .dense({
      units: opts.numClasses,
      activation: 'softmax',
      kernelInitializer: opts.init === 'zeros' ? 'zeros' : tf.initializers.glorotUniform({ seed: opts.seed }),
      name: 'head_dense',
    })
    .apply(x) as tfTypes.SymbolicTensor;
  return tf.model({ inputs: backbone.inputs, outputs: out, name: 'finetuned' });
}

/** The head's initialiser for a run: zeros when no backbone layer trains (see HeadOptions.init). */
export function headInit(settings: { mode: string; trainableLayers: readonly string[] }): 'zeros' | 'glorot' {
  return settings.mode === 'fine-tune' && settings.trainableLayers.length > 0 ? 'glorot' : 'zeros';
}

/** Applies a freezing policy: head layers always train; backbone layers train when named in `trainable`. */
export function applyFreezing(model: tfTypes.LayersModel, trainable: ReadonlySet<string>): void {
  for (const layer of model.layers) {
    layer.trainable = (HEAD_LAYERS as readonly string[]).includes(layer.name) || trainable.has(layer.name);
  }
}
