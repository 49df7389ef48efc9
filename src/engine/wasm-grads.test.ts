/**
 * The WASM Conv2DBackpropFilter kernel (wasm-grads.ts) against the CPU backend's: filter gradients
 * for many shapes, paddings and strides, and a tiny segmentation-like model trained with Adam on both
 * backends from the same weights. Without the registration the same gradient throws on WASM.
 * `WASM_GRADS_BENCH=1 npx vitest run src/engine/wasm-grads.test.ts` also times the two ways of computing it.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { conv2DBackpropFilterWasm, registerWasmConvGradients, wasmGradientBlocker, type FilterGradMethod } from './wasm-grads';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Seeded values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function rand(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(
    values(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}

async function on<T>(backend: string, f: () => Promise<T>): Promise<T> {
  expect(await tf.setBackend(backend)).toBe(true);
  return f();
}

function relDiff(a: Float32Array | number[], b: Float32Array | number[]): number {
  let diff = 0;
  let mag = 1e-6;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
    mag = Math.max(mag, Math.abs(b[i] ?? 0));
  }
  return diff / Math.max(1, mag);
}

let absentBefore = false;
let threwBefore: unknown = null;

beforeAll(async () => {
  setWasmPaths(`${root}node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
  expect(await tf.setBackend('wasm')).toBe(true);
  await tf.ready();
  absentBefore = !tf.getKernel('Conv2DBackpropFilter', 'wasm');
  // Training a Conv2D's weights without the registration: the gradient has no kernel on WASM.
  try {
    tf.tidy(() =>
      tf.grad((f: tf.Tensor) => tf.conv2d(rand([1, 5, 5, 2], 1) as tf.Tensor4D, f as tf.Tensor4D, 1, 'same').sum())(rand([3, 3, 2, 4], 2)),
    );
  } catch (err) {
    threwBefore = err;
  }
  registerWasmConvGradients(tf);
  registerWasmConvGradients(tf); // idempotent
});

interface Case {
  x: [number, number, number, number];
  k: number;
  outC: number;
  stride: number;
  pad: 'same' | 'valid';
}

const CASES: Case[] = [
  { x: [1, 5, 5, 1], k: 1, outC: 1, stride: 1, pad: 'same' },
  { x: [1, 7, 9, 3], k: 3, outC: 5, stride: 1, pad: 'same' },
  { x: [3, 7, 9, 3], k: 3, outC: 5, stride: 1, pad: 'valid' },
  { x: [3, 9, 7, 40], k: 3, outC: 17, stride: 2, pad: 'same' },
  { x: [3, 9, 8, 4], k: 3, outC: 6, stride: 2, pad: 'valid' },
  { x: [1, 11, 10, 33], k: 1, outC: 40, stride: 1, pad: 'valid' },
  { x: [3, 6, 7, 12], k: 1, outC: 8, stride: 2, pad: 'same' },
  { x: [1, 8, 8, 2], k: 5, outC: 3, stride: 2, pad: 'same' },
];

describe('Conv2DBackpropFilter on WASM', () => {
  it('was missing before the registration, and a Conv2D filter gradient threw', () => {
    expect(absentBefore).toBe(true);
    expect(threwBefore).toBeInstanceOf(Error);
    expect(String((threwBefore as Error).message)).toMatch(/Conv2DBackpropFilter/);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('gives the CPU backend’s filter gradient of conv2d (1×1 and 3×3, strides 1 and 2, same and valid)', async () => {
    for (const [i, c] of CASES.entries()) {
      const filterShape = [c.k, c.k, c.x[3], c.outC];
      const grad = async () => {
        const x = rand(c.x, 10 + i) as tf.Tensor4D;
        const f = rand(filterShape, 20 + i);
        const y = tf.conv2d(x, f as tf.Tensor4D, c.stride, c.pad);
        const w = rand(y.shape, 30 + i); // a dy that is not all ones
        const g = tf.grad((ff: tf.Tensor) =>
          tf
            .conv2d(x, ff as tf.Tensor4D, c.stride, c.pad)
            .mul(w)
            .sum(),
        )(f);
        const out = await g.data();
        tf.dispose([x, f, y, w, g]);
        return out as Float32Array;
      };
      const cpu = await on('cpu', grad);
      const before = await on('wasm', async () => [tf.memory().numTensors, tf.backend().numDataIds()]);
      // WASM's Conv3DBackpropFilterV2 is wrong for strides above 1 in tfjs 4.22, so conv3d is checked at stride 1.
      for (const method of c.stride === 1 ? (['matmul', 'conv3d'] as const) : (['matmul'] as const)) {
        const wasm = await on('wasm', () => (method === 'matmul' ? grad() : directGrad(c, i, method)));
        expect(relDiff(wasm, cpu), `${JSON.stringify(c)} via ${method}`).toBeLessThan(1e-4);
      }
      // No tensor, and no WASM buffer made inside the kernel, outlives the gradient.
      expect([tf.memory().numTensors, tf.backend().numDataIds()]).toEqual(before);
    }
  });

  it('gives the CPU backend’s filter gradient of conv2dTranspose', async () => {
    const grad = async () => {
      const x = rand([2, 5, 6, 7], 80) as tf.Tensor4D;
      const f = rand([3, 3, 4, 7], 81) as tf.Tensor4D; // [kh, kw, outC, inC]
      const w = rand([2, 10, 12, 4], 82);
      const g = tf.grad((ff: tf.Tensor) =>
        tf
          .conv2dTranspose(x, ff as tf.Tensor4D, [2, 10, 12, 4], 2, 'same')
          .mul(w)
          .sum(),
      )(f);
      const out = (await g.data()) as Float32Array;
      tf.dispose([x, f, w, g]);
      return out;
    };
    const cpu = await on('cpu', grad);
    const wasm = await on('wasm', grad);
    expect(relDiff(wasm, cpu)).toBeLessThan(1e-4);
  });

  it('matches the CPU kernel for NCHW, explicit padding and dimRoundingMode', async () => {
    const cases = [
      { x: [2, 7, 8, 3], dy: [2, 7, 8, 4], attrs: { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] } },
      {
        x: [2, 3, 7, 8],
        dy: [2, 4, 4, 4],
        attrs: { strides: [2, 2], pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 3, 4] },
      },
      {
        x: [1, 7, 6, 2],
        dy: [1, 8, 3, 3],
        attrs: {
          strides: [1, 2],
          pad: [
            [0, 0],
            [2, 1],
            [0, 1],
            [0, 0],
          ],
          dataFormat: 'NHWC',
          filterShape: [3, 2, 2, 3],
        },
      },
      {
        x: [1, 8, 8, 2],
        dy: [1, 5, 5, 3],
        attrs: { strides: 2, pad: 1, dimRoundingMode: 'ceil', dataFormat: 'NHWC', filterShape: [3, 3, 2, 3] },
      },
    ];
    for (const [i, c] of cases.entries()) {
      const run = async () => {
        const x = rand(c.x, 40 + i);
        const dy = rand(c.dy, 50 + i);
        const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, c.attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
        expect(dw.shape).toEqual(c.attrs.filterShape);
        const out = (await dw.data()) as Float32Array;
        tf.dispose([x, dy, dw]);
        return out;
      };
      const cpu = await on('cpu', run);
      const buffers = await on('wasm', async () => tf.backend().numDataIds());
      const wasm = await on('wasm', run);
      expect(relDiff(wasm, cpu), JSON.stringify(c)).toBeLessThan(1e-4);
      expect(tf.backend().numDataIds()).toBe(buffers);
    }
  });

  it('trains a Conv2D 3×3 → Conv2D 1×1 per-pixel classifier with Adam like the CPU backend, without leaking tensors', async () => {
    const classes = 3;
    const input = tf.input({ shape: [10, 10, 4] });
    const h = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    const logits = tf.layers.conv2d({ filters: classes, kernelSize: 1 }).apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: logits });
    expect(wasmGradientBlocker(model.layers.map((l) => ({ name: l.name, className: l.getClassName(), trains: true })))).toBeNull();
    const start = model.getWeights().map((w, i) => values(w.size, 60 + i));
    const shapes = model.getWeights().map((w) => w.shape);
    const xs = values(6 * 10 * 10 * 4, 70);
    // Labels depend on the input, so there is something to learn.
    const labels = Int32Array.from({ length: 6 * 10 * 10 }, (_, p) => ((xs[p * 4] ?? 0) > 0.3 ? 2 : (xs[p * 4 + 1] ?? 0) > 0 ? 1 : 0));

    const train = async (steps: number) => {
      model.setWeights(start.map((v, i) => tf.tensor(v, shapes[i])));
      const x = tf.tensor4d(xs, [6, 10, 10, 4]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), classes).reshape([6, 10, 10, classes]);
      const optimizer = tf.train.adam(0.02, 0.9, 0.999, 1e-7);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const losses: number[] = [];
      const counts: number[] = [];
      for (let s = 0; s < steps; s++) {
        const { value, grads } = tf.variableGrads(() => {
          const out = model.apply(x) as tf.Tensor;
          const logp = tf.logSoftmax(out, -1);
          return tf.neg(tf.mean(tf.sum(tf.mul(y, logp), -1))) as tf.Scalar;
        }, vars);
        optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
        losses.push((await value.data())[0] ?? NaN);
        tf.dispose([value, ...Object.values(grads)]);
        counts.push(tf.memory().numTensors * 1e6 + tf.backend().numDataIds());
      }
      optimizer.dispose();
      tf.dispose([x, y]);
      return { losses, counts };
    };

    const cpu = await on('cpu', () => train(12));
    const wasm = await on('wasm', () => train(12));
    console.log('per-step loss, cpu vs wasm', cpu.losses.map((l, i) => `${l.toFixed(4)}/${wasm.losses[i]?.toFixed(4)}`).join(' '));
    for (let s = 0; s < cpu.losses.length; s++) expect(Math.abs((wasm.losses[s] ?? NaN) - (cpu.losses[s] ?? NaN))).toBeLessThan(1e-3);
    expect(wasm.losses.at(-1)!).toBeLessThan(0.8 * wasm.losses[0]!);
    // Adam's moment variables appear on the first step; after it tensors and WASM buffers are flat.
    expect(new Set(wasm.counts.slice(1)).size).toBe(1);
    model.dispose();
  });

  it('says which layer stops training on WASM: the first depthwise one at or after the first that trains', () => {
    const table = (classes: string[], trains: number) =>
      classes.map((className, i) => ({ name: `l${i}`, className, trains: i === trains }));
    const net = ['Conv2D', 'DepthwiseConv2D', 'Conv2D', 'SeparableConv2D', 'Conv2DTranspose', 'Conv2D', 'Dense'];
    expect(wasmGradientBlocker(table(net, 0))).toBe('l1');
    expect(wasmGradientBlocker(table(net, 2))).toBe('l3');
    expect(wasmGradientBlocker(table(net, 4))).toBeNull(); // Conv2D and Conv2DTranspose train, and nothing depthwise follows
    expect(wasmGradientBlocker(table(net, -1))).toBeNull();
  });
});

/** The same gradient as the grad() above, through conv2DBackpropFilterWasm with a chosen method. */
async function directGrad(c: Case, i: number, method: FilterGradMethod): Promise<Float32Array> {
  const x = rand(c.x, 10 + i) as tf.Tensor4D;
  const f = rand([c.k, c.k, c.x[3], c.outC], 20 + i);
  const y = tf.conv2d(x, f as tf.Tensor4D, c.stride, c.pad);
  const dy = rand(y.shape, 30 + i);
  const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: f.shape } as unknown as tf.NamedAttrMap;
  const info = conv2DBackpropFilterWasm(tf, { inputs: { x, dy }, backend: tf.backend(), attrs }, method);
  const out = tf.backend().readSync(info.dataId) as Float32Array;
  tf.backend().disposeData(info.dataId);
  tf.dispose([x, f, y, dy]);
  return out.slice();
}

