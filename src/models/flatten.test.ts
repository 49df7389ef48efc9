import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { teachableModel, tinyTruncatedNet } from '../test/teachable';
import { FlattenUnsupported, flattenModel, hasNestedModels } from './flatten';

const SIZE = 16;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function images(n: number, size = SIZE): tf.Tensor4D {
  return tf.tensor4d(
    Float32Array.from({ length: n * size * size * 3 }, (_, j) => ((j * 37) % 101) / 50 - 1),
    [n, size, size, 3],
  );
}

async function maxDiff(a: tf.LayersModel, b: tf.LayersModel, x: tf.Tensor): Promise<number> {
  const [pa, pb] = [a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor];
  const d = (await tf.max(tf.abs(tf.sub(pa, pb))).data())[0] ?? Infinity;
  tf.dispose([pa, pb]);
  return d;
}

describe('flattening nested models', () => {
  it('opens a Teachable Machine layout into its real layers, names kept, same predictions, same weight data', async () => {
    const tm = teachableModel(tinyTruncatedNet(SIZE), 3, 8);
    expect(hasNestedModels(tm)).toBe(true);
    const { model: flat, containers, renamed } = await flattenModel(tf, tm);
    expect(hasNestedModels(flat)).toBe(false);
    expect(containers).toEqual(['model_1', 'sequential_2']);
    expect(renamed).toEqual([]);
    expect(flat.layers.map((l) => l.name)).toEqual([
      'input_1',
      'conv_stem',
      'conv_stem_bn',
      'conv_stem_relu',
      'block_1_expand',
      'block_1_expand_bn',
      'block_1_relu',
      'block_1_add',
      'block_2_project',
      'block_2_project_relu',
      'global_average_pooling2d_1',
      'dense_Dense1',
      'dense_Dense2',
    ]);
    // The residual Add still reads the stem and the block.
    expect(flat.getLayer('block_1_add').inboundNodes[0]?.inboundLayers.map((l) => l.name)).toEqual(['conv_stem_relu', 'block_1_relu']);
    const x = images(4);
    expect(await maxDiff(tm, flat, x)).toBeLessThan(1e-6);
    // The flat layers hold the loaded tensors' data (assigned, not copied).
    const inner = tm.getLayer('model_1') as unknown as tf.LayersModel;
    const a = inner.getLayer('block_1_expand').getWeights()[0] as tf.Tensor;
    const b = flat.getLayer('block_1_expand').getWeights()[0] as tf.Tensor;
    expect((b as unknown as { dataId: unknown }).dataId).toBe((a as unknown as { dataId: unknown }).dataId);
    // Disposing the nested original leaves the flat model working.
    const before = flat.predict(x) as tf.Tensor;
    const expected = await before.data();
    before.dispose();
    tm.dispose();
    const after = flat.predict(x) as tf.Tensor;
    expect(Array.from(await after.data())).toEqual(Array.from(expected));
    tf.dispose([after, x]);
    flat.dispose();
  });

  it('opens models at any depth, and renames a repeated name predictably (the same every time)', async () => {
    // functional 'top'[ input → Sequential 'outer_seq'[ functional 'deep'[conv 'conv', relu], conv 'conv_1' ] → conv 'conv' → GAP → Dense ]
    const deepIn = tf.input({ shape: [SIZE, SIZE, 3], name: 'deep_input' });
    const c1 = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })
      .apply(deepIn) as tf.SymbolicTensor;
    const r1 = tf.layers.reLU({ name: 'relu' }).apply(c1) as tf.SymbolicTensor;
    const deep = tf.model({ inputs: deepIn, outputs: r1, name: 'deep' });
    const seq = tf.sequential({
      name: 'outer_seq',
      layers: [
        deep,
        tf.layers.conv2d({ filters: 5, kernelSize: 1, name: 'conv_1', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    const input = tf.input({ shape: [SIZE, SIZE, 3], name: 'input_1' });
    let x = seq.apply(input) as tf.SymbolicTensor;
    x = tf.layers
      .conv2d({ filters: 3, kernelSize: 1, name: 'conv', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.dense({ units: 2, activation: 'softmax', name: 'probs' }).apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: x, name: 'top' });

    const first = await flattenModel(tf, model);
    const second = await flattenModel(tf, model);
    const names = first.model.layers.map((l) => l.name);
    expect(names).toEqual(['input_1', 'conv', 'relu', 'conv_1', 'top/conv', 'pool', 'probs']);
    expect(second.model.layers.map((l) => l.name)).toEqual(names);
    expect(first.containers).toEqual(['outer_seq', 'outer_seq/deep']);
    expect(first.renamed).toEqual([{ from: 'conv', to: 'top/conv' }]);
    const xs = images(2);
    expect(await maxDiff(model, first.model, xs)).toBeLessThan(1e-6);
    tf.dispose(xs);
    [first.model, second.model, model].forEach((m) => m.dispose());
  });

  it('refuses a layer used twice (the caller keeps the model nested)', async () => {
    const input = tf.input({ shape: [4], name: 'in' });
    const shared = tf.layers.dense({ units: 4, name: 'shared' });
    const twice = shared.apply(shared.apply(input)) as tf.SymbolicTensor;
    const inner = tf.model({ inputs: input, outputs: twice, name: 'inner' });
    const outer = tf.sequential({ layers: [inner, tf.layers.dense({ units: 2, name: 'out' })] });
    await expect(flattenModel(tf, outer)).rejects.toBeInstanceOf(FlattenUnsupported);
    outer.dispose();
  });
});
