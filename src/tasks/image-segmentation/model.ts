/**
 * The segmentation model: a U-Net-style decoder on a pre-trained image backbone (the bundled
 * MobileNetV2). The decoder reads the backbone's output and one skip connection per resolution
 * (strides 16, 8, 4 and 2 of the input), and at each level upsamples (bilinear ×2), concatenates the
 * skip and mixes with a 3×3 convolution; a 1×1 convolution gives each class's logit at half the input
 * size, a last bilinear ×2 brings them to the input size, and a softmax gives per-pixel class
 * probabilities: output [N, S, S, classes]. Every decoder layer is named `seg_…`; like a classifier's
 * head, the decoder always trains, and the backbone's layers train as the freezing says.
 *
 * Only standard Layers (UpSampling2D, Concatenate, Conv2D, Activation), so the TF.js export loads with
 * plain `tf.loadLayersModel` and the ONNX exporter converts it.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { deriveSeed } from '../../lib/random';
import { StudioError } from '../../lib/errors';
import { layerTable } from '../../models/inspect';
import type { LayerInfo } from '../../engine/types';

type Tf = typeof tfTypes;
type SymbolicTensor = tfTypes.SymbolicTensor;

/** Every decoder layer's name starts with this. */
export const DECODER_PREFIX = 'seg_';

export const isDecoderLayer = (name: string): boolean => name.startsWith(DECODER_PREFIX);

/** Output channels of the decoder's levels, deepest first (strides 16, 8, 4, 2), and of the bottleneck's 1×1 reduction. */
export const DECODER_WIDTHS = { reduce: 96, levels: [96, 64, 40, 24] } as const;

/** The input sides the segmenter takes: multiples of 32 (the backbone halves the image five times). */
export const SEG_SIZES = [128, 160, 192, 224, 256] as const;

export interface Skip {
  /** The backbone layer whose output the decoder reads. */
  layer: string;
  /** How many times smaller than the input its feature map is. */
  stride: number;
  channels: number;
}

/**
 * The skip connections a decoder reads from a backbone's layer table (its layers with their output
 * shapes at `inputSize` and whether each is a cut point): for each stride 16, 8, 4, 2 (deepest first)
 * the deepest *cut point* at that resolution (a layer whose output alone carries the model forward,
 * so caching it never cuts a residual block in half), moved back over the expansion layers that only
 * widen it to the narrower block output before them (MobileNetV2's `block_13_expand_relu`, 576
 * channels, → `block_12_add`, 96). For the bundled MobileNetV2: block_12_add, block_5_add,
 * block_2_add, expanded_conv_project_BN. Pure: the model step sizes the decoder from it before a run.
 */
export function planSkips(layers: readonly Pick<LayerInfo, 'name' | 'outputShape' | 'cut'>[], inputSize: number): Skip[] {
  const skips: Skip[] = [];
  for (const stride of [16, 8, 4, 2]) {
    const side = inputSize / stride;
    const at = layers.flatMap((l) => {
      const [, h, w, c] = l.outputShape;
      return l.cut && l.outputShape.length === 4 && h === side && w === side && typeof c === 'number'
        ? [{ name: l.name, channels: c }]
        : [];
    });
    let k = at.length - 1;
    if (k < 0) {
      throw new StudioError(
        'unsupported',
        `This backbone has no feature map of ${side}×${side} at ${inputSize} px input that a decoder can read; segmentation needs a convolutional backbone that halves the image step by step (like MobileNetV2).`,
      );
    }
    // Back over the run of layers as wide as the deepest; one narrower run before it is the block's output.
    const widest = at[k]?.channels ?? 0;
    let j = k;
    while (j > 0 && at[j - 1]?.channels === widest) j--;
    if (j > 0 && (at[j - 1]?.channels ?? 0) < widest) k = j - 1;
    const pick = at[k] as { name: string; channels: number };
    skips.push({ layer: pick.name, stride, channels: pick.channels });
  }
  return skips;
}

/** `planSkips` on a built backbone at its own input size. */
export function segmentationSkips(backbone: tfTypes.LayersModel): Skip[] {
  const size = backbone.inputs[0]?.shape[1];
  if (typeof size !== 'number') throw new StudioError('unsupported', 'The segmentation model needs a backbone with a fixed input size.');
  return planSkips(
    layerTable(backbone, () => false),
    size,
  );
}

