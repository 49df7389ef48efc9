/**
 * Teachable Machine-shaped models for import tests: Sequential[ a truncated feature model (a
 * functional Model, ending in global average pooling), Sequential[Dense 100 relu, Dense K softmax
 * without bias] ], saved the way TM saves them (one model.json + weights.bin + metadata.json).
 */
import * as tf from '@tensorflow/tfjs';
import { readModelFiles, type ModelArtifactsRaw } from '../models/load';
import { bundledBackboneAt } from './bundled';
import { saveFiles } from './model-files';

const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });

/** TM's head: Sequential[Dense `hidden` relu, Dense `labels` softmax, no bias], TM's layer names. */
export function teachableHead(features: number, labels: number, hidden = 100, seed = 20): tf.Sequential {
  return tf.sequential({
    name: 'sequential_2',
    layers: [
      tf.layers.dense({
        inputShape: [features],
        units: hidden,
        activation: 'relu',
        name: 'dense_Dense1',
        kernelInitializer: glorot(seed),
        biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: seed + 1 }),
      }),
      tf.layers.dense({ units: labels, activation: 'softmax', useBias: false, name: 'dense_Dense2', kernelInitializer: glorot(seed + 2) }),
    ],
  });
}

/** Moving statistics that are not 0/1, so a batch norm run in the wrong mode shows. */
function randomiseBatchNorms(model: tf.LayersModel, seed: number): void {
  model.layers.forEach((l, i) => {
    if (l.getClassName() !== 'BatchNormalization') return;
    const values = l.getWeights().map((w, k) =>
      tf.tidy(() => {
        const u = tf.randomUniform(w.shape, 0, 1, 'float32', seed + 10 * i + k);
        return k === 3 ? u.add(0.5) : k === 0 ? u.add(0.5) : u.sub(0.5); // variance and gamma > 0
      }),
    );
    l.setWeights(values);
    tf.dispose(values);
  });
}

/**
 * A small truncated "MobileNet" as a functional model named `model_1`: two 3×3 convolutions with
 * batch norm and ReLU6, a residual Add around the second one, a 1×1 projection, then pooling.
 * Inner names: conv_stem, conv_stem_bn, conv_stem_relu, block_1_expand, block_1_expand_bn,
 * block_1_relu, block_1_add, block_2_project, block_2_project_relu, global_average_pooling2d_1.
 */
export function tinyTruncatedNet(size: number, seed = 5): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 3], name: 'input_1' });
  const conv = (name: string, filters: number, kernel: number, strides = 1, s = 0) =>
    tf.layers.conv2d({ filters, kernelSize: kernel, strides, padding: 'same', useBias: false, name, kernelInitializer: glorot(seed + s) });
  let x = conv('conv_stem', 6, 3, 2, 1).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'conv_stem_bn' }).apply(x) as tf.SymbolicTensor;
  const stem = tf.layers.reLU({ maxValue: 6, name: 'conv_stem_relu' }).apply(x) as tf.SymbolicTensor;
  let y = conv('block_1_expand', 6, 3, 1, 2).apply(stem) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization({ name: 'block_1_expand_bn' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.reLU({ maxValue: 6, name: 'block_1_relu' }).apply(y) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'block_1_add' }).apply([stem, y]) as tf.SymbolicTensor;
  let z = conv('block_2_project', 8, 1, 2, 3).apply(sum) as tf.SymbolicTensor;
  z = tf.layers.reLU({ maxValue: 6, name: 'block_2_project_relu' }).apply(z) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d_1' }).apply(z) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: pooled, name: 'model_1' });
  randomiseBatchNorms(model, seed);
  return model;
}

/** Sequential[truncated, head]: Teachable Machine's model layout. */
export function teachableModel(truncated: tf.LayersModel, labels: number, hidden = 100): tf.Sequential {
  const features = truncated.outputs[0]?.shape[1];
  if (typeof features !== 'number') throw new Error('the truncated model must end in a feature vector');
  return tf.sequential({ layers: [truncated, teachableHead(features, labels, hidden)] });
}

/** The bundled MobileNetV2 at `size` px, truncated at out_relu + pooling as TM does, with TM's head. */
export async function teachableMobilenetV2(size: number, labels: number): Promise<tf.Sequential> {
  const base = await bundledBackboneAt(size);
  const out = base.outputs[0];
  if (!out) throw new Error('no output');
  const pooled = tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d_1' }).apply(out) as tf.SymbolicTensor;
  const truncated = tf.model({ inputs: base.inputs, outputs: pooled, name: 'sequential_1' });
  return teachableModel(truncated, labels);
}

/** TM's metadata.json for `labels`: the fixture script's, so tests and the e2e zip agree. */
export { teachableMetadata } from '../../scripts/make-fixtures.mjs';

/** Saves `model` as TM does and reads it back as the studio's importer does. */
export async function asImportedFiles(model: tf.LayersModel): Promise<ModelArtifactsRaw> {
  const files = await saveFiles(model, 'weights.bin');
  return readModelFiles([
    { name: 'model.json', blob: new Blob([files.json]) },
    { name: 'weights.bin', blob: new Blob([files.bin as BlobPart]) },
  ]);
}

/** Every leaf layer of `model` (opening nested models), by name, with its weights' values. */
export async function leafWeights(model: tf.LayersModel): Promise<Map<string, Float32Array[]>> {
  const out = new Map<string, Float32Array[]>();
  const visit = async (m: tf.LayersModel) => {
    for (const l of m.layers) {
      if (Array.isArray((l as unknown as { layers?: unknown }).layers)) await visit(l as unknown as tf.LayersModel);
      else if (l.weights.length) out.set(l.name, await Promise.all(l.getWeights().map(async (w) => (await w.data()) as Float32Array)));
    }
  };
  await visit(model);
  return out;
}
