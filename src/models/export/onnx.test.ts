/**
 * The .onnx export of a MobileNetV2 classifier (the bundled backbone rebuilt at 96 px) runs in
 * onnxruntime-web (WASM, in Node) and gives the probabilities TF.js gives, image for image.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { bundledBackboneAt } from '../../test/bundled';
import * as ort from 'onnxruntime-web';
import { makeGreyShapes } from '../../../scripts/make-fixtures.mjs';
import { createRng } from '../../lib/random';
import { composeClassifier } from '../head';
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from './onnx';
import { readFields, type ProtoField } from './protobuf';

const SIZE = 96;
const LABELS = ['circle', 'square', 'triangle', 'cross', 'noise'];

let model: tf.LayersModel;
let images: tf.Tensor4D;
let bytes: Uint8Array;
let tensorsLeft = 0;
let exportMs = 0;

/** 5 grey shapes upscaled to SIZE and tiled to RGB, plus 3 noise images: [8, SIZE, SIZE, 3] in [0, 1]. */
function testImages(): tf.Tensor4D {
  const set = makeGreyShapes({ perClass: 2, size: 56, seed: 5 });
  const rng = createRng(9);
  return tf.tidy(() => {
    const shapes = set.images.slice(0, 5).map((img) => {
      const grey = tf.tensor3d(
        Float32Array.from(img.grey, (v) => v / 255),
        [56, 56, 1],
      );
      return tf.image.resizeBilinear(grey, [SIZE, SIZE]).tile([1, 1, 3]);
    });
    const noise = [0, 1, 2].map(() =>
      tf.tensor3d(
        Float32Array.from({ length: SIZE * SIZE * 3 }, () => rng()),
        [SIZE, SIZE, 3],
      ),
    );
    return tf.stack([...shapes, ...noise]) as tf.Tensor4D;
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  ort.env.wasm.numThreads = 1;
  const backbone = await bundledBackboneAt(SIZE);
  model = composeClassifier(tf, backbone, { numClasses: LABELS.length, dropout: 0.2, seed: 3 });
  images = testImages();
  spreadHead(model, images);
  const before = tf.memory().numTensors;
  const t0 = performance.now();
  bytes = await exportOnnx(model, { inputSize: SIZE, labels: LABELS, metadata: { inputRange: '[0,1]' } });
  exportMs = performance.now() - t0;
  tensorsLeft = tf.memory().numTensors - before;
});

/**
 * Gives head_dense random weights centred on these images' mean feature, so the probabilities are
 * spread out (neither uniform nor saturated) and the top class differs from image to image.
 */
function spreadHead(classifier: tf.LayersModel, xs: tf.Tensor4D): void {
  const dense = classifier.getLayer('head_dense');
  const [kernel] = dense.getWeights();
  if (!kernel) throw new Error('head_dense has no kernel');
  const [w, b] = tf.tidy(() => {
    const features = tf.model({ inputs: classifier.inputs, outputs: classifier.getLayer('head_pool').output as tf.SymbolicTensor });
    const f = features.predict(xs) as tf.Tensor2D;
    const centred = f.sub(f.mean(0));
    const w0 = tf.randomNormal(kernel.shape as [number, number], 0, 1, 'float32', 11);
    const scale = tf.scalar(2).div(tf.moments(centred.matMul(w0)).variance.sqrt());
    const w = w0.mul(scale) as tf.Tensor2D;
    return [w, f.mean(0, true).matMul(w).neg().squeeze([0])];
  });
  dense.setWeights([w, b]);
  w.dispose();
  b.dispose();
}

afterAll(() => {
  model?.dispose();
  images?.dispose();
});

async function runOnnx(bytes: Uint8Array, x: tf.Tensor4D, classes = LABELS.length): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    const feeds = { [ONNX_INPUT]: new ort.Tensor('float32', await x.data(), x.shape) };
    const out = await session.run(feeds);
    const probs = out[ONNX_OUTPUT];
    if (!probs) throw new Error('no output');
    expect(probs.dims).toEqual([x.shape[0], classes]);
    return probs.data as Float32Array;
  } finally {
    await session.release();
  }
}

function argMaxRows(values: Float32Array, cols: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < values.length / cols; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if ((values[r * cols + c] ?? 0) > (values[r * cols + best] ?? 0)) best = c;
    out.push(best);
  }
  return out;
}

