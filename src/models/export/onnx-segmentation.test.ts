/**
 * The .onnx export of U-Net-style segmentation models (UpSampling2D, Concatenate with an encoder
 * map, Conv2D, a per-pixel softmax; output [N, H, W, classes]) runs in onnxruntime-web (WASM, in
 * Node) and gives the per-pixel probabilities TF.js gives: a small seeded model built here with
 * bilinear and with nearest upsampling, and a decoder on the real bundled MobileNetV2 encoder.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { bundledBackboneAt } from '../../test/bundled';
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT, ONNX_SUPPORTED_LAYERS } from './onnx';
import { readFields, type ProtoField } from './protobuf';

type Interpolation = 'bilinear' | 'nearest';

const SIZE = 32;
const LABELS = ['background', 'nucleus', 'cell'];
const hasBundled = existsSync(new URL('../../../public/models/mobilenet-v2/model.json', import.meta.url));

const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });
const uniform = (minval: number, maxval: number, seed: number) => tf.initializers.randomUniform({ minval, maxval, seed });
const on = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;

/** Conv2D (no bias) → BatchNormalization with random statistics → ReLU6, as in MobileNetV2. */
function encoderBlock(x: tf.SymbolicTensor, filters: number, seed: number, name: string): tf.SymbolicTensor {
  const conv = tf.layers.conv2d({
    filters,
    kernelSize: 3,
    strides: 2,
    padding: 'same',
    useBias: false,
    kernelInitializer: glorot(seed),
    name: `${name}_conv`,
  });
  const bn = tf.layers.batchNormalization({
    gammaInitializer: uniform(0.6, 1.4, seed + 1),
    betaInitializer: uniform(-0.3, 0.3, seed + 2),
    movingMeanInitializer: uniform(-0.2, 0.2, seed + 3),
    movingVarianceInitializer: uniform(0.4, 1.6, seed + 4),
    name: `${name}_bn`,
  });
  return on(tf.layers.reLU({ maxValue: 6, name: `${name}_relu6` }), on(bn, on(conv, x)));
}

/** One decoder level: ×2 upsampling, concatenation with the encoder map, 3×3 'same' Conv2D + ReLU. */
function decoderLevel(
  x: tf.SymbolicTensor,
  skip: tf.SymbolicTensor,
  filters: number,
  seed: number,
  name: string,
  interpolation: Interpolation,
): tf.SymbolicTensor {
  const up = on(tf.layers.upSampling2d({ size: [2, 2], interpolation, name: `${name}_up` }), x);
  const cat = on(tf.layers.concatenate({ axis: -1, name: `${name}_concat` }), [up, skip]);
  return on(
    tf.layers.conv2d({
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: glorot(seed),
      biasInitializer: uniform(-0.1, 0.1, seed + 1),
      name: `${name}_conv`,
    }),
    cat,
  );
}

/** 1×1 Conv2D to the classes, a last ×2 upsampling to the input size, softmax over the channels. */
function segmentationHead(x: tf.SymbolicTensor, classes: number, seed: number, interpolation: Interpolation): tf.SymbolicTensor {
  const logits = on(
    tf.layers.conv2d({
      filters: classes,
      kernelSize: 1,
      // Large logits, so the probabilities are spread out (confident here, unsure there), not all near 1/3.
      kernelInitializer: tf.initializers.varianceScaling({ scale: 30, mode: 'fanIn', distribution: 'uniform', seed }),
      biasInitializer: uniform(-0.5, 0.5, seed + 1),
      name: 'seg_logits',
    }),
    x,
  );
  const up = on(tf.layers.upSampling2d({ size: [2, 2], interpolation, name: 'seg_up' }), logits);
  return on(tf.layers.activation({ activation: 'softmax', name: 'seg_softmax' }), up);
}

