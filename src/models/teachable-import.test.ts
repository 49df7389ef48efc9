import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { teachableMobilenetEntries } from '../../scripts/make-fixtures.mjs';
import { createTrainingEngine } from '../engine/engine';
import { cutPoints, frozenPrefixEnd, hasWeights } from '../engine/graph';
import { arraySource } from '../engine/sources';
import { DEFAULT_SETTINGS, type TrainSettings } from '../engine/types';
import { saveFiles } from '../test/model-files';
import { startWasm } from '../test/wasm';
import { asImportedFiles, leafWeights, teachableModel, teachableMobilenetV2, tinyTruncatedNet } from '../test/teachable';
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from './export/onnx';
import { blocksOf } from './freeze';
import { HEAD_LAYERS } from './head';
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

/** n seeded pictures, size×size×3 in [0, 1]. */
function pictures(n: number, size: number, seed = 0): Float32Array[] {
  return Array.from({ length: n }, (_, i) =>
    Float32Array.from({ length: size * size * 3 }, (_, j) => (((i + seed) * 131 + j * 17 + ((j * j) % 23)) % 255) / 255),
  );
}

/** The same pictures as a batch in TM's input range [−1, 1]. */
function batch(images: readonly Float32Array[], size: number): tf.Tensor4D {
  const flat = new Float32Array(images.length * size * size * 3);
  images.forEach((p, k) =>
    flat.set(
      p.map((v) => v * 2 - 1),
      k * size * size * 3,
    ),
  );
  return tf.tensor4d(flat, [images.length, size, size, 3]);
}

/** ONNX (onnxruntime-web, WASM) against TF.js on the same batch: pictures with the same top class, max |Δp|. */
async function onnxAgreement(model: tf.LayersModel, x: tf.Tensor4D, labels: readonly string[]) {
  const size = x.shape[1];
  const bytes = await exportOnnx(model, { inputSize: size, labels });
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const ours = await (model.predict(x) as tf.Tensor).data();
  const out = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', await x.data(), x.shape) });
  const theirs = (out[ONNX_OUTPUT] as ort.Tensor).data as Float32Array;
  const k = labels.length;
  let same = 0;
  let maxDiff = 0;
  for (let i = 0; i < x.shape[0]; i++) {
    const a = Array.from(ours.subarray(i * k, (i + 1) * k));
    const b = Array.from(theirs.subarray(i * k, (i + 1) * k));
    if (a.indexOf(Math.max(...a)) === b.indexOf(Math.max(...b))) same++;
    a.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - (b[j] ?? 0)))));
  }
  await session.release();
  return { same, maxDiff, bytes };
}

const LABELS = ['apple', 'mango', 'zebra'];
const NESTED = 16;

function fineTune(trainableLayers: string[], extra: Partial<TrainSettings> = {}): TrainSettings {
  return {
    ...DEFAULT_SETTINGS,
    imageSize: NESTED,
    epochs: 1,
    batchSize: 4,
    learningRate: 0.05,
    dropout: 0,
    mode: 'fine-tune',
    trainableLayers,
    ...extra,
  };
}

