/**
 * Writes a trained functional TF.js Layers image model as one ONNX model (opset 13, IR 8), in plain
 * TypeScript: a classifier (output [N, classes]) or a segmentation model (output [N, H, W, classes],
 * per-pixel class probabilities). The .onnx takes the same input as the TF.js export — NHWC float32
 * pixels, in the same range — and gives the same probabilities, in the same layout.
 *
 * Inside, tensors are NCHW (the ONNX convention): the graph opens with a Transpose (and a segmentation
 * graph closes with one back to NHWC); Conv weights are re-laid out (HWIO → OIHW), a
 * BatchNormalization that directly follows a convolution is folded into its weights, and a
 * ZeroPadding2D in front of a 'valid' convolution becomes that convolution's pads.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { StudioError } from '../../lib/errors';
import { ProtoWriter, float32LE, int64LE } from './protobuf';

export interface OnnxExportOptions {
  /** The square input side in pixels (must match the model's input when that is fixed). */
  inputSize: number;
  /** Class names in output (channel) order; stored in `metadata_props` ("labels", JSON) and the doc string. */
  labels: readonly string[];
  /** `producer_name`; default "finetune-studio". */
  producer?: string;
  /** More `metadata_props` entries (for example inputRange, resize). */
  metadata?: Readonly<Record<string, string>>;
}

export const ONNX_OPSET = 13;
export const ONNX_IR_VERSION = 8;
export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'probabilities';

/** Layer classes the exporter understands. */
export const ONNX_SUPPORTED_LAYERS = [
  'InputLayer',
  'ZeroPadding2D',
  'Conv2D',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'BatchNormalization',
  'ReLU',
  'LeakyReLU',
  'Activation',
  'Softmax',
  'Add',
  'Multiply',
  'Concatenate',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'AveragePooling2D',
  'MaxPooling2D',
  'UpSampling2D',
  'Flatten',
  'Dropout',
  'SpatialDropout2D',
  'GaussianNoise',
  'GaussianDropout',
  'Rescaling',
  'Dense',
] as const;

// ---------------------------------------------------------------------------------------------
// ONNX protobuf encoding (field numbers from onnx/onnx.proto)

const FLOAT = 1;
const INT64 = 7;

type Attr =
  | { name: string; kind: 'int'; value: number }
  | { name: string; kind: 'ints'; value: readonly number[] }
  | { name: string; kind: 'float'; value: number }
  | { name: string; kind: 'string'; value: string };

interface OnnxNode {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Attr[];
}

interface Initializer {
  name: string;
  dims: readonly number[];
  dataType: number;
  raw: Uint8Array;
}

const ATTR_TYPE = { float: 1, int: 2, string: 3, ints: 7 } as const;

function encodeAttr(a: Attr): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name);
  switch (a.kind) {
    case 'float':
      w.float(2, a.value);
      break;
    case 'int':
      w.int(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'ints':
      w.ints(8, a.value);
      break;
  }
  return w.int(20, ATTR_TYPE[a.kind]);
}

function encodeNode(n: OnnxNode): ProtoWriter {
  const w = new ProtoWriter().strings(1, n.inputs).strings(2, n.outputs).string(3, n.name).string(4, n.op);
  for (const a of n.attrs) w.message(5, encodeAttr(a));
  return w;
}

function encodeTensor(t: Initializer): ProtoWriter {
  return new ProtoWriter().ints(1, t.dims).int(2, t.dataType).string(8, t.name).bytes(9, t.raw);
}

function encodeValueInfo(name: string, dims: readonly (number | string)[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, FLOAT).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, name).message(2, type);
}

// ---------------------------------------------------------------------------------------------
// The graph, layer by layer

/** Where a Keras layer's output lives in the ONNX graph. */
interface Ref {
  /** ONNX tensor name. */
  name: string;
  /** Keras rank (4 = image, stored NCHW here; 2 = [N, features]). */
  rank: number;
  /** A ZeroPadding2D not yet written: [top, left, bottom, right] around `name`. */
  pads?: [number, number, number, number];
  /** The Pad node's output once it has been written. */
  padded?: string;
}

interface Weights {
  shape: number[];
  values: Float32Array;
}

