/**
 * Freezing is data: a set of trainable layer names applied by one function.
 * A new head (global average pooling → dropout → dense softmax) is composed on the backbone's output.
 */
import type * as tfTypes from '@tensorflow/tfjs';

type Tf = typeof tfTypes;

export const HEAD_LAYERS = ['head_pool', 'head_dropout', 'head_dense'] as const;

export interface HeadOptions {
  numClasses: number;
  dropout: number;
  seed: number;
}

/** backbone → head_pool → head_dropout → head_dense(softmax): one functional model sharing the backbone's layers. */
export function composeClassifier(tf: Tf, backbone: tfTypes.LayersModel, opts: HeadOptions): tfTypes.LayersModel {
  const features = backbone.outputs[0];
  if (!features) throw new Error('the backbone has no output');
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
      kernelInitializer: tf.initializers.glorotUniform({ seed: opts.seed }),
      name: 'head_dense',
    })
    .apply(x) as tfTypes.SymbolicTensor;
  return tf.model({ inputs: backbone.inputs, outputs: out, name: 'finetuned' });
}

/** Applies a freezing policy: head layers always train; backbone layers train when named in `trainable`. */
export function applyFreezing(model: tfTypes.LayersModel, trainable: ReadonlySet<string>): void {
  for (const layer of model.layers) {
    layer.trainable = (HEAD_LAYERS as readonly string[]).includes(layer.name) || trainable.has(layer.name);
  }
}