describe('a Teachable Machine model whose base is a nested Model (two convolutions, a residual Add)', () => {
  it('lists the inner layers, trains exactly the one inner conv asked for, and exports to ONNX that agrees', async () => {
    const tm = teachableModel(tinyTruncatedNet(NESTED), LABELS.length, 8);
    const raw = await asImportedFiles(tm);
    const engine = createTrainingEngine(tf);
    const summary = await engine.loadModel(
      'tm',
      'TM',
      () => buildBackbone(raw, { key: 'tm', inputSize: NESTED, teachable: true }),
      [-1, 1],
      LABELS,
    );

    // (a) The layer table lists the inner layers by name, grouped into blocks.
    const names = summary.layers.map((l) => l.name);
    for (const inner of ['conv_stem', 'conv_stem_bn', 'block_1_expand', 'block_1_add', 'block_2_project', 'dense_Dense1']) {
      expect(names).toContain(inner);
    }
    expect(names).not.toContain('model_1');
    expect(names).not.toContain('dense_Dense2'); // TM's softmax Dense became the studio's head
    expect(summary.notes?.join(' ')).toMatch(/model_1, sequential_2\) were opened/);
    expect(blocksOf(summary.layers).map((b) => b.name)).toEqual(['conv', 'block_1', 'block_2', 'global', 'dense']);
    expect(summary.layers.filter((l) => l.className === 'Conv2D').map((l) => l.name)).toEqual([
      'conv_stem',
      'block_1_expand',
      'block_2_project',
    ]);

    // (b) Only block_1_expand trains: its kernel changes, every other backbone weight stays.
    const images = pictures(8, NESTED);
    const labels = images.map((_, i) => i % 3);
    await engine.train(fineTune(['block_1_expand']), LABELS, arraySource(images, labels, NESTED), arraySource([], [], NESTED), () => {});
    const model = engine.classifier();
    if (!model) throw new Error('no model');
    const original = await leafWeights(tm);
    const changed: string[] = [];
    let checked = 0;
    for (const layer of model.layers) {
      if ((HEAD_LAYERS as readonly string[]).includes(layer.name) || layer.weights.length === 0) continue;
      const before = original.get(layer.name);
      expect(before, layer.name).toBeDefined();
      const now = await Promise.all(layer.getWeights().map((w) => w.data()));
      const diff = Math.max(...now.map((w, i) => Math.max(...Array.from(w, (v, j) => Math.abs(v - (before?.[i]?.[j] ?? NaN))))));
      if (diff > 0) changed.push(`${layer.name} ${diff.toExponential(1)}`);
      checked++;
    }
    expect(checked).toBe(6); // 3 convs, 2 batch norms, dense_Dense1: nothing hidden in a container
    expect(changed.map((c) => c.split(' ')[0])).toEqual(['block_1_expand']);

    // The frozen-prefix cache cuts just before the residual block, not inside it.
    const trains = (l: tf.layers.Layer) =>
      (l.name === 'block_1_expand' || (HEAD_LAYERS as readonly string[]).includes(l.name)) && hasWeights(l);
    const cut = frozenPrefixEnd(model, trains);
    expect(model.layers[cut]?.name).toBe('conv_stem_relu');
    const cuts = cutPoints(model);
    const inside = ['block_1_expand', 'block_1_expand_bn', 'block_1_relu'].map((n) => cuts[model.layers.findIndex((l) => l.name === n)]);
    expect(inside).toEqual([false, false, false]);

    // (d) ONNX against TF.js on the fine-tuned model.
    const x = batch(pictures(12, NESTED, 50), NESTED);
    const { same, maxDiff } = await onnxAgreement(model, x, LABELS);
    console.log(`nested TM, fine-tuned: ONNX vs TF.js same top class ${same}/12, max |Δp| ${maxDiff.toExponential(2)}`);
    expect(same).toBe(12);
    expect(maxDiff).toBeLessThan(1e-4);
    x.dispose();
    engine.dispose();
    tm.dispose();
  });

  it('(c) on WASM, the inner convolutions of the nested model train (the studio’s Conv2D filter gradient there)', async () => {
    const tm = teachableModel(tinyTruncatedNet(NESTED), LABELS.length, 8);
    const raw = await asImportedFiles(tm);
    tm.dispose();
    await startWasm();
    try {
      const engine = createTrainingEngine(tf);
      await engine.loadModel('tm', 'TM', () => buildBackbone(raw, { key: 'tm', inputSize: NESTED, teachable: true }), [-1, 1], LABELS);
      const images = pictures(4, NESTED);
      const train = arraySource(images, [0, 1, 2, 0], NESTED);
      const none = arraySource([], [], NESTED);
      const inner = ['conv_stem', 'conv_stem_bn', 'block_1_expand', 'block_2_project'];
      const done = await engine.train(fineTune(inner), LABELS, train, none, () => {});
      expect(done.epochsCompleted).toBe(1);
      expect(engine.record()?.trainable).toEqual(expect.arrayContaining(['block_1_expand', 'block_2_project']));
      engine.dispose();
    } finally {
      await tf.setBackend('cpu');
    }
  });
});

