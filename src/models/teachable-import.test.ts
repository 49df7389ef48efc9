import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createTrainingEngine } from '../engine/engine';
import { arraySource } from '../engine/sources';
import { DEFAULT_SETTINGS } from '../engine/types';
import { saveFiles } from '../test/model-files';
import { buildBackbone, readModelFiles } from './load';

const SIZE = 16;

/** Teachable Machine's layout: Sequential[ truncated feature model, Sequential[Dense 8 relu, Dense K softmax, no bias] ]. */
function teachableLike(labels: number): tf.LayersModel {
  const input = tf.input({ shape: [SIZE, SIZE, 3] });
  let x = tf.layers
    .conv2d({ filters: 6, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const truncated = tf.model({ inputs: input, outputs: x, name: 'sequential_1' });
  const head = tf.sequential({
    name: 'sequential_3',
    layers: [
      tf.layers.dense({ inputShape: [6], units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      tf.layers.dense({
        units: labels,
        activation: 'softmax',
        useBias: false,
        kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
      }),
    ],
  });
  return tf.sequential({ layers: [truncated, head] });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('importing a Teachable Machine model', () => {
  it('keeps its final Dense as the head, so training continues where it stopped (labels in any order)', async () => {
    const tm = teachableLike(3);
    const files = await saveFiles(tm, 'weights.bin');
    const raw = await readModelFiles([
      { name: 'model.json', blob: new Blob([files.json]) },
      { name: 'weights.bin', blob: new Blob([files.bin as BlobPart]) },
    ]);
    const tmLabels = ['zebra', 'apple', 'mango'];
    const engine = createTrainingEngine(tf);
    await engine.loadModel('tm', 'TM', () => buildBackbone(raw, { key: 'tm', inputSize: SIZE, teachable: true }), [0, 1], tmLabels);
    const images = Array.from({ length: 8 }, (_, i) =>
      Float32Array.from({ length: SIZE * SIZE * 3 }, (_, j) => ((i * 31 + j * 7) % 97) / 97),
    );
    const labels = images.map((_, i) => i % 3);
    const runLabels = [...tmLabels].sort(); // the studio's order: apple, mango, zebra
    await engine.train(
      { ...DEFAULT_SETTINGS, imageSize: SIZE, epochs: 1, batchSize: 4, learningRate: 1e-12, dropout: 0 },
      runLabels,
      arraySource(images, labels, SIZE),
      arraySource([], [], SIZE),
      () => {},
    );
    for (const img of images.slice(0, 3)) {
      const ours = await engine.predict(img);
      const theirs = Array.from(await (tm.predict(tf.tensor4d(img, [1, SIZE, SIZE, 3])) as tf.Tensor).data());
      runLabels.forEach((label, i) => expect(ours[i]).toBeCloseTo(theirs[tmLabels.indexOf(label)]!, 5));
    }
    engine.dispose();
  });
});