/** [N, 32, 32, 3] → encoder 16, 8, 4 px → decoder 8, 16 px → classes at 16 → ×2 → [N, 32, 32, 3]. */
function smallUnet(interpolation: Interpolation): tf.LayersModel {
  const input = tf.input({ shape: [SIZE, SIZE, 3], name: 'image' });
  const e1 = encoderBlock(input, 8, 10, 'enc1'); // 16×16
  const e2 = encoderBlock(e1, 16, 20, 'enc2'); // 8×8
  const e3 = encoderBlock(e2, 24, 30, 'enc3'); // 4×4
  const bottleneck = on(
    tf.layers.conv2d({
      filters: 16,
      kernelSize: 1,
      kernelInitializer: glorot(40),
      biasInitializer: uniform(-0.1, 0.1, 41),
      name: 'bottleneck',
    }),
    e3,
  );
  let x = decoderLevel(bottleneck, e2, 16, 50, 'dec8', interpolation);
  x = decoderLevel(x, e1, 12, 60, 'dec16', interpolation);
  return tf.model({ inputs: input, outputs: segmentationHead(x, LABELS.length, 70, interpolation), name: `unet_${interpolation}` });
}

async function runOnnx(bytes: Uint8Array, x: tf.Tensor4D): Promise<{ dims: readonly number[]; data: Float32Array }> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    const out = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', await x.data(), x.shape) });
    const probs = out[ONNX_OUTPUT];
    if (!probs) throw new Error('no output');
    return { dims: probs.dims, data: probs.data as Float32Array };
  } finally {
    await session.release();
  }
}

async function predict(model: tf.LayersModel, x: tf.Tensor4D): Promise<Float32Array> {
  const y = model.predict(x) as tf.Tensor;
  const values = (await y.data()) as Float32Array;
  y.dispose();
  return values;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(b.length).toBe(a.length);
  let max = 0;
  a.forEach((v, i) => (max = Math.max(max, Math.abs(v - (b[i] ?? NaN)))));
  return max;
}

/** The largest |Σ_c p − 1| over all pixels of an [..., classes] array. */
function worstPixelSum(p: Float32Array, classes: number): number {
  let worst = 0;
  for (let i = 0; i < p.length; i += classes) {
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += p[i + c] ?? NaN;
    worst = Math.max(worst, Math.abs(sum - 1));
  }
  return worst;
}

/** How many distinct per-pixel argmax classes appear. */
function classesUsed(p: Float32Array, classes: number): number {
  const seen = new Set<number>();
  for (let i = 0; i < p.length; i += classes) {
    let best = 0;
    for (let c = 1; c < classes; c++) if ((p[i + c] ?? 0) > (p[i + best] ?? 0)) best = c;
    seen.add(best);
  }
  return seen.size;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  ort.env.wasm.numThreads = 1;
});