/** The decoder's own parameters for skips of these widths on a bottleneck of `bottom` channels, with `numClasses` outputs. */
export function decoderParamCount(skips: readonly Pick<Skip, 'channels'>[], bottom: number, numClasses: number): number {
  let count = (bottom + 1) * DECODER_WIDTHS.reduce;
  let width: number = DECODER_WIDTHS.reduce;
  skips.forEach((skip, i) => {
    const out = DECODER_WIDTHS.levels[i] as number;
    count += ((width + skip.channels) * 9 + 1) * out;
    width = out;
  });
  return count + (width + 1) * numClasses;
}

export interface SegmenterOptions {
  numClasses: number;
  seed: number;
}

/** What the decoder was built from: recorded with the run, so the model card can say what it is. */
export interface DecoderInfo {
  skips: Skip[];
  widths: { reduce: number; levels: number[] };
  /** The decoder's own parameters. */
  params: number;
}

/**
 * backbone → U-Net decoder → per-pixel softmax: one functional model sharing the backbone's layers.
 * The backbone's output must be at stride 32 of an input whose side is a multiple of 32.
 */
export function composeSegmenter(
  tf: Tf,
  backbone: tfTypes.LayersModel,
  opts: SegmenterOptions,
): { model: tfTypes.LayersModel; decoder: DecoderInfo } {
  const size = backbone.inputs[0]?.shape[1];
  const out = backbone.outputs[0];
  if (typeof size !== 'number' || size % 32 !== 0 || !out || out.shape.length !== 4 || out.shape[1] !== size / 32) {
    throw new StudioError(
      'unsupported',
      'The segmentation model needs a convolutional backbone whose output is 32 times smaller than its input (like MobileNetV2), at an input side that is a multiple of 32.',
    );
  }
  const skips = segmentationSkips(backbone);
  const init = (name: string) => tf.initializers.heNormal({ seed: deriveSeed(opts.seed, name) });
  const conv = (name: string, filters: number, kernel: number, activation: 'relu' | 'linear') =>
    tf.layers.conv2d({
      name: `${DECODER_PREFIX}${name}`,
      filters,
      kernelSize: kernel,
      padding: 'same',
      activation,
      kernelInitializer: init(name),
      biasInitializer: 'zeros',
    });
  const up = (name: string) => tf.layers.upSampling2d({ name: `${DECODER_PREFIX}${name}`, size: [2, 2], interpolation: 'bilinear' });
  let x = conv('reduce', DECODER_WIDTHS.reduce, 1, 'relu').apply(out) as SymbolicTensor;
  skips.forEach((skip, i) => {
    const level = `${skip.stride}`;
    const width = DECODER_WIDTHS.levels[i] as number;
    x = up(`up${level}`).apply(x) as SymbolicTensor;
    const feature = backbone.getLayer(skip.layer).output as SymbolicTensor;
    x = tf.layers.concatenate({ name: `${DECODER_PREFIX}concat${level}`, axis: -1 }).apply([x, feature]) as SymbolicTensor;
    x = conv(`conv${level}`, width, 3, 'relu').apply(x) as SymbolicTensor;
  });
  x = conv('logits', opts.numClasses, 1, 'linear').apply(x) as SymbolicTensor;
  x = up('up1').apply(x) as SymbolicTensor;
  x = tf.layers.activation({ name: `${DECODER_PREFIX}softmax`, activation: 'softmax' }).apply(x) as SymbolicTensor;
  const model = tf.model({ inputs: backbone.inputs, outputs: x, name: 'segmenter' });
  const params = model.layers.filter((l) => isDecoderLayer(l.name)).reduce((s, l) => s + l.countParams(), 0);
  return { model, decoder: { skips, widths: { reduce: DECODER_WIDTHS.reduce, levels: [...DECODER_WIDTHS.levels] }, params } };
}

/** Applies a freezing policy to a segmenter: the decoder always trains; backbone layers train when named in `trainable`. */
export function applySegFreezing(model: tfTypes.LayersModel, trainable: ReadonlySet<string>): void {
  for (const layer of model.layers) layer.trainable = isDecoderLayer(layer.name) || trainable.has(layer.name);
}
