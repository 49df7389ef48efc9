/**
 * The Teachable Machine package loads with plain tf.loadLayersModel and, fed what TM's library feeds
 * (a 224×224 crop as pixels/127 − 1), gives our model's probabilities for the same picture.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { bundledBackboneAt } from '../../test/bundled';
import { makeGreyShapes } from '../../../scripts/make-fixtures.mjs';
import { createRng } from '../../lib/random';
import { composeClassifier } from '../head';
import { exportTeachableMachine, TM_IMAGE_SIZE, type TeachableFile } from './teachable';

const SIZE = 96;
const LABELS = ['circle', 'square', 'triangle', 'cross'];
/** Layer classes TF.js 1.3.1 (the version TM's library pins) can deserialise that these exports use. */
const TFJS_1_LAYERS = new Set([
  'InputLayer',
  'DepthwiseConv2D',
  'Permute',
  'Dense',
  'ZeroPadding2D',
  'Conv2D',
  'BatchNormalization',
  'ReLU',
  'Add',
  'GlobalAveragePooling2D',
  'Dropout',
  'Activation',
]);

let model: tf.LayersModel;
/** [4, 224, 224, 3] in [0, 1]: two grey shapes and two noise images. */
let pictures: tf.Tensor4D;

function testPictures(): tf.Tensor4D {
  const set = makeGreyShapes({ perClass: 1, size: 56, seed: 21 });
  const rng = createRng(22);
  return tf.tidy(() => {
    const shapes = set.images.slice(0, 2).map((img) => {
      const grey = tf.tensor3d(
        Float32Array.from(img.grey, (v) => v / 255),
        [56, 56, 1],
      );
      return tf.image.resizeBilinear(grey, [TM_IMAGE_SIZE, TM_IMAGE_SIZE]).tile([1, 1, 3]);
    });
    const noise = [0, 1].map(() =>
      tf.tensor3d(
        Float32Array.from({ length: TM_IMAGE_SIZE * TM_IMAGE_SIZE * 3 }, () => rng()),
        [TM_IMAGE_SIZE, TM_IMAGE_SIZE, 3],
      ),
    );
    return tf.stack([...shapes, ...noise]) as tf.Tensor4D;
  });
}

/** Loads a package the way TM's library does: tf.loadLayersModel on model.json + its weights. */
async function loadPackage(files: TeachableFile[]): Promise<tf.LayersModel> {
  const file = (name: string) => {
    const f = files.find((x) => x.name === name);
    if (!f) throw new Error(`no ${name}`);
    return f.data;
  };
  const json = JSON.parse(new TextDecoder().decode(file('model.json')));
  expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
  const bin = file('weights.bin');
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
    }),
  );
}

async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [x, y] = await Promise.all([a.data(), b.data()]);
  let m = 0;
  x.forEach((v, i) => (m = Math.max(m, Math.abs(v - (y[i] ?? NaN)))));
  return m;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = composeClassifier(tf, await bundledBackboneAt(SIZE), { numClasses: LABELS.length, dropout: 0.2, seed: 4 });
  const dense = model.getLayer('head_dense');
  const [kernel, bias] = dense.getWeights();
  if (!kernel || !bias) throw new Error('head_dense has no weights');
  const w = [tf.randomNormal(kernel.shape, 0, 0.08, 'float32', 13), tf.randomNormal(bias.shape, 0, 1, 'float32', 14)];
  dense.setWeights(w);
  tf.dispose(w);
  pictures = testPictures();
});

afterAll(() => {
  model?.dispose();
  pictures?.dispose();
});