type Layer = tfTypes.layers.Layer;

class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: Initializer[] = [];
  private used = new Set<string>();
  private scalars = new Map<number, string>();
  private roi: string | undefined;

  unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  node(op: string, name: string, inputs: string[], attrs: Attr[] = [], output?: string): string {
    const out = output ?? this.unique(name);
    this.nodes.push({ op, name: this.unique(`${name}/${op}`), inputs, outputs: [out], attrs });
    return out;
  }

  floats(name: string, dims: readonly number[], values: ArrayLike<number>): string {
    const n = this.unique(name);
    this.initializers.push({ name: n, dims, dataType: FLOAT, raw: float32LE(values) });
    return n;
  }

  int64s(name: string, values: readonly number[]): string {
    const n = this.unique(name);
    this.initializers.push({ name: n, dims: [values.length], dataType: INT64, raw: int64LE(values) });
    return n;
  }

  /** A shared float scalar initializer (Clip bounds, Rescaling factors). */
  scalar(value: number): string {
    let name = this.scalars.get(value);
    if (!name) {
      name = this.unique(`const_${value}`);
      this.initializers.push({ name, dims: [], dataType: FLOAT, raw: float32LE([value]) });
      this.scalars.set(value, name);
    }
    return name;
  }

  /** The empty `roi` input that Resize takes before its scales (shared). */
  emptyRoi(): string {
    this.roi ??= this.floats('resize_roi', [0], []);
    return this.roi;
  }

  /** The tensor behind `ref`, writing a pending ZeroPadding2D as a Pad node on first use. */
  use(ref: Ref, layerName: string): string {
    if (!ref.pads) return ref.name;
    if (!ref.padded) {
      const [t, l, b, r] = ref.pads;
      const pads = this.int64s(`${layerName}/pads`, [0, 0, t, l, 0, 0, b, r]);
      ref.padded = this.node('Pad', layerName, [ref.name, pads], [{ name: 'mode', kind: 'string', value: 'constant' }]);
    }
    return ref.padded;
  }
}

function unsupported(layer: Layer, why?: string): StudioError {
  const what = `the layer '${layer.name}' (${layer.getClassName()})`;
  return new StudioError('export-failed', why ? `ONNX export cannot convert ${what}: ${why}.` : `ONNX export does not support ${what}.`);
}

function inboundOf(layer: Layer): Layer[] {
  const node = layer.inboundNodes[0];
  if (!node) throw unsupported(layer, 'it is not connected');
  return node.inboundLayers;
}

function outputShapeOf(layer: Layer): (number | null)[] {
  const s = layer.outputShape;
  return (Array.isArray(s[0]) ? s[0] : s) as (number | null)[];
}

function pair(v: unknown, fallback: number): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v)) return [Number(v[0] ?? fallback), Number(v[1] ?? v[0] ?? fallback)];
  return [fallback, fallback];
}

/** TF 'same' padding, [top, left, bottom, right]: the extra pixel of an odd total goes at the end. */
function samePads(
  inH: number,
  inW: number,
  kernel: [number, number],
  strides: [number, number],
  dilation: [number, number],
): [number, number, number, number] {
  const one = (size: number, k: number, s: number, d: number): [number, number] => {
    const out = Math.ceil(size / s);
    const total = Math.max((out - 1) * s + (k - 1) * d + 1 - size, 0);
    const begin = Math.floor(total / 2);
    return [begin, total - begin];
  };
  const [t, b] = one(inH, kernel[0], strides[0], dilation[0]);
  const [l, r] = one(inW, kernel[1], strides[1], dilation[1]);
  return [t, l, b, r];
}

async function readWeights(layer: Layer): Promise<Weights[]> {
  return Promise.all(
    layer.weights.map(async (v) => {
      const t = v.read();
      return { shape: t.shape.slice(), values: (await t.data()) as Float32Array };
    }),
  );
}