describe('a Teachable Machine package of the bundled MobileNetV2 (64 px)', () => {
  const SIZE = 64;

  it('opens into the real MobileNetV2 layers, predicts as the original, fine-tunes, and exports ONNX that agrees', async () => {
    const tm = await teachableMobilenetV2(SIZE, LABELS.length);
    const raw = await asImportedFiles(tm);
    const built = await buildBackbone(raw, { key: 'tm', inputSize: SIZE, teachable: true });
    const x = batch(pictures(6, SIZE, 7), SIZE);
    // Flat features → TM's own Dense: the original's probabilities.
    const head = built.head;
    if (!head) throw new Error('no head');
    const ours = tf.tidy(() => tf.softmax(tf.add(tf.matMul(built.model.predict(x) as tf.Tensor2D, head.kernel), head.bias)));
    const theirs = tm.predict(x) as tf.Tensor;
    const diff = (await tf.max(tf.abs(tf.sub(ours, theirs))).data())[0] ?? Infinity;
    console.log(`TM MobileNetV2 flattened vs nested: max |Δp| ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-5);
    tf.dispose([ours, theirs]);
    const convs = built.model.layers.filter((l) => /Conv2D$/.test(l.getClassName()));
    expect(convs.length).toBe(52);
    expect(built.model.layers.map((l) => l.name)).toEqual(
      expect.arrayContaining(['Conv1', 'block_1_project', 'block_16_project', 'Conv_1', 'out_relu']),
    );
    expect(built.model.layers.filter((l) => l.getClassName() === 'Add')).toHaveLength(10);

    const engine = createTrainingEngine(tf);
    const summary = await engine.loadModel('tm', 'TM', async () => built, [-1, 1], LABELS);
    expect(blocksOf(summary.layers).map((b) => b.name)).toEqual([
      'stem',
      ...Array.from({ length: 16 }, (_, i) => `block_${i + 1}`),
      'top',
      'global',
      'dense',
    ]);
    const images = pictures(8, SIZE, 3);
    const labels = images.map((_, i) => i % 3);
    const trainable = ['block_16_project', 'block_16_project_BN', 'Conv_1', 'Conv_1_bn', 'dense_Dense1'];
    await engine.train(
      fineTune(trainable, { imageSize: SIZE, learningRate: 0.01 }),
      LABELS,
      arraySource(images, labels, SIZE),
      arraySource([], [], SIZE),
      () => {},
    );
    const model = engine.classifier();
    if (!model) throw new Error('no model');
    const { same, maxDiff, bytes } = await onnxAgreement(model, x, LABELS);
    console.log(
      `TM MobileNetV2, fine-tuned: ONNX vs TF.js same top class ${same}/6, max |Δp| ${maxDiff.toExponential(2)}, ${bytes.byteLength} bytes`,
    );
    expect(same).toBe(6);
    expect(maxDiff).toBeLessThan(1e-3);
    x.dispose();
    engine.dispose();
    tm.dispose();
  }, 300_000);
});

describe("the e2e fixture's Teachable Machine zip (scripts/make-fixtures.mjs)", () => {
  it('imports as a flat MobileNetV2 with TM’s Dense 100 and its softmax Dense as the head', async () => {
    const entries = teachableMobilenetEntries({ size: 96 });
    const raw = await readModelFiles(Object.entries(entries).map(([name, bytes]) => ({ name, blob: new Blob([bytes as BlobPart]) })));
    const built = await buildBackbone(raw, { key: 'tm-fixture', inputSize: 96, teachable: true });
    const names = built.model.layers.map((l) => l.name);
    expect(names[0]).toBe('input_1');
    expect(names.slice(-3)).toEqual(['out_relu', 'global_average_pooling2d_GlobalAveragePooling2D1', 'dense_Dense1']);
    expect(names).toContain('Conv_1_bn');
    expect(built.head?.kernel.shape).toEqual([100, 4]);
    expect(built.notes.join(' ')).toMatch(/sequential_1, sequential_3\) were opened/);
    const metadata = JSON.parse(new TextDecoder().decode(entries['metadata.json'])) as { imageSize: number; labels: string[] };
    expect(metadata).toMatchObject({ imageSize: 96, labels: ['circle', 'square', 'triangle', 'cross'] });
    built.model.dispose();
    built.head?.kernel.dispose();
    built.head?.bias.dispose();
  });
});
