/**
 * A Teachable Machine image-model package: `model.json` + `weights.bin` + `metadata.json`, loadable
 * by `tmImage.load(modelURL, metadataURL)` from `@teachablemachine/image` (and by plain
 * `tf.loadLayersModel`).
 *
 * TM's library feeds the model a 224×224 centre crop scaled as `pixels / 127 − 1` (so 0 → −1 and
 * 255 → 1.008). The exported model takes exactly that and turns it back into what our model was
 * trained on, in layers that already existed in TF.js 1.x (TM's library pins tfjs 1.3.1):
 *
 *   tm_input [N,224,224,3] → tm_rescale (1×1 DepthwiseConv2D: pixel/255 mapped to our input range)
 *     → when our input size S ≠ 224: bilinear resize 224 → S as two fixed Dense layers between Permutes
 *     → every layer of our model, unchanged.
 *
 * The new layers are built as a small separate model and spliced into our model's saved topology, so
 * the live model is never touched.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { StudioError } from '../../lib/errors';

type Tf = typeof tfTypes;

export const TM_IMAGE_SIZE = 224;
/** What TM's library divides pixels by before subtracting 1 (`capture()` in its utils/tf.ts). */
export const TM_PIXEL_DIVISOR = 127;
/** Version strings of the TM export this package imitates; TM's library does not read them. */
const TM_VERSION = '2.4.7';
const TM_PACKAGE_VERSION = '0.8.4';

export interface TeachableExportOptions {
  labels: readonly string[];
  /** Our model's square input side in pixels. */
  inputSize: number;
  modelName: string;
  /** What our model expects pixel 0 and 255 to become; default [0, 1]. */
  inputRange?: readonly [number, number];
  /** TM's `pixels / divisor − 1`: 127 (TM's library, the default) or 127.5 (exactly [−1, 1]). */
  pixelDivisor?: number;
  /** Free-form data kept in metadata.json's `userMetadata` (TM's library passes it through). */
  userMetadata?: Record<string, unknown>;
  /** ISO time stamp for metadata.json; default now. */
  timeStamp?: string;
}

export interface TeachableFile {
  name: string;
  data: Uint8Array;
}

interface LayerJson {
  class_name: string;
  name?: string;
  config: { name?: string; batch_input_shape?: (number | null)[] } & Record<string, unknown>;
  inbound_nodes?: unknown[];
}

interface TopologyJson {
  class_name: string;
  config: {
    name?: string;
    layers: LayerJson[];
    input_layers: [string, number, number][];
    output_layers: [string, number, number][];
  };
  keras_version?: string;
  backend?: string;
}

interface Saved {
  topology: TopologyJson;
  specs: tfTypes.io.WeightsManifestEntry[];
  data: ArrayBuffer;
}