describe('exportTeachableMachine', () => {
  it("matches our model on TM's input (pixels/127 − 1 at 224 px, resized inside to 96 px)", async () => {
    const before = tf.memory().numTensors;
    const files = await exportTeachableMachine(tf, model, { labels: LABELS, inputSize: SIZE, modelName: 'shapes' });
    expect(tf.memory().numTensors).toBe(before);
    const tm = await loadPackage(files);
    expect(tm.inputs[0]?.shape).toEqual([null, TM_IMAGE_SIZE, TM_IMAGE_SIZE, 3]);
    expect(tm.outputs[0]?.shape).toEqual([null, LABELS.length]);

    const tmInput = tf.tidy(() => pictures.mul(255 / 127).sub(1));
    const got = tm.predict(tmInput) as tf.Tensor;
    const want = tf.tidy(() => model.predict(tf.image.resizeBilinear(pictures, [SIZE, SIZE], false, true)) as tf.Tensor);
    const diff = await maxAbsDiff(got, want);
    console.info(`teachable machine export: max |Δp| vs our model = ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-5);
    expect(Math.max(...(await want.data()))).toBeLessThan(0.999); // not saturated
    tf.dispose([tmInput, got, want]);
    tm.dispose();
  });

  it('writes the metadata.json fields TM reads, and only layer classes TF.js 1.x knows', async () => {
    const files = await exportTeachableMachine(tf, model, {
      labels: LABELS,
      inputSize: SIZE,
      modelName: 'shapes',
      timeStamp: '2024-01-01T00:00:00.000Z',
      userMetadata: { studio: { inputSize: SIZE } },
    });
    expect(files.map((f) => f.name)).toEqual(['model.json', 'weights.bin', 'metadata.json']);
    const meta = JSON.parse(new TextDecoder().decode(files[2]?.data));
    expect(meta).toEqual({
      tfjsVersion: tf.version.tfjs,
      tmVersion: expect.any(String),
      packageVersion: expect.any(String),
      packageName: '@teachablemachine/image',
      timeStamp: '2024-01-01T00:00:00.000Z',
      userMetadata: { studio: { inputSize: SIZE } },
      modelName: 'shapes',
      labels: LABELS,
      imageSize: 224,
    });
    const json = JSON.parse(new TextDecoder().decode(files[0]?.data));
    const classes = new Set<string>(json.modelTopology.config.layers.map((l: { class_name: string }) => l.class_name));
    expect([...classes].filter((c) => !TFJS_1_LAYERS.has(c))).toEqual([]);
    expect(json.modelTopology.config.input_layers).toEqual([['tm_input', 0, 0]]);
    // Our model is untouched: same layers, same predictions.
    expect(model.layers.length).toBe(158);
    expect(model.inputs[0]?.shape).toEqual([null, SIZE, SIZE, 3]);
  });

  it('at 224 px adds only the rescale, and maps into a [−1, 1] model with pixel/127.5 − 1', async () => {
    const input = tf.input({ shape: [TM_IMAGE_SIZE, TM_IMAGE_SIZE, 3] });
    let x = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, strides: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })
      .apply(input) as tf.SymbolicTensor;
    x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
    x = tf.layers
      .dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) })
      .apply(x) as tf.SymbolicTensor;
    const small = tf.model({ inputs: input, outputs: x });
    const files = await exportTeachableMachine(tf, small, {
      labels: ['a', 'b'],
      inputSize: TM_IMAGE_SIZE,
      modelName: 'small',
      inputRange: [-1, 1],
      pixelDivisor: 127.5,
    });
    const tm = await loadPackage(files);
    expect(tm.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'DepthwiseConv2D', 'Conv2D', 'GlobalAveragePooling2D', 'Dense']);
    const t = tf.tidy(() => pictures.mul(2).sub(1));
    const got = tm.predict(t) as tf.Tensor;
    const want = small.predict(t) as tf.Tensor; // the model itself takes [−1, 1]: same input
    expect(await maxAbsDiff(got, want)).toBeLessThan(1e-5);
    tf.dispose([t, got, want]);
    tm.dispose();
    small.dispose();
  });

  it('refuses a grey-scale model and mismatched labels', async () => {
    const input = tf.input({ shape: [8, 8, 1] });
    const out = tf.layers.dense({ units: 2 }).apply(tf.layers.flatten().apply(input)) as tf.SymbolicTensor;
    const grey = tf.model({ inputs: input, outputs: out });
    await expect(exportTeachableMachine(tf, grey, { labels: ['a', 'b'], inputSize: 8, modelName: 'g' })).rejects.toThrow(
      /colour image model/,
    );
    await expect(exportTeachableMachine(tf, model, { labels: ['a'], inputSize: SIZE, modelName: 'm' })).rejects.toThrow(
      /4 outputs but 1 labels/,
    );
    grey.dispose();
  });
});