describe.runIf(process.env.WASM_GRADS_BENCH)('benchmark (WASM_GRADS_BENCH=1)', () => {
  it('times the two ways of computing the filter gradient', async () => {
    await on('wasm', async () => undefined);
    const sizes: { name: string; x: number[]; k: number; outC: number }[] = [
      { name: 'x [8,64,64,48] → 24, 3×3', x: [8, 64, 64, 48], k: 3, outC: 24 },
      { name: 'x [8,16,16,1376] → 96, 1×1', x: [8, 16, 16, 1376], k: 1, outC: 96 },
      { name: 'x [8,16,16,1376] → 96, 3×3', x: [8, 16, 16, 1376], k: 3, outC: 96 },
    ];
    for (const s of sizes) {
      const x = rand(s.x, 1);
      const dy = rand([s.x[0]!, s.x[1]!, s.x[2]!, s.outC], 2);
      const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [s.k, s.k, s.x[3], s.outC] } as unknown as tf.NamedAttrMap;
      const f = rand([s.k, s.k, s.x[3]!, s.outC], 3) as tf.Tensor4D;
      const forward: number[] = [];
      for (let r = 0; r < 4; r++) {
        const t0 = performance.now();
        const y = tf.conv2d(x as tf.Tensor4D, f, 1, 'same');
        forward.push(performance.now() - t0);
        y.dispose();
      }
      forward.shift();
      forward.sort((a, b) => a - b);
      const line: string[] = [`forward conv2d ${forward[1]!.toFixed(1)} ms`];
      f.dispose();
      for (const method of ['matmul', 'conv3d'] as const) {
        const times: number[] = [];
        for (let r = 0; r < 4; r++) {
          // Fresh tensors, as in training (WASM's matmul caches its packed right operand by tensor).
          const [xr, dyr] = [tf.add(x, 0), tf.add(dy, 0)];
          const t0 = performance.now();
          const info = conv2DBackpropFilterWasm(tf, { inputs: { x: xr, dy: dyr }, backend: tf.backend(), attrs }, method);
          times.push(performance.now() - t0);
          tf.backend().disposeData(info.dataId);
          tf.dispose([xr, dyr]);
        }
        times.shift(); // warm-up
        times.sort((a, b) => a - b);
        line.push(`${method} ${times[1]!.toFixed(1)} ms`);
      }
      console.log(`${s.name}: ${line.join(', ')}`);
      tf.dispose([x, dy]);
    }
  });
});
