/**
 * Tiny TF.js model files (model.json text + one weights .bin) for import tests in Node and for
 * Playwright routes: a Layers classifier shaped like tfjs-models' MobileNet v1, and a graph model.
 */
import * as tf from '@tensorflow/tfjs';

export interface ModelFiles {
  json: string;
  bin: Uint8Array;
  /** The weight file name model.json lists. */
  binName: string;
}

/**
 * A small functional classifier with MobileNet v1's tail names: conv1 → conv_dw_1/conv_pw_1 →
 * conv_pw_13_relu → global pooling → reshape → dropout → conv_preds → act_softmax → reshape_2.
 */
export async function tinyMobilenetV1Files(size = 32, classes = 10, binName = 'group1-shard1of1', seed = 3): Promise<ModelFiles> {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: seed + s });
  const input = tf.input({ shape: [size, size, 3], name: 'input_1' });
  let x = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'conv1', kernelInitializer: init(1) })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'conv1_bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'conv1_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, name: 'conv_dw_1', depthwiseInitializer: init(2) })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'conv_dw_1_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ filters: 8, kernelSize: 1, useBias: false, name: 'conv_pw_1', kernelInitializer: init(3) })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'conv_pw_1_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ filters: 16, kernelSize: 1, strides: 2, useBias: false, name: 'conv_pw_13', kernelInitializer: init(4) })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'conv_pw_13_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d_1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: [1, 1, 16], name: 'reshape_1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: 0.001, name: 'dropout' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: classes, kernelSize: 1, name: 'conv_preds', kernelInitializer: init(5) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'softmax', name: 'act_softmax' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: [classes], name: 'reshape_2' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: x, name: 'tiny_mobilenet_v1' });
  const files = await saveFiles(model, binName);
  model.dispose();
  return files;
}

/** Saves a Layers model as model.json text + one .bin, the way tensorflowjs_converter lays them out. */
export async function saveFiles(model: tf.LayersModel, binName = 'weights.bin'): Promise<ModelFiles> {
  let out: ModelFiles | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const data =
        a.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(a.weightData as ArrayBuffer | ArrayBuffer[]);
      const json = {
        format: 'layers-model',
        generatedBy: 'finetune-studio tests',
        convertedBy: null,
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: [binName], weights: a.weightSpecs ?? [] }],
      };
      out = { json: JSON.stringify(json), bin: new Uint8Array(data), binName };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!out) throw new Error('save handler was not called');
  return out;
}

/** A hand-written TF.js graph model: x[-1, size, size, 3] → Conv2D(3×3, 4 filters, SAME) → Relu. */
export function tinyGraphModelFiles(size = 16, binName = 'graph.bin'): ModelFiles {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const dim = (ns: number[]) => ({ dim: ns.map((n) => ({ size: String(n) })) });
  const kernel = new Float32Array(3 * 3 * 3 * 4).map((_, i) => Math.sin(i) * 0.2);
  const json = {
    format: 'graph-model',
    generatedBy: 'finetune-studio tests',
    convertedBy: 'hand-written',
    modelTopology: {
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dim([-1, size, size, 3]) } } },
        {
          name: 'kernel',
          op: 'Const',
          attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dim([3, 3, 3, 4]) } } },
        },
        {
          name: 'conv',
          op: 'Conv2D',
          input: ['x', 'kernel'],
          attr: {
            T: { type: 'DT_FLOAT' },
            strides: { list: { i: ['1', '1', '1', '1'] } },
            padding: { s: b64('SAME') },
            data_format: { s: b64('NHWC') },
            dilations: { list: { i: ['1', '1', '1', '1'] } },
          },
        },
        { name: 'features', op: 'Relu', input: ['conv'], attr: { T: { type: 'DT_FLOAT' } } },
      ],
      library: {},
      versions: {},
    },
    weightsManifest: [{ paths: [binName], weights: [{ name: 'kernel', shape: [3, 3, 3, 4], dtype: 'float32' }] }],
  };
  return { json: JSON.stringify(json), bin: new Uint8Array(kernel.buffer), binName };
}