describe('exportOnnx, segmentation (output [N, H, W, classes])', () => {
  const images = tf.randomUniform([6, SIZE, SIZE, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
  const models = new Map<Interpolation, tf.LayersModel>();
  afterAll(() => {
    images.dispose();
    for (const m of models.values()) m.dispose();
  });

  it.each<Interpolation>(['bilinear', 'nearest'])(
    'a small U-Net with %s upsampling gives the per-pixel probabilities TF.js gives on 6 images',
    async (interpolation) => {
      const model = smallUnet(interpolation);
      models.set(interpolation, model);
      const before = tf.memory().numTensors;
      const bytes = await exportOnnx(model, { inputSize: SIZE, labels: LABELS });
      expect(tf.memory().numTensors).toBe(before);
      const want = await predict(model, images);
      const got = await runOnnx(bytes, images);
      expect(got.dims).toEqual([6, SIZE, SIZE, LABELS.length]);
      const diff = maxAbsDiff(want, got.data);
      console.info(`onnx segmentation (${interpolation}): max |Δp| vs tfjs = ${diff.toExponential(2)}`);
      console.info(`  highest p ${Math.max(...want).toFixed(3)}, classes used ${classesUsed(want, LABELS.length)}`);
      expect(diff).toBeLessThan(1e-5);
      expect(worstPixelSum(got.data, LABELS.length)).toBeLessThan(1e-5);
      // Not degenerate: confident somewhere, and more than one class wins across the pixels.
      expect(Math.max(...want)).toBeGreaterThan(0.9);
      expect(classesUsed(want, LABELS.length)).toBeGreaterThan(1);

      const one = images.slice([2, 0, 0, 0], [1, SIZE, SIZE, 3]);
      const single = await runOnnx(bytes, one);
      expect(single.dims).toEqual([1, SIZE, SIZE, LABELS.length]);
      expect(maxAbsDiff(await predict(model, one), single.data)).toBeLessThan(1e-5);
      one.dispose();
    },
  );

  it('the two interpolations differ in TF.js, so each export is checked against its own', async () => {
    const bilinear = models.get('bilinear');
    const nearest = models.get('nearest');
    if (!bilinear || !nearest) throw new Error('run the export tests first');
    // Same seeds, same weights: only the upsampling differs.
    expect(maxAbsDiff(await predict(bilinear, images), await predict(nearest, images))).toBeGreaterThan(1e-2);
  });

  it('UpSampling2D alone, sizes [2, 2] and [3, 2], matches tf.image.resize* exactly', async () => {
    expect(ONNX_SUPPORTED_LAYERS).toContain('UpSampling2D');
    const xs = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    for (const interpolation of ['bilinear', 'nearest'] as const) {
      for (const size of [
        [2, 2],
        [3, 2],
      ] as [number, number][]) {
        // [3, 2] on a square input gives 15×10: the height and width scales are not swapped.
        const input = tf.input({ shape: [5, 5, 3] });
        const up = tf.model({ inputs: input, outputs: on(tf.layers.upSampling2d({ size, interpolation }), input) });
        const got = await runOnnx(await exportOnnx(up, { inputSize: 5, labels: ['r', 'g', 'b'] }), xs);
        expect(got.dims).toEqual([2, 5 * size[0], 5 * size[1], 3]);
        const diff = maxAbsDiff(await predict(up, xs), got.data);
        console.info(`UpSampling2D ${interpolation} [${size.join(', ')}]: max |Δ| = ${diff.toExponential(2)}`);
        // Nearest copies values; bilinear rounds a blend of 4 differently (float32).
        if (interpolation === 'nearest') expect(diff).toBe(0);
        else expect(diff).toBeLessThan(1e-6);
        up.dispose();
      }
    }
    xs.dispose();
  });

  it('writes the output as [N, H, W, classes] and says "per-pixel class probabilities"', async () => {
    const model = models.get('bilinear');
    if (!model) throw new Error('run the export tests first');
    const bytes = await exportOnnx(model, { inputSize: SIZE, labels: LABELS, metadata: { inputRange: '[0,1]' } });
    const top = readFields(bytes);
    const msg = (fs: ProtoField[], n: number) => fs.filter((f) => f.field === n).map((f) => readFields(f.value as Uint8Array));
    const str = (fs: ProtoField[], n: number) => new TextDecoder().decode(fs.find((f) => f.field === n)?.value as Uint8Array);
    const dimsOf = (valueInfo: ProtoField[]) =>
      msg(msg(msg(msg(valueInfo, 2)[0] ?? [], 1)[0] ?? [], 2)[0] ?? [], 1).map((d) => (d[0]?.field === 1 ? Number(d[0].value) : str(d, 2)));
    const [graph] = msg(top, 7);
    const [input] = msg(graph ?? [], 11);
    const [output] = msg(graph ?? [], 12);
    expect(str(output ?? [], 1)).toBe(ONNX_OUTPUT);
    expect(dimsOf(input ?? [])).toEqual(['N', SIZE, SIZE, 3]);
    expect(dimsOf(output ?? [])).toEqual(['N', SIZE, SIZE, LABELS.length]);
    const doc = str(top, 6);
    expect(doc).toContain('per-pixel class probabilities');
    expect(doc).toContain(JSON.stringify(LABELS));
    const meta = Object.fromEntries(msg(top, 14).map((kv) => [str(kv, 1), str(kv, 2)]));
    expect(meta).toEqual({
      labels: JSON.stringify(LABELS),
      inputSize: String(SIZE),
      inputLayout: 'NHWC',
      outputLayout: 'NHWC',
      inputRange: '[0,1]',
    });
    // The graph's last node turns NCHW back into NHWC; the encoder's BatchNormalizations are folded.
    const nodes = msg(graph ?? [], 1);
    const last = nodes[nodes.length - 1] ?? [];
    expect(str(last, 4)).toBe('Transpose');
    expect(nodes.filter((n) => str(n, 4) === 'Resize')).toHaveLength(3);
    expect(nodes.some((n) => str(n, 4) === 'BatchNormalization')).toBe(false);
  });

  it('refuses labels that do not match the classes per pixel', async () => {
    const model = models.get('nearest');
    if (!model) throw new Error('run the export tests first');
    await expect(exportOnnx(model, { inputSize: SIZE, labels: ['a', 'b'] })).rejects.toThrow(/3 classes per pixel but 2 labels/);
  });

  it('still names a layer it cannot convert (a Conv2DTranspose decoder)', async () => {
    const input = tf.input({ shape: [16, 16, 3] });
    let x = on(tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }), input);
    x = on(tf.layers.conv2dTranspose({ filters: 4, kernelSize: 2, strides: 2, name: 'deconv' }), x);
    x = on(tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'softmax' }), x);
    const odd = tf.model({ inputs: input, outputs: x });
    await expect(exportOnnx(odd, { inputSize: 16, labels: ['a', 'b'] })).rejects.toThrow(
      "ONNX export does not support the layer 'deconv' (Conv2DTranspose).",
    );
    odd.dispose();
  });

  it('refuses an output that is neither [N, classes] nor [N, H, W, classes]', async () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const x = on(tf.layers.reshape({ targetShape: [64, 3] }), input);
    const odd = tf.model({ inputs: input, outputs: x });
    await expect(exportOnnx(odd, { inputSize: 8, labels: ['a', 'b', 'c'] })).rejects.toThrow(
      /a classifier \(output \[batch, classes\]\) or a segmentation model \(output \[batch, height, width, classes\]\)/,
    );
    odd.dispose();
  });
});