/** Per-channel scale and shift of an inference-mode BatchNormalization: y = x·scale + shift. */
async function batchNormAffine(layer: Layer, channels: number): Promise<{ scale: Float64Array; shift: Float64Array }> {
  const cfg = layer.getConfig();
  const axis = Number(cfg.axis ?? -1);
  const rank = outputShapeOf(layer).length;
  if (axis !== -1 && axis !== rank - 1) throw unsupported(layer, `normalisation over axis ${axis} is not the channel axis`);
  const eps = Number(cfg.epsilon ?? 1e-3);
  const ws = await readWeights(layer);
  let i = 0;
  const gamma = cfg.scale === false ? null : ws[i++];
  const beta = cfg.center === false ? null : ws[i++];
  const mean = ws[i++];
  const variance = ws[i];
  if (!mean || !variance || mean.values.length !== channels) throw unsupported(layer, 'its weights do not match its input');
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const s = (gamma ? (gamma.values[c] ?? 1) : 1) / Math.sqrt((variance.values[c] ?? 1) + eps);
    scale[c] = s;
    shift[c] = (beta ? (beta.values[c] ?? 0) : 0) - (mean.values[c] ?? 0) * s;
  }
  return { scale, shift };
}

/** Writes a Keras activation after `input`; returns the output tensor name. */
function activation(g: GraphBuilder, layer: Layer, name: string, input: string, rank: number, output?: string): string {
  switch (name) {
    case 'linear':
      return output ? g.node('Identity', layer.name, [input], [], output) : input;
    case 'relu':
      return g.node('Relu', layer.name, [input], [], output);
    case 'relu6':
      return g.node('Clip', layer.name, [input, g.scalar(0), g.scalar(6)], [], output);
    case 'sigmoid':
      return g.node('Sigmoid', layer.name, [input], [], output);
    case 'tanh':
      return g.node('Tanh', layer.name, [input], [], output);
    case 'softmax':
      // Keras softmaxes the last axis; an image tensor keeps its channels on axis 1 here.
      return g.node('Softmax', layer.name, [input], [{ name: 'axis', kind: 'int', value: rank === 4 ? 1 : -1 }], output);
    default:
      throw unsupported(layer, `the activation '${name}' has no ONNX mapping here`);
  }
}

/** Keras channels-last axis → this graph's axis (rank-4 tensors are NCHW). */
function onnxAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (rank !== 4) return a;
  return a === 3 ? 1 : a + 1;
}

function checkChannelsLast(layer: Layer): void {
  const format = layer.getConfig().dataFormat;
  if (format !== undefined && format !== null && format !== 'channelsLast') {
    throw unsupported(layer, `data format '${String(format)}' (only channels-last is supported)`);
  }
}

/** A Keras kernel [kh, kw, I, M] as OIHW; depthwise: [I·M, 1, kh, kw] with output channel i·M + m. */
function toOIHW(k: Weights, depthwise: boolean): { w: Float64Array; dims: [number, number, number, number] } {
  const [kh, kw, cin, last] = k.shape as [number, number, number, number];
  const cout = depthwise ? cin * last : last;
  const perGroup = depthwise ? 1 : cin;
  const w = new Float64Array(cout * perGroup * kh * kw);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < cin; i++) {
        for (let j = 0; j < last; j++) {
          const o = depthwise ? i * last + j : j;
          w[((o * perGroup + (depthwise ? 0 : i)) * kh + y) * kw + x] = k.values[((y * kw + x) * cin + i) * last + j] ?? 0;
        }
      }
    }
  }
  return { w, dims: [cout, perGroup, kh, kw] };
}

