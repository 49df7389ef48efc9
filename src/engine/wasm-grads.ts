/**
 * The filter gradient of a regular convolution on tfjs 4.22's WASM backend, which ships no
 * `Conv2DBackpropFilter` kernel: without it any trainable `Conv2D` (or `Conv2DTranspose`) throws
 * during `tf.grad` on WASM. Built only from kernels the WASM backend has, called directly.
 */
import type * as tfTypes from '@tensorflow/tfjs';

type Tf = typeof tfTypes;
type TensorInfo = tfTypes.TensorInfo;
type DataId = TensorInfo['dataId'];
type Backend = { disposeData(dataId: DataId, force?: boolean): boolean };
type Conv2DInfo = ReturnType<Tf['backend_util']['computeConv2DInfo']>;

/** How the gradient is computed: per-tap slices and matrix products, or WASM's 3-D filter gradient. */
export type FilterGradMethod = 'matmul' | 'conv3d';

interface Attrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tfTypes.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** Calls WASM kernels directly; every TensorInfo it makes is disposed by `free` or returned. */
class Kernels {
  constructor(
    private readonly tf: Tf,
    readonly backend: Backend,
  ) {}

  run(name: string, inputs: unknown, attrs: Record<string, unknown> = {}): TensorInfo {
    const kernel = this.tf.getKernel(name, 'wasm');
    if (!kernel) throw new Error(`The WASM backend has no ${name} kernel.`);
    const out = kernel.kernelFunc({
      inputs: inputs as tfTypes.NamedTensorInfoMap,
      backend: this.backend,
      attrs: attrs as tfTypes.NamedAttrMap,
    });
    return Array.isArray(out) ? (out[0] as TensorInfo) : out;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  free(...ts: TensorInfo[]): void {
    for (const t of ts) this.backend.disposeData(t.dataId);
  }
}

/**
 * The input padded (or cropped) so that a 'valid' convolution of it with `convInfo`'s strides and
 * filter gives exactly `outHeight` × `outWidth`: (Ho − 1)·sh + kh rows, (Wo − 1)·sw + kw columns,
 * starting `top`/`left` rows/columns before the input. A new TensorInfo (or `x` itself when nothing changes).
 */
function paddedInput(k: Kernels, x: TensorInfo, c: Conv2DInfo): TensorInfo {
  const [n, h, w, ch] = x.shape as [number, number, number, number];
  const needH = (c.outHeight - 1) * c.strideHeight + c.filterHeight;
  const needW = (c.outWidth - 1) * c.strideWidth + c.filterWidth;
  const top = c.padInfo.top;
  const left = c.padInfo.left;
  const bottom = Math.max(0, needH - top - h);
  const right = Math.max(0, needW - left - w);
  let xp = x;
  if (top || bottom || left || right) {
    xp = k.run(
      'PadV2',
      { x },
      {
        paddings: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
  }
  if (xp.shape[1] !== needH || xp.shape[2] !== needW) {
    const cropped = k.run('Slice', { x: xp }, { begin: [0, 0, 0, 0], size: [n, needH, needW, ch] });
    if (xp !== x) k.free(xp);
    xp = cropped;
  }
  return xp;
}

/**
 * dW[i, j] = Σ over n, y, x of xp[n, y·sh + i, x·sw + j, :]ᵀ · dy[n, y, x, :]: one matrix product per
 * tap, X_ijᵀ [inC, rows] · dy [rows, outC], stacked along the first axis into [kh·kw·inC, outC] (the
 * filter's layout). The input is transposed once, channels first, so each X_ijᵀ is a plain slice of
 * it; dy is the same right-hand operand for every tap, so XNNPACK packs it once (the WASM matmul
 * caches its packed right operand by tensor; transposeA takes a path about 10× slower). With stride 1,
 * dy is zero-padded to the padded input's height and width, so every tap is the flattened input
 * [inC, N·Hp·Wp] shifted by i·Wp + j columns: one Slice of inC contiguous runs, no gather (the padded
 * pixels meet zeros in dy). With larger strides each tap is a StridedSlice.
 */
function viaMatMul(k: Kernels, xp: TensorInfo, dy: TensorInfo, c: Conv2DInfo): TensorInfo {
  const [n, hp, wp, inC] = xp.shape as [number, number, number, number];
  const { outHeight: ho, outWidth: wo, outChannels: outC, filterHeight: kh, filterWidth: kw } = c;
  let dyRows: TensorInfo; // [rows, outC]
  let tap: (i: number, j: number) => TensorInfo; // X_ijᵀ as [inC, rows]
  const xT = k.run('Transpose', { x: xp }, { perm: [3, 0, 1, 2] }); // [inC, n, hp, wp]
  if (c.strideHeight === 1 && c.strideWidth === 1) {
    const total = n * hp * wp;
    const rows = total - (kh - 1) * wp - (kw - 1); // one past the last real output pixel
    const paddings = [
      [0, 0],
      [0, kh - 1],
      [0, kw - 1],
      [0, 0],
    ];
    const dyPad = kh > 1 || kw > 1 ? k.run('PadV2', { x: dy }, { paddings, constantValue: 0 }) : k.reshape(dy, dy.shape);
    const dyFlat = k.reshape(dyPad, [total, outC]);
    dyRows = rows === total ? k.reshape(dyFlat, dyFlat.shape) : k.run('Slice', { x: dyFlat }, { begin: [0, 0], size: [rows, outC] });
    k.free(dyPad, dyFlat);
    tap = (i, j) => {
      const f = k.reshape(xT, [inC, total]);
      const out = rows === total ? f : k.run('Slice', { x: f }, { begin: [0, i * wp + j], size: [inC, rows] });
      if (out !== f) k.free(f);
      return out;
    };
  } else {
    const rows = n * ho * wo;
    dyRows = k.reshape(dy, [rows, outC]);
    tap = (i, j) => {
      const slice = k.run(
        'StridedSlice',
        { x: xT },
        {
          begin: [0, 0, i, j],
          end: [inC, n, i + (ho - 1) * c.strideHeight + 1, j + (wo - 1) * c.strideWidth + 1],
          strides: [1, 1, c.strideHeight, c.strideWidth],
          beginMask: 0,
          endMask: 0,
          ellipsisMask: 0,
          newAxisMask: 0,
          shrinkAxisMask: 0,
        },
      );
      const x2 = k.reshape(slice, [inC, rows]);
      k.free(slice);
      return x2;
    };
  }
  const taps: TensorInfo[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const a = tap(i, j);
      taps.push(k.run('BatchMatMul', { a, b: dyRows }, { transposeA: false, transposeB: false }));
      k.free(a);
    }
  }
  k.free(xT, dyRows);
  const stacked = taps.length === 1 ? (taps[0] as TensorInfo) : k.run('Concat', taps, { axis: 0 });
  const out = k.reshape(stacked, [kh, kw, inC, outC]);
  k.free(...taps);
  if (taps.length > 1) k.free(stacked);
  return out;
}

/**
 * The same gradient as a depth-1 3-D convolution's, through WASM's Conv3DBackpropFilterV2: kept to
 * measure against; slower, and with strides above 1 tfjs 4.22's WASM kernel disagrees with the CPU's.
 */
function viaConv3D(k: Kernels, xp: TensorInfo, dy: TensorInfo, c: Conv2DInfo): TensorInfo {
  if (c.strideHeight !== 1 || c.strideWidth !== 1) throw new Error('The conv3d method supports stride 1 only.');
  const [n, hp, wp, inC] = xp.shape as [number, number, number, number];
  const x5 = k.reshape(xp, [n, 1, hp, wp, inC]);
  const dy5 = k.reshape(dy, [n, 1, c.outHeight, c.outWidth, c.outChannels]);
  const dw5 = k.run(
    'Conv3DBackpropFilterV2',
    { x: x5, dy: dy5 },
    {
      strides: [1, c.strideHeight, c.strideWidth],
      pad: 'valid',
      filterShape: [1, c.filterHeight, c.filterWidth, inC, c.outChannels],
    },
  );
  const out = k.reshape(dw5, [c.filterHeight, c.filterWidth, inC, c.outChannels]);
  k.free(x5, dy5, dw5);
  return out;
}

/**
 * The kernel function: what the CPU backend's Conv2DBackpropFilter computes (NHWC or NCHW, any
 * strides, 'same' | 'valid' | explicit padding, dilations 1), on the WASM backend.
 */
export function conv2DBackpropFilterWasm(
  tf: Tf,
  args: { inputs: tfTypes.NamedTensorInfoMap; backend: unknown; attrs?: tfTypes.NamedAttrMap },
  method: FilterGradMethod = 'matmul',
): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as Attrs;
  const k = new Kernels(tf, args.backend as Backend);
  const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
  const c = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    format,
  );
  const nchw = format === 'channelsFirst';
  const xh = nchw ? k.run('Transpose', { x }, { perm: [0, 2, 3, 1] }) : x;
  const dyh = nchw ? k.run('Transpose', { x: dy }, { perm: [0, 2, 3, 1] }) : dy;
  const xp = paddedInput(k, xh, c);
  const dw = method === 'conv3d' ? viaConv3D(k, xp, dyh, c) : viaMatMul(k, xp, dyh, c);
  if (xp !== xh) k.free(xp);
  if (nchw) k.free(xh, dyh);
  return dw;
}

