/** Tiny seeded models and data for engine tests in Node. */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../lib/random';
import { arraySource, type SampleSource } from '../engine/sources';
import { createLm, disposeLm, saveLm, type LmConfig, type SavedLm } from '../text/model';
import { TEST_VOCAB } from './text-tokenizer';

/** A small conv "backbone" with batch norm: input size×size×3 → [h, w, 8]. */
export function tinyBackbone(size = 8, seed = 1): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 3], name: 'input_1' });
  let x = tf.layers
    .conv2d({
      filters: 6,
      kernelSize: 3,
      padding: 'same',
      name: 'block_1_conv',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
    })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'block_1_bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'block_1_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({
      filters: 8,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      name: 'block_2_conv',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'out_relu' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: 'tiny' });
}

/** Separable colour classes: class k has channel k bright, plus noise. */
export function colourSet(perClass: number, classes: number, size = 8, seed = 7): { images: Float32Array[]; labels: number[] } {
  const rng = createRng(seed);
  const images: Float32Array[] = [];
  const labels: number[] = [];
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < perClass; i++) {
      const img = new Float32Array(size * size * 3);
      for (let p = 0; p < size * size; p++) {
        for (let ch = 0; ch < 3; ch++) {
          const base = ch === c % 3 ? 0.85 : 0.15;
          img[p * 3 + ch] = Math.min(1, Math.max(0, base + (rng() - 0.5) * 0.3));
        }
      }
      images.push(img);
      labels.push(c);
    }
  }
  return { images, labels };
}

/**
 * `colourSet` as training and validation sources: every `valEvery`-th image validates; ids are `img-<i>`.
 * `relabel` changes labels before the split (to make the validation set disagree, say).
 */
export function colourSources(
  perClass: number,
  classes: number,
  size: number,
  seed: number,
  valEvery: number,
  relabel: (label: number, i: number) => number = (l) => l,
): { train: SampleSource; val: SampleSource; trainIdx: number[]; valIdx: number[]; labels: number[] } {
  const { images, labels: base } = colourSet(perClass, classes, size, seed);
  const labels = base.map(relabel);
  const idx = images.map((_, i) => i);
  const trainIdx = idx.filter((i) => i % valEvery !== 0);
  const valIdx = idx.filter((i) => i % valEvery === 0);
  const pick = (ids: number[]) =>
    arraySource(
      ids.map((i) => images[i]!),
      ids.map((i) => labels[i]!),
      size,
      ids.map((i) => `img-${i}`),
    );
  return { train: pick(trainIdx), val: pick(valIdx), trainIdx, valIdx, labels };
}

/** A tiny GPT for text tests: 2 blocks of width 32, context 16, the test tokenizer's vocabulary (text-tokenizer.ts). */
export const TINY_LM: LmConfig = { vocabSize: TEST_VOCAB, contextLength: 16, width: 32, heads: 2, blocks: 2, mlpRatio: 2 };

/** Starts the cpu backend and returns a freshly initialised tiny LM (seeded) as its saved form, the "pre-trained" model of a test. */
export async function tinyPretrainedLm(seed: number, config: LmConfig = TINY_LM): Promise<SavedLm> {
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not start');
  const lm = createLm(tf, config, seed);
  try {
    return await saveLm(lm);
  } finally {
    disposeLm(lm);
  }
}