describe('exportOnnx', () => {
  it('gives the same probabilities as TF.js on 8 images (onnxruntime-web, WASM)', async () => {
    expect(tensorsLeft).toBe(0);
    const expected = tf.tidy(() => model.predict(images) as tf.Tensor);
    const want = (await expected.data()) as Float32Array;
    expected.dispose();
    const got = await runOnnx(bytes, images);

    let maxDiff = 0;
    want.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - (got[i] ?? NaN)))));
    console.info(
      `onnx export: ${(bytes.length / 1e6).toFixed(2)} MB in ${exportMs.toFixed(0)} ms, max |Δp| vs tfjs = ${maxDiff.toExponential(2)}`,
    );
    expect(maxDiff).toBeLessThan(1e-4);
    expect(argMaxRows(got, LABELS.length)).toEqual(argMaxRows(want, LABELS.length));
    // Not a degenerate head: the top class is confident somewhere and differs across images.
    expect(Math.max(...want)).toBeGreaterThan(0.5);
    expect(new Set(argMaxRows(want, LABELS.length)).size).toBeGreaterThan(1);
  });

  it('has a dynamic batch dimension', async () => {
    const one = images.slice([1, 0, 0, 0], [1, SIZE, SIZE, 3]);
    const want = tf.tidy(() => model.predict(one) as tf.Tensor);
    const got = await runOnnx(bytes, one);
    const w = (await want.data()) as Float32Array;
    w.forEach((v, i) => expect(Math.abs(v - (got[i] ?? NaN))).toBeLessThan(1e-4));
    one.dispose();
    want.dispose();
  });

  it('stores the labels, input layout and opset in the model', async () => {
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    expect(session.inputNames).toEqual([ONNX_INPUT]);
    expect(session.outputNames).toEqual([ONNX_OUTPUT]);
    await session.release();
    const top = readFields(bytes);
    const num = (fs: ProtoField[], n: number) => Number(fs.find((f) => f.field === n)?.value);
    const msg = (fs: ProtoField[], n: number) => fs.filter((f) => f.field === n).map((f) => readFields(f.value as Uint8Array));
    const str = (fs: ProtoField[], n: number) => new TextDecoder().decode(fs.find((f) => f.field === n)?.value as Uint8Array);
    expect(num(top, 1)).toBe(8); // ir_version
    const [opset] = msg(top, 8);
    expect(num(opset ?? [], 2)).toBe(13);
    const meta = Object.fromEntries(msg(top, 14).map((kv) => [str(kv, 1), str(kv, 2)]));
    expect(meta).toEqual({ labels: JSON.stringify(LABELS), inputSize: '96', inputLayout: 'NHWC', inputRange: '[0,1]' });
    expect(str(top, 6)).toContain(JSON.stringify(LABELS)); // doc_string
    const [graph] = msg(top, 7);
    const [input] = msg(graph ?? [], 11);
    const dims = msg(msg(msg(msg(input ?? [], 2)[0] ?? [], 1)[0] ?? [], 2)[0] ?? [], 1).map((d) =>
      d[0]?.field === 1 ? Number(d[0].value) : str(d, 2),
    );
    expect(dims).toEqual(['N', SIZE, SIZE, 3]);
    // Every ZeroPadding2D folded into the next convolution, every BatchNormalization into the one before.
    const all = new TextDecoder('latin1').decode(bytes);
    expect(all).not.toContain('_pad/Pad');
    expect(all).not.toContain('BatchNormalization');
    expect(all).toContain('Conv1/weight');
  });

  it('converts the layer kinds MobileNetV2 lacks (pooling, separable, multiplier 2, flatten, concat) the same way', async () => {
    const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });
    const constant = (value: number) => tf.initializers.constant({ value });
    const on = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
    const input = tf.input({ shape: [12, 12, 3] });
    // Conv with its own activation, then MaxPool 'same'.
    let a = on(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: glorot(1) }), input);
    a = on(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same' }), a);
    // ZeroPadding2D that becomes a Pad (before a pooling), AveragePool, LeakyReLU, a standalone BN.
    let b = on(
      tf.layers.zeroPadding2d({
        padding: [
          [1, 0],
          [0, 1],
        ],
      }),
      input,
    );
    b = on(tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'valid' }), b);
    b = on(tf.layers.conv2d({ filters: 2, kernelSize: 1, kernelInitializer: glorot(2) }), b);
    b = on(tf.layers.leakyReLU({ alpha: 0.2 }), b);
    b = on(tf.layers.batchNormalization({ betaInitializer: 'ones', movingMeanInitializer: constant(0.1) }), b);
    // SeparableConv2D + folded BN, DepthwiseConv2D with depth multiplier 2 + folded BN, Softmax layer.
    let c = on(
      tf.layers.separableConv2d({
        filters: 3,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        depthMultiplier: 2,
        depthwiseInitializer: glorot(6),
        pointwiseInitializer: glorot(7),
        biasInitializer: constant(0.05),
      }),
      input,
    );
    c = on(tf.layers.batchNormalization({ gammaInitializer: constant(1.3), movingVarianceInitializer: constant(0.7) }), c);
    c = on(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', depthwiseInitializer: glorot(8) }), c);
    c = on(tf.layers.batchNormalization({ betaInitializer: constant(-0.2) }), c);
    c = on(tf.layers.softmax({ axis: -1 }), c);
    let x = on(tf.layers.concatenate(), [a, b, c]);
    x = on(tf.layers.flatten(), x);
    x = on(tf.layers.dense({ units: 6, activation: 'relu', kernelInitializer: glorot(3) }), x);
    x = on(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: glorot(4) }), x);
    const small = tf.model({ inputs: input, outputs: x });
    const xs = tf.randomUniform([3, 12, 12, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const want = (await (small.predict(xs) as tf.Tensor).data()) as Float32Array;
    const got = await runOnnx(await exportOnnx(small, { inputSize: 12, labels: ['a', 'b', 'c'] }), xs, 3);
    want.forEach((v, i) => expect(Math.abs(v - (got[i] ?? NaN))).toBeLessThan(1e-5));
    small.dispose();
    xs.dispose();
  });

  it('names the layer class it cannot convert', async () => {
    const input = tf.input({ shape: [8, 8, 3] });
    let x = tf.layers.conv2d({ filters: 2, kernelSize: 3 }).apply(input) as tf.SymbolicTensor;
    x = tf.layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 2, name: 'odd_layer' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
    x = tf.layers.dense({ units: 2, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
    const odd = tf.model({ inputs: input, outputs: x });
    await expect(exportOnnx(odd, { inputSize: 8, labels: ['a', 'b'] })).rejects.toThrow(/'odd_layer' \(Conv2DTranspose\)/);
    odd.dispose();
  });

  it('refuses labels that do not match the outputs, and a wrong input size', async () => {
    await expect(exportOnnx(model, { inputSize: SIZE, labels: ['a'] })).rejects.toThrow(/5 outputs but 1 labels/);
    await expect(exportOnnx(model, { inputSize: 224, labels: LABELS })).rejects.toThrow(/96×96/);
  });
});