/**
 * Registers a WASM `Conv2DBackpropFilter` kernel unless one exists (idempotent), so `Conv2D` and
 * `Conv2DTranspose` weights train on WASM. Call it before training; the backend need not be started.
 */
export function registerWasmConvGradients(tf: Tf): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: (args) => conv2DBackpropFilterWasm(tf, args),
  });
}

/**
 * Layer classes whose weights cannot train on WASM even with `registerWasmConvGradients`: WASM has
 * neither DepthwiseConv2dNativeBackpropFilter nor …Input, so such a layer also stops gradients from
 * reaching the layers before it. Conv2D and Conv2DTranspose train.
 */
const NO_WASM_GRADIENT = new Set(['DepthwiseConv2D', 'SeparableConv2D']);

/**
 * The one WASM rule of every image task: the first layer, at or after the first one that trains
 * (layers in model order), whose gradients WASM lacks — training would have to pass through it — or
 * null when training can run on WASM. `className` as the layer table writes it.
 */
export function wasmGradientBlocker(layers: readonly { name: string; className: string; trains: boolean }[]): string | null {
  const first = layers.findIndex((l) => l.trains);
  if (first < 0) return null;
  return layers.slice(first).find((l) => NO_WASM_GRADIENT.has(l.className))?.name ?? null;
}

/** The sentence for a layer `wasmGradientBlocker` found. */
export function wasmBlockedMessage(layer: string, alternative: string): string {
  return `The WASM backend cannot train through ${layer}: depthwise convolutions have no gradients there. ${alternative}, or use WebGPU or WebGL.`;
}
