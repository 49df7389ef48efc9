import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { StudioError } from '../lib/errors';
import {
  MAX_MODEL_BYTES,
  checkWeightFiles,
  describeLoadFailure,
  manifestBytes,
  parseModelJson,
  pickModelJson,
  weightBytes,
  type ModelJson,
} from './validate';

const json: ModelJson = {
  format: 'layers-model',
  modelTopology: { model_config: {} },
  weightsManifest: [
    {
      paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'],
      weights: [
        { name: 'conv/kernel', shape: [3, 3, 3, 8], dtype: 'float32' }, // 216 × 4 = 864
        { name: 'conv/bias', shape: [8], dtype: 'float32' }, // 32
      ],
    },
    {
      paths: ['group2-shard1of1.bin'],
      weights: [{ name: 'dense/kernel', shape: [10, 4], dtype: 'float32', quantization: { dtype: 'uint8' } }],
    },
  ],
};

function thrown(fn: () => unknown): StudioError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StudioError) return err;
    throw err;
  }
  throw new Error('expected a StudioError');
}

describe('model.json validation', () => {
  it('counts bytes from shapes and dtypes, quantisation aware', () => {
    expect(weightBytes({ name: 'a', shape: [2, 3], dtype: 'float32' })).toBe(24);
    expect(weightBytes({ name: 'a', shape: [2, 3], dtype: 'float32', quantization: { dtype: 'uint8' } })).toBe(6);
    expect(weightBytes({ name: 'a', shape: [2, 3], dtype: 'float32', quantization: { dtype: 'float16' } })).toBe(12);
    expect(manifestBytes(json)).toBe(864 + 32 + 40);
  });

  it('rejects text that is not JSON, and JSON that is not a model', () => {
    expect(thrown(() => parseModelJson('{nope', 'model.json')).userMessage).toMatch(/model\.json is not valid JSON/);
    expect(thrown(() => parseModelJson('{"a": 1}', 'model.json')).userMessage).toMatch(/no modelTopology or weightsManifest/);
    expect(parseModelJson(JSON.stringify(json), 'model.json').weightsManifest).toHaveLength(2);
  });

  it('names a missing weight file', () => {
    const files = [
      { name: 'model.json', size: 100 },
      { name: 'group1-shard1of2.bin', size: 500 },
      { name: 'group2-shard1of1.bin', size: 40 },
    ];
    const err = thrown(() => checkWeightFiles(json, files));
    expect(err.code).toBe('model-invalid');
    expect(err.userMessage).toContain('group1-shard2of2.bin');
    expect(err.userMessage).not.toContain('group1-shard1of2.bin');
  });

  it('rejects a wrong byte count, naming the files and both sizes', () => {
    const files = [
      { name: 'group1-shard1of2.bin', size: 500 },
      { name: 'group1-shard2of2.bin', size: 395 },
      { name: 'group2-shard1of1.bin', size: 40 },
    ];
    const err = thrown(() => checkWeightFiles(json, files));
    expect(err.userMessage).toContain('group1-shard1of2.bin, group1-shard2of2.bin');
    expect(err.userMessage).toContain('895');
    expect(err.userMessage).toContain('896');
  });

  it('accepts shards that add up, in manifest order, matching by base name', () => {
    const files = [
      { name: 'group2-shard1of1.bin', size: 40 },
      { name: 'dir/group1-shard2of2.bin', size: 396 },
      { name: 'group1-shard1of2.bin', size: 500 },
    ];
    expect(checkWeightFiles(json, files).map((f) => f.name)).toEqual([
      'group1-shard1of2.bin',
      'dir/group1-shard2of2.bin',
      'group2-shard1of1.bin',
    ]);
  });

  it('refuses models over the size limit', () => {
    const big: ModelJson = {
      modelTopology: {},
      weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'w', shape: [MAX_MODEL_BYTES / 4 + 1], dtype: 'float32' }] }],
    };
    expect(thrown(() => checkWeightFiles(big, [{ name: 'w.bin', size: MAX_MODEL_BYTES + 4 }])).userMessage).toMatch(/up to 500 MB/);
  });

  it('picks model.json among the files', () => {
    expect(
      pickModelJson([
        { name: 'a.bin', size: 1 },
        { name: 'model.json', size: 1 },
      ]).name,
    ).toBe('model.json');
    expect(
      pickModelJson([
        { name: 'my-net.json', size: 1 },
        { name: 'a.bin', size: 1 },
      ]).name,
    ).toBe('my-net.json');
    expect(thrown(() => pickModelJson([{ name: 'a.bin', size: 1 }])).userMessage).toMatch(/No model\.json/);
  });

  it('names an unknown layer class when tfjs cannot deserialise the model', async () => {
    await tf.setBackend('cpu');
    const topology = {
      class_name: 'Sequential',
      config: { name: 's', layers: [{ class_name: 'FancyAttention', config: { name: 'fa', batch_input_shape: [null, 4] } }] },
    };
    const err = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology })).then(
      () => null,
      (e: unknown) => describeLoadFailure(e),
    );
    expect(err?.code).toBe('model-invalid');
    expect(err?.userMessage).toMatch(/layer TF\.js does not know: FancyAttention/);
  });
});