/** Conv2D, DepthwiseConv2D or SeparableConv2D, with an optional BatchNormalization folded in. */
async function convolution(g: GraphBuilder, layer: Layer, input: Ref, bn: Layer | null): Promise<Ref> {
  checkChannelsLast(layer);
  const cfg = layer.getConfig();
  const cls = layer.getClassName();
  const kernel = pair(cfg.kernelSize, 1);
  const strides = pair(cfg.strides, 1);
  // TF.js 4.22's DepthwiseConv2D layer ignores its dilation rate (it passes none to the op); the
  // export follows what TF.js computes, since "same predictions" means the TF.js model's.
  const dilation = cls === 'DepthwiseConv2D' ? ([1, 1] as [number, number]) : pair(cfg.dilationRate, 1);
  const padding = String(cfg.padding ?? 'valid');
  const ws = await readWeights(layer);
  const useBias = cfg.useBias !== false;
  const kernels = cls === 'SeparableConv2D' ? ws.slice(0, 2) : ws.slice(0, 1);
  if (kernels.length === 0 || kernels.some((k) => k.shape.length !== 4)) throw unsupported(layer, 'its kernels are not 4-D');
  const biasValues = useBias ? ws[kernels.length]?.values : undefined;

  let source: string;
  let pads: [number, number, number, number] = [0, 0, 0, 0];
  if (padding === 'valid' && input.pads && !input.padded) {
    source = input.name; // fold the ZeroPadding2D into this convolution
    pads = input.pads;
  } else {
    source = g.use(input, layer.name);
    if (padding === 'same') {
      const inShape = outputShapeOf(inboundOf(layer)[0] as Layer);
      const h = inShape[1];
      const wd = inShape[2];
      if (typeof h !== 'number' || typeof wd !== 'number') throw unsupported(layer, "'same' padding needs a fixed input size");
      pads = samePads(h, wd, kernel, strides, dilation);
    } else if (padding !== 'valid') {
      throw unsupported(layer, `padding '${padding}'`);
    }
  }
  const spatial: Attr[] = [
    { name: 'kernel_shape', kind: 'ints', value: kernel },
    { name: 'strides', kind: 'ints', value: strides },
    { name: 'dilations', kind: 'ints', value: dilation },
    { name: 'pads', kind: 'ints', value: [pads[0], pads[1], pads[2], pads[3]] },
  ];

  // A separable convolution is a depthwise one (spatial, no bias) then a 1×1 one (bias, BN).
  let last = kernels[0] as Weights;
  let depthwise = cls === 'DepthwiseConv2D';
  let attrs = spatial;
  if (cls === 'SeparableConv2D') {
    const dw = toOIHW(last, true);
    const cin = (last.shape[2] ?? 1) as number;
    source = g.node(
      'Conv',
      `${layer.name}/depthwise`,
      [source, g.floats(`${layer.name}/depthwise_weight`, dw.dims, dw.w)],
      [...spatial, { name: 'group', kind: 'int', value: cin }],
    );
    last = kernels[1] as Weights;
    depthwise = false;
    attrs = [{ name: 'kernel_shape', kind: 'ints', value: [1, 1] }];
  }
  const { w, dims } = toOIHW(last, depthwise);
  const cout = dims[0];
  const bias = new Float64Array(cout);
  if (biasValues) {
    if (biasValues.length !== cout) throw unsupported(layer, 'its bias does not match its filters');
    for (let o = 0; o < cout; o++) bias[o] = biasValues[o] ?? 0;
  }
  if (bn) {
    const { scale, shift } = await batchNormAffine(bn, cout);
    const per = w.length / cout;
    for (let o = 0; o < cout; o++) {
      const s = scale[o] ?? 1;
      for (let k = 0; k < per; k++) w[o * per + k] = (w[o * per + k] ?? 0) * s;
      bias[o] = (bias[o] ?? 0) * s + (shift[o] ?? 0);
    }
  }
  const inputs = [source, g.floats(`${layer.name}/weight`, dims, w)];
  if (biasValues || bn) inputs.push(g.floats(`${layer.name}/bias`, [cout], bias));
  const conv = g.node('Conv', bn ? bn.name : layer.name, inputs, [
    ...attrs,
    { name: 'group', kind: 'int', value: depthwise ? ((last.shape[2] ?? 1) as number) : 1 },
  ]);
  return { name: activation(g, layer, String(cfg.activation ?? 'linear'), conv, 4), rank: 4 };
}