describe.runIf(hasBundled)('exportOnnx, a U-Net decoder on the bundled MobileNetV2 (64 px)', () => {
  const PX = 64;
  let model: tf.LayersModel;
  let backbone: tf.LayersModel;

  beforeAll(async () => {
    backbone = await bundledBackboneAt(PX);
    const at = (name: string) => backbone.getLayer(name).output as tf.SymbolicTensor;
    const skips = ['block_12_add', 'block_5_add', 'block_2_add', 'expanded_conv_project_BN'].map(at);
    expect(skips.map((s) => s.shape.slice(1, 3))).toEqual([
      [4, 4],
      [8, 8],
      [16, 16],
      [32, 32],
    ]);
    let x = on(
      tf.layers.conv2d({ filters: 64, kernelSize: 1, activation: 'relu', kernelInitializer: glorot(100), name: 'dec_reduce' }),
      at('out_relu'),
    );
    [64, 48, 32, 24].forEach((filters, i) => {
      x = decoderLevel(x, skips[i] as tf.SymbolicTensor, filters, 110 + 10 * i, `dec${i}`, 'bilinear');
    });
    model = tf.model({ inputs: backbone.inputs, outputs: segmentationHead(x, LABELS.length, 200, 'bilinear'), name: 'mnv2_unet' });
  });

  afterAll(() => {
    model?.dispose(); // disposes the backbone's layers as well
  });

  it('gives the per-pixel probabilities TF.js gives on 4 images', async () => {
    expect(model.outputs[0]?.shape).toEqual([null, PX, PX, LABELS.length]);
    const xs = tf.randomUniform([4, PX, PX, 3], 0, 1, 'float32', 17) as tf.Tensor4D;
    const t0 = performance.now();
    const bytes = await exportOnnx(model, { inputSize: PX, labels: LABELS });
    const ms = performance.now() - t0;
    const want = await predict(model, xs);
    const got = await runOnnx(bytes, xs);
    expect(got.dims).toEqual([4, PX, PX, LABELS.length]);
    const diff = maxAbsDiff(want, got.data);
    console.info(
      `onnx MobileNetV2 U-Net: ${(bytes.length / 1e6).toFixed(2)} MB in ${ms.toFixed(0)} ms, max |Δp| vs tfjs = ${diff.toExponential(2)}`,
    );
    expect(diff).toBeLessThan(1e-4);
    expect(worstPixelSum(got.data, LABELS.length)).toBeLessThan(1e-5);
    expect(Math.max(...want)).toBeGreaterThan(0.9);
    expect(classesUsed(want, LABELS.length)).toBeGreaterThan(1);
    xs.dispose();
  });
});