async function saveToMemory(tf: Tf, model: tfTypes.LayersModel): Promise<Saved> {
  let saved: Saved | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const w = artifacts.weightData;
      saved = {
        topology: JSON.parse(JSON.stringify(artifacts.modelTopology)) as TopologyJson,
        specs: artifacts.weightSpecs ?? [],
        data: w === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(w as ArrayBuffer | ArrayBuffer[]),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new StudioError('export-failed', 'The model could not be saved.');
  return saved;
}

/**
 * Rows of the bilinear resize matrix from `from` to `to` pixels (half-pixel centres, edges clamped):
 * the same weights as `tf.image.resizeBilinear(x, size, false, true)`. Returned as the [from, to]
 * kernel of a Dense layer acting on that axis.
 */
export function bilinearKernel(from: number, to: number): Float32Array {
  const k = new Float32Array(from * to);
  const scale = from / to;
  for (let o = 0; o < to; o++) {
    const src = (o + 0.5) * scale - 0.5;
    const lo = Math.max(0, Math.floor(src));
    const hi = Math.min(from - 1, Math.ceil(src));
    const frac = src - lo;
    k[lo * to + o] = (k[lo * to + o] ?? 0) + (1 - frac);
    k[hi * to + o] = (k[hi * to + o] ?? 0) + frac;
  }
  return k;
}

/** The TM-side preprocessing as a model of its own: [N,224,224,C] in TM's range → [N,S,S,C] in ours. */
function preprocessing(tf: Tf, size: number, channels: number, range: readonly [number, number], divisor: number): tfTypes.LayersModel {
  // TM gives t = p/divisor − 1 for a pixel p; we want lo + (hi − lo)·p/255 = a·t + b.
  const [lo, hi] = range;
  const a = ((hi - lo) * divisor) / 255;
  const b = lo + a;
  const input = tf.input({ batchShape: [null, TM_IMAGE_SIZE, TM_IMAGE_SIZE, channels], name: 'tm_input' });
  const rescale = tf.layers.depthwiseConv2d({ kernelSize: 1, useBias: true, name: 'tm_rescale' });
  let x = rescale.apply(input) as tfTypes.SymbolicTensor;
  const scaleShift = [tf.fill([1, 1, channels, 1], a), tf.fill([channels], b)];
  rescale.setWeights(scaleShift);
  tf.dispose(scaleShift);
  if (size !== TM_IMAGE_SIZE) {
    const kernel = tf.tensor2d(bilinearKernel(TM_IMAGE_SIZE, size), [TM_IMAGE_SIZE, size]);
    const resizeW = tf.layers.dense({ units: size, useBias: false, name: 'tm_resize_width' });
    const resizeH = tf.layers.dense({ units: size, useBias: false, name: 'tm_resize_height' });
    x = tf.layers.permute({ dims: [3, 1, 2], name: 'tm_to_channels_first' }).apply(x) as tfTypes.SymbolicTensor; // [N,C,H,W]
    x = resizeW.apply(x) as tfTypes.SymbolicTensor; // [N,C,H,S]
    x = tf.layers.permute({ dims: [1, 3, 2], name: 'tm_swap_height_width' }).apply(x) as tfTypes.SymbolicTensor; // [N,C,S,H]
    x = resizeH.apply(x) as tfTypes.SymbolicTensor; // [N,C,S(w),S(h)]
    x = tf.layers.permute({ dims: [3, 2, 1], name: 'tm_to_channels_last' }).apply(x) as tfTypes.SymbolicTensor; // [N,S,S,C]
    resizeW.setWeights([kernel]);
    resizeH.setWeights([kernel]);
    kernel.dispose();
  }
  return tf.model({ inputs: input, outputs: x, name: 'tm_preprocessing' });
}

/** Replaces `from` by `to` as a source layer name anywhere in a layer's inbound_nodes. */
function renameInbound(nodes: unknown, from: string, to: string): unknown {
  if (Array.isArray(nodes)) {
    if (nodes.length >= 3 && nodes[0] === from && typeof nodes[1] === 'number') return [to, ...nodes.slice(1)];
    return nodes.map((n) => renameInbound(n, from, to));
  }
  return nodes;
}

/** Teachable Machine package of `model` (which takes [N, S, S, 3] in `inputRange`). */
export async function exportTeachableMachine(tf: Tf, model: tfTypes.LayersModel, opts: TeachableExportOptions): Promise<TeachableFile[]> {
  const modelInput = model.inputs[0];
  const modelOutput = model.outputs[0];
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || !modelInput || !modelOutput) {
    throw new StudioError('export-failed', 'A Teachable Machine export needs a model with one input and one output.');
  }
  const shape = modelInput.shape;
  const channels = shape[3];
  if (shape.length !== 4 || channels !== 3) {
    throw new StudioError('export-failed', 'A Teachable Machine export needs a colour image model (input [batch, height, width, 3]).');
  }
  if ((shape[1] != null && shape[1] !== opts.inputSize) || (shape[2] != null && shape[2] !== opts.inputSize)) {
    throw new StudioError('export-failed', `The model takes ${shape[1]}×${shape[2]} images, not ${opts.inputSize}×${opts.inputSize}.`);
  }
  if (modelOutput.shape.length !== 2 || modelOutput.shape[1] !== opts.labels.length) {
    throw new StudioError(
      'export-failed',
      `The model has ${String(modelOutput.shape[1])} outputs but ${opts.labels.length} labels were given.`,
    );
  }

  const prep = preprocessing(tf, opts.inputSize, channels, opts.inputRange ?? [0, 1], opts.pixelDivisor ?? TM_PIXEL_DIVISOR);
  let pre: Saved;
  try {
    pre = await saveToMemory(tf, prep);
  } finally {
    prep.dispose();
  }
  const ours = await saveToMemory(tf, model);

  // Splice: TM's input and preprocessing, then our layers reading from the preprocessing's output.
  const ourInputs = ours.topology.config.input_layers;
  const ourInput = ourInputs[0]?.[0];
  const preOutput = pre.topology.config.output_layers[0]?.[0];
  if (ourInputs.length !== 1 || !ourInput || !preOutput) throw new StudioError('export-failed', 'The model has an unexpected topology.');
  const taken = new Set(ours.topology.config.layers.map((l) => l.config.name ?? l.name));
  for (const l of pre.topology.config.layers) {
    const name = l.config.name ?? l.name ?? '';
    if (taken.has(name)) throw new StudioError('export-failed', `The model already has a layer named '${name}'.`);
  }
  const layers = [
    ...pre.topology.config.layers,
    ...ours.topology.config.layers
      .filter((l) => (l.config.name ?? l.name) !== ourInput)
      .map((l) => ({ ...l, inbound_nodes: renameInbound(l.inbound_nodes, ourInput, preOutput) as unknown[] })),
  ];
  const topology: TopologyJson = {
    ...ours.topology,
    config: { ...ours.topology.config, layers, input_layers: pre.topology.config.input_layers },
  };

  const weights = new Uint8Array(pre.data.byteLength + ours.data.byteLength);
  weights.set(new Uint8Array(pre.data), 0);
  weights.set(new Uint8Array(ours.data), pre.data.byteLength);
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: topology,
    weightsManifest: [{ paths: ['weights.bin'], weights: [...pre.specs, ...ours.specs] }],
  };
  const metadata = {
    tfjsVersion: tf.version.tfjs,
    tmVersion: TM_VERSION,
    packageVersion: TM_PACKAGE_VERSION,
    packageName: '@teachablemachine/image',
    timeStamp: opts.timeStamp ?? new Date().toISOString(),
    userMetadata: opts.userMetadata ?? {},
    modelName: opts.modelName,
    labels: [...opts.labels],
    imageSize: TM_IMAGE_SIZE,
  };
  const enc = new TextEncoder();
  return [
    { name: 'model.json', data: enc.encode(JSON.stringify(modelJson)) },
    { name: 'weights.bin', data: weights },
    { name: 'metadata.json', data: enc.encode(JSON.stringify(metadata, null, 2)) },
  ];
}