function pooling(g: GraphBuilder, layer: Layer, input: Ref): Ref {
  checkChannelsLast(layer);
  const cfg = layer.getConfig();
  const kernel = pair(cfg.poolSize, 2);
  const strides = cfg.strides == null ? kernel : pair(cfg.strides, 1);
  const padding = String(cfg.padding ?? 'valid');
  let pads: [number, number, number, number] = [0, 0, 0, 0];
  if (padding === 'same') {
    const inShape = outputShapeOf(inboundOf(layer)[0] as Layer);
    const h = inShape[1];
    const w = inShape[2];
    if (typeof h !== 'number' || typeof w !== 'number') throw unsupported(layer, "'same' padding needs a fixed input size");
    pads = samePads(h, w, kernel, strides, [1, 1]);
  }
  const op = layer.getClassName() === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool';
  // AveragePool's count_include_pad defaults to 0: like TF, padding is left out of the average.
  const name = g.node(
    op,
    layer.name,
    [g.use(input, layer.name)],
    [
      { name: 'kernel_shape', kind: 'ints', value: kernel },
      { name: 'strides', kind: 'ints', value: strides },
      { name: 'pads', kind: 'ints', value: pads },
    ],
  );
  return { name, rank: 4 };
}

/**
 * UpSampling2D → Resize by [1, 1, sh, sw]. TF.js's layer calls tf.image.resizeBilinear /
 * resizeNearestNeighbor with alignCorners and halfPixelCenters both false: the source coordinate is
 * the output one divided by the scale ('asymmetric'), and nearest rounds it down ('floor').
 */
function upsampling(g: GraphBuilder, layer: Layer, input: Ref): Ref {
  checkChannelsLast(layer);
  if (input.rank !== 4) throw unsupported(layer, `an UpSampling2D on a rank-${input.rank} input`);
  const cfg = layer.getConfig();
  const [sh, sw] = pair(cfg.size, 2);
  if (!Number.isInteger(sh) || !Number.isInteger(sw) || sh < 1 || sw < 1) throw unsupported(layer, `the size [${sh}, ${sw}]`);
  const interpolation = String(cfg.interpolation ?? 'nearest');
  const attrs: Attr[] = [{ name: 'coordinate_transformation_mode', kind: 'string', value: 'asymmetric' }];
  if (interpolation === 'bilinear') {
    attrs.push({ name: 'mode', kind: 'string', value: 'linear' });
  } else if (interpolation === 'nearest') {
    attrs.push({ name: 'mode', kind: 'string', value: 'nearest' }, { name: 'nearest_mode', kind: 'string', value: 'floor' });
  } else {
    throw unsupported(layer, `the interpolation '${interpolation}'`);
  }
  const scales = g.floats(`${layer.name}/scales`, [4], [1, 1, sh, sw]);
  return { name: g.node('Resize', layer.name, [g.use(input, layer.name), g.emptyRoi(), scales], attrs), rank: 4 };
}

async function dense(g: GraphBuilder, layer: Layer, input: Ref): Promise<Ref> {
  if (input.rank !== 2) throw unsupported(layer, `a Dense layer on a rank-${input.rank} input`);
  const cfg = layer.getConfig();
  const [kernel, bias] = await readWeights(layer);
  if (!kernel || kernel.shape.length !== 2) throw unsupported(layer, 'its kernel is not 2-D');
  const [nIn, nOut] = kernel.shape as [number, number];
  const inputs = [g.use(input, layer.name), g.floats(`${layer.name}/kernel`, [nIn, nOut], kernel.values)];
  if (cfg.useBias !== false && bias) inputs.push(g.floats(`${layer.name}/bias`, [nOut], bias.values));
  const gemm = g.node('Gemm', layer.name, inputs, [{ name: 'transB', kind: 'int', value: 0 }]);
  return { name: activation(g, layer, String(cfg.activation ?? 'linear'), gemm, 2), rank: 2 };
}

/** The layers (of `layers`) that read each layer's output, keyed by the read layer's name. */
function consumers(layers: readonly Layer[]): Map<string, Layer[]> {
  const map = new Map<string, Layer[]>();
  for (const layer of layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    for (const from of inboundOf(layer)) {
      const list = map.get(from.name) ?? [];
      list.push(layer);
      map.set(from.name, list);
    }
  }
  return map;
}

function foldableBatchNorm(layer: Layer, readers: Map<string, Layer[]>, outputs: ReadonlySet<string>): Layer | null {
  const cls = layer.getClassName();
  if (cls !== 'Conv2D' && cls !== 'DepthwiseConv2D' && cls !== 'SeparableConv2D') return null;
  if (String(layer.getConfig().activation ?? 'linear') !== 'linear' || outputs.has(layer.name)) return null;
  const next = readers.get(layer.name);
  if (next?.length !== 1) return null;
  const bn = next[0];
  if (!bn || bn.getClassName() !== 'BatchNormalization') return null;
  const axis = Number(bn.getConfig().axis ?? -1);
  return axis === -1 || axis === 3 ? bn : null;
}

