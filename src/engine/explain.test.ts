import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { featureMapIndex, gradCam } from './explain';
import { composeClassifier } from '../models/head';
import { colourSet, tinyBackbone } from '../test/tiny';

const SIZE = 8;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function tinyClassifier() {
  const backbone = tinyBackbone(SIZE);
  return composeClassifier(tf, backbone, { numClasses: 3, dropout: 0.2, seed: 5 });
}

describe('gradCam', () => {
  it('weights the feature map feeding head_pool and returns a [0, 1] map of its size', async () => {
    const model = tinyClassifier();
    expect(model.layers[featureMapIndex(model)]?.name).toBe('out_relu');
    const { images } = colourSet(1, 3, SIZE, 3);
    const before = tf.memory().numTensors;
    const res = await gradCam(tf, model, images[1]!, SIZE);
    expect(tf.memory().numTensors).toBe(before);
    expect(res.method).toBe('grad-cam');
    expect(res.layer).toBe('out_relu');
    expect([res.height, res.width]).toEqual([4, 4]); // stride-2 conv on 8×8
    expect(res.heatmap).toHaveLength(16);
    for (const v of res.heatmap) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(res.probabilities).toHaveLength(3);
    expect(res.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const top = res.probabilities.indexOf(Math.max(...res.probabilities));
    expect(res.classIndex).toBe(top);
    // Normalised to a peak of 1, and not flat: an all-zero map would pass every check above.
    expect(Math.max(...res.heatmap)).toBeCloseTo(1, 5);
    expect(Math.min(...res.heatmap)).toBeLessThan(0.99);
    model.dispose();
  });

  it('explains a chosen class and rejects one that does not exist', async () => {
    const model = tinyClassifier();
    const { images } = colourSet(1, 3, SIZE, 3);
    const before = tf.memory().numTensors;
    const res = await gradCam(tf, model, images[0]!, SIZE, 2);
    expect(res.classIndex).toBe(2);
    await expect(gradCam(tf, model, images[0]!, SIZE, 7)).rejects.toThrow(/no class 7/);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('falls back to input saliency when there is no 4-D feature map', async () => {
    const input = tf.input({ shape: [SIZE, SIZE, 3] });
    const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
    const out = tf.layers
      .dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })
      .apply(flat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    expect(featureMapIndex(model)).toBe(-1);
    const { images } = colourSet(1, 2, SIZE, 3);
    const before = tf.memory().numTensors;
    const res = await gradCam(tf, model, images[0]!, SIZE);
    expect(tf.memory().numTensors).toBe(before);
    expect(res.method).toBe('saliency');
    expect([res.height, res.width]).toEqual([SIZE, SIZE]);
    expect(Math.max(...res.heatmap)).toBeCloseTo(1, 5);
    expect(Math.min(...res.heatmap)).toBeGreaterThanOrEqual(0);
    model.dispose();
  });
});
