#!/usr/bin/env node
// Writes the studio's from-scratch baseline: a small convolutional network with freshly initialised
// (seeded) weights and no pre-training, as a TF.js Layers model. It stands beside the pre-trained
// MobileNetV2 in the catalog so a person can measure what pre-training buys on their data (the README
// reports both on the audio task). Four blocks of 3×3 convolution, batch norm, ReLU and 2×2 max-pool
// (16, 32, 64, 128 channels), then a 3×3 convolution to 128: every kernel WASM can train.
//
//   node scripts/make-scratch-cnn.mjs --out DIR [--size 96] [--seed 1]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';

export const SCRATCH_CNN = { size: 96, seed: 1, widths: [16, 32, 64, 128], top: 128 };

function build({ size, seed, widths, top }) {
  const input = tf.input({ shape: [size, size, 3], name: 'input' });
  let x = input;
  widths.forEach((w, i) => {
    const b = `block_${i + 1}`;
    x = tf.layers
      .conv2d({
        filters: w,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelInitializer: tf.initializers.heNormal({ seed: seed + i }),
        name: `${b}_conv`,
      })
      .apply(x);
    x = tf.layers.batchNormalization({ name: `${b}_bn` }).apply(x);
    x = tf.layers.reLU({ name: `${b}_relu` }).apply(x);
    x = tf.layers.maxPooling2d({ poolSize: 2, name: `${b}_pool` }).apply(x);
  });
  x = tf.layers
    .conv2d({
      filters: top,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      kernelInitializer: tf.initializers.heNormal({ seed: seed + 99 }),
      name: 'top_conv',
    })
    .apply(x);
  x = tf.layers.batchNormalization({ name: 'top_bn' }).apply(x);
  x = tf.layers.reLU({ name: 'top_relu' }).apply(x);
  return tf.model({ inputs: input, outputs: x, name: 'small_cnn' });
}

/** Builds the network with `options` and writes DIR/model.json and DIR/weights.bin. */
export async function writeScratchCnn(out, options = SCRATCH_CNN) {
  await tf.setBackend('cpu');
  const model = build(options);
  mkdirSync(out, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const json = {
        format: 'layers-model',
        generatedBy: 'scripts/make-scratch-cnn.mjs',
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        userDefinedMetadata: { scratch: options },
      };
      writeFileSync(join(out, 'model.json'), JSON.stringify(json));
      const data = artifacts.weightData;
      writeFileSync(join(out, 'weights.bin'), Buffer.from(data instanceof ArrayBuffer ? data : data[0]));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const params = model.countParams();
  model.dispose();
  return { params };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const get = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const out = get('out', null);
  if (!out) {
    console.error('usage: node scripts/make-scratch-cnn.mjs --out DIR [--size 96] [--seed 1]');
    process.exit(2);
  }
  const { params } = await writeScratchCnn(out, {
    ...SCRATCH_CNN,
    size: Number(get('size', SCRATCH_CNN.size)),
    seed: Number(get('seed', SCRATCH_CNN.seed)),
  });
  console.log(`small CNN, ${params} parameters -> ${out}`);
}