/**
 * Encodes `model` — a classifier ([N, classes] out) or a segmentation model ([N, H, W, classes] out) —
 * as an ONNX ModelProto. Reads the weights with `await data()` (no synchronous GPU readback), so it
 * runs on any backend. Throws StudioError('export-failed') naming the first layer it cannot convert.
 */
export async function exportOnnx(model: tfTypes.LayersModel, opts: OnnxExportOptions): Promise<Uint8Array> {
  const modelInput = model.inputs[0];
  const modelOutput = model.outputs[0];
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || !modelInput || !modelOutput) {
    throw new StudioError('export-failed', 'ONNX export needs a model with one input and one output.');
  }
  const inShape = modelInput.shape;
  const channels = inShape[3];
  if (inShape.length !== 4 || typeof channels !== 'number') {
    throw new StudioError('export-failed', 'ONNX export needs an image model (input [batch, height, width, channels]).');
  }
  const size = opts.inputSize;
  if ((inShape[1] != null && inShape[1] !== size) || (inShape[2] != null && inShape[2] !== size)) {
    throw new StudioError('export-failed', `The model takes ${inShape[1]}×${inShape[2]} images, not ${size}×${size}.`);
  }
  const outShape = modelOutput.shape;
  // A classifier gives [N, classes]; a segmentation model [N, H, W, classes] (NHWC, as in TF.js).
  const perPixel = outShape.length === 4;
  const numClasses = outShape[outShape.length - 1];
  if ((outShape.length !== 2 && !perPixel) || typeof numClasses !== 'number') {
    throw new StudioError(
      'export-failed',
      'ONNX export needs a classifier (output [batch, classes]) or a segmentation model (output [batch, height, width, classes]).',
    );
  }
  if (opts.labels.length !== numClasses) {
    throw new StudioError(
      'export-failed',
      perPixel
        ? `The model has ${numClasses} classes per pixel but ${opts.labels.length} labels were given.`
        : `The model has ${numClasses} outputs but ${opts.labels.length} labels were given.`,
    );
  }
  const outDims: (number | string)[] = perPixel ? ['N', outShape[1] ?? 'H', outShape[2] ?? 'W', numClasses] : ['N', numClasses];

  const g = new GraphBuilder();
  g.unique(ONNX_INPUT);
  g.unique(ONNX_OUTPUT);
  const layers = model.layers;
  const readers = consumers(layers);
  const outputLayer = modelOutput.sourceLayer;
  const refs = new Map<string, Ref>();
  const folded = new Set<string>();

  const inputOf = (layer: Layer, k = 0): Ref => {
    const from = inboundOf(layer)[k];
    const ref = from && refs.get(from.name);
    if (!ref) throw unsupported(layer, 'its input comes from outside the model or from a later layer');
    return ref;
  };

  for (const layer of layers) {
    if (folded.has(layer.name)) continue;
    const cls = layer.getClassName();
    const cfg = () => layer.getConfig();
    let ref: Ref;
    switch (cls) {
      case 'InputLayer':
        ref = { name: g.node('Transpose', 'input_nchw', [ONNX_INPUT], [{ name: 'perm', kind: 'ints', value: [0, 3, 1, 2] }]), rank: 4 };
        break;
      case 'ZeroPadding2D': {
        checkChannelsLast(layer);
        const p = cfg().padding as unknown;
        const [[t, b], [l, r]] = Array.isArray(p) ? [pair(p[0], 0), pair(p[1], 0)] : [pair(p, 0), pair(p, 0)];
        const input = inputOf(layer);
        ref = { name: g.use(input, layer.name), rank: 4, pads: [t, l, b, r] };
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D':
      case 'SeparableConv2D': {
        const bn = foldableBatchNorm(layer, readers, new Set([outputLayer.name]));
        ref = await convolution(g, layer, inputOf(layer), bn);
        if (bn) {
          folded.add(bn.name);
          refs.set(bn.name, ref);
        }
        break;
      }
      case 'BatchNormalization': {
        const input = inputOf(layer);
        const shape = outputShapeOf(layer);
        const c = shape[shape.length - 1];
        if (typeof c !== 'number') throw unsupported(layer, 'its channel count is unknown');
        const { scale, shift } = await batchNormAffine(layer, c);
        // Folded to scale/shift already: as a BatchNormalization op with mean 0 and variance 1 − ε.
        const eps = 1e-5;
        const name = g.node(
          'BatchNormalization',
          layer.name,
          [
            g.use(input, layer.name),
            g.floats(`${layer.name}/scale`, [c], scale),
            g.floats(`${layer.name}/shift`, [c], shift),
            g.floats(`${layer.name}/mean`, [c], new Float32Array(c)),
            g.floats(`${layer.name}/var`, [c], new Float32Array(c).fill(1 - eps)),
          ],
          [{ name: 'epsilon', kind: 'float', value: eps }],
        );
        ref = { name, rank: input.rank };
        break;
      }
      case 'ReLU': {
        const input = inputOf(layer);
        const c = cfg();
        const max = c.maxValue;
        if (c.negativeSlope || c.threshold) throw unsupported(layer, 'a ReLU with a negative slope or threshold');
        const x = g.use(input, layer.name);
        const name = max == null ? g.node('Relu', layer.name, [x]) : g.node('Clip', layer.name, [x, g.scalar(0), g.scalar(Number(max))]);
        ref = { name, rank: input.rank };
        break;
      }
      case 'LeakyReLU': {
        const input = inputOf(layer);
        const alpha = Number(cfg().alpha ?? 0.3);
        ref = {
          name: g.node('LeakyRelu', layer.name, [g.use(input, layer.name)], [{ name: 'alpha', kind: 'float', value: alpha }]),
          rank: input.rank,
        };
        break;
      }
      case 'Activation': {
        const input = inputOf(layer);
        ref = { name: activation(g, layer, String(cfg().activation), g.use(input, layer.name), input.rank), rank: input.rank };
        break;
      }
      case 'Softmax': {
        const input = inputOf(layer);
        const axis = Number(cfg().axis ?? -1);
        ref = {
          name: g.node(
            'Softmax',
            layer.name,
            [g.use(input, layer.name)],
            [{ name: 'axis', kind: 'int', value: onnxAxis(axis, input.rank) }],
          ),
          rank: input.rank,
        };
        break;
      }
      case 'Add':
      case 'Multiply': {
        const ins = inboundOf(layer).map((_, k) => inputOf(layer, k));
        const names = ins.map((r) => g.use(r, layer.name));
        const op = cls === 'Add' ? (names.length === 2 ? 'Add' : 'Sum') : 'Mul';
        let name: string;
        if (op === 'Mul') {
          name = names.slice(1).reduce((acc, n) => g.node('Mul', layer.name, [acc, n]), names[0] ?? '');
        } else {
          name = g.node(op, layer.name, names);
        }
        ref = { name, rank: ins[0]?.rank ?? 4 };
        break;
      }
      case 'Concatenate': {
        const ins = inboundOf(layer).map((_, k) => inputOf(layer, k));
        const rank = ins[0]?.rank ?? 4;
        const axis = onnxAxis(Number(cfg().axis ?? -1), rank);
        ref = {
          name: g.node(
            'Concat',
            layer.name,
            ins.map((r) => g.use(r, layer.name)),
            [{ name: 'axis', kind: 'int', value: axis }],
          ),
          rank,
        };
        break;
      }
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D': {
        checkChannelsLast(layer);
        const input = inputOf(layer);
        const op = cls === 'GlobalAveragePooling2D' ? 'GlobalAveragePool' : 'GlobalMaxPool';
        const pooled = g.node(op, layer.name, [g.use(input, layer.name)]);
        if (outputShapeOf(layer).length === 4) ref = { name: pooled, rank: 4 };
        else ref = { name: g.node('Flatten', layer.name, [pooled], [{ name: 'axis', kind: 'int', value: 1 }]), rank: 2 };
        break;
      }
      case 'AveragePooling2D':
      case 'MaxPooling2D':
        ref = pooling(g, layer, inputOf(layer));
        break;
      case 'UpSampling2D':
        ref = upsampling(g, layer, inputOf(layer));
        break;
      case 'Flatten': {
        const input = inputOf(layer);
        let x = g.use(input, layer.name);
        // Keras flattens in H, W, C order: go back to NHWC first.
        if (input.rank === 4) x = g.node('Transpose', layer.name, [x], [{ name: 'perm', kind: 'ints', value: [0, 2, 3, 1] }]);
        ref = input.rank === 2 ? input : { name: g.node('Flatten', layer.name, [x], [{ name: 'axis', kind: 'int', value: 1 }]), rank: 2 };
        break;
      }
      case 'Dropout':
      case 'SpatialDropout2D':
      case 'GaussianNoise':
      case 'GaussianDropout':
        ref = inputOf(layer); // identity at inference
        break;
      case 'Rescaling': {
        const input = inputOf(layer);
        const c = cfg();
        if (typeof c.scale !== 'number' || typeof c.offset !== 'number') throw unsupported(layer, 'per-channel rescaling');
        const mul = g.node('Mul', layer.name, [g.use(input, layer.name), g.scalar(c.scale)]);
        ref = { name: g.node('Add', layer.name, [mul, g.scalar(c.offset)]), rank: input.rank };
        break;
      }
      case 'Dense':
        ref = await dense(g, layer, inputOf(layer));
        break;
      default:
        throw unsupported(layer);
    }
    refs.set(layer.name, ref);
  }

  const final = refs.get(outputLayer.name);
  if (!final || final.rank !== outShape.length) throw new StudioError('export-failed', 'ONNX export could not find the model output.');
  const finalName = g.use(final, 'output');
  if (perPixel) {
    // NCHW inside → NHWC out, the layout the TF.js model gives.
    g.node('Transpose', 'output', [finalName], [{ name: 'perm', kind: 'ints', value: [0, 2, 3, 1] }], ONNX_OUTPUT);
  } else {
    let renamed = false;
    for (const n of g.nodes) {
      n.inputs = n.inputs.map((x) => (x === finalName ? ONNX_OUTPUT : x));
      n.outputs = n.outputs.map((x) => {
        if (x !== finalName) return x;
        renamed = true;
        return ONNX_OUTPUT;
      });
    }
    if (!renamed) g.node('Identity', 'output', [finalName], [], ONNX_OUTPUT);
  }

  const labelsJson = JSON.stringify(opts.labels);
  const inputDoc = `Input "${ONNX_INPUT}": float32 NHWC [N, ${size}, ${size}, ${channels}], pixels preprocessed exactly as for the TF.js export.`;
  const doc = perPixel
    ? `Image segmentation model. ${inputDoc} Output "${ONNX_OUTPUT}": float32 NHWC [${outDims.join(', ')}], ` +
      `per-pixel class probabilities (over the last axis) in this label order: ${labelsJson}`
    : `Image classifier. ${inputDoc} Output "${ONNX_OUTPUT}": float32 [N, ${numClasses}], class probabilities ` +
      `in this label order: ${labelsJson}`;

  const graph = new ProtoWriter();
  for (const n of g.nodes) graph.message(1, encodeNode(n));
  graph.string(2, model.name || 'model');
  for (const t of g.initializers) graph.message(5, encodeTensor(t));
  graph.string(10, doc);
  graph.message(11, encodeValueInfo(ONNX_INPUT, ['N', size, size, channels]));
  graph.message(12, encodeValueInfo(ONNX_OUTPUT, outDims));

  const meta: Record<string, string> = {
    labels: labelsJson,
    inputSize: String(size),
    inputLayout: 'NHWC',
    ...(perPixel ? { outputLayout: 'NHWC' } : {}),
    ...opts.metadata,
  };
  const proto = new ProtoWriter()
    .int(1, ONNX_IR_VERSION)
    .string(2, opts.producer ?? 'finetune-studio')
    .int(5, 1)
    .string(6, doc)
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').int(2, ONNX_OPSET));
  for (const [key, value] of Object.entries(meta)) proto.message(14, new ProtoWriter().string(1, key).string(2, value));
  return proto.finish();
}
