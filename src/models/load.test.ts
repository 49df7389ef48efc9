import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { StudioError } from '../lib/errors';
import { createTrainingEngine } from '../engine/engine';
import { GRAPH_TRAIN_MESSAGE } from '../engine/types';
import { tinyGraphModelFiles, tinyMobilenetV1Files } from '../test/model-files';
import { buildBackbone, readModelFiles } from './load';
import { releaseGraph } from './graph-adapter';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const blob = (data: string | Uint8Array) => new Blob([data as BlobPart]);

describe('importing model files', () => {
  it('loads a Layers classifier and cuts it at its last feature map (MobileNet v1: conv_pw_13_relu)', async () => {
    const f = await tinyMobilenetV1Files();
    const raw = await readModelFiles([
      { name: 'model.json', blob: blob(f.json) },
      { name: f.binName, blob: blob(f.bin) },
    ]);
    const before = tf.memory().numTensors;
    const built = await buildBackbone(raw, { key: 't1', inputSize: 32 });
    expect(built.format).toBe('layers');
    const names = built.model.layers.map((l) => l.name);
    expect(names[names.length - 1]).toBe('conv_pw_13_relu');
    expect(names).not.toContain('conv_preds');
    expect(built.model.outputs[0]?.shape).toEqual([null, 8, 8, 16]);
    expect(built.notes.join(' ')).toMatch(/Removed its own classifier: 6 layers .*conv_pw_13_relu/);
    built.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses model.json without its weight file, naming it', async () => {
    const f = await tinyMobilenetV1Files();
    const err = await readModelFiles([{ name: 'model.json', blob: blob(f.json) }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StudioError);
    expect((err as StudioError).userMessage).toContain(f.binName);
  });

  it('names an unknown layer class', async () => {
    const f = await tinyMobilenetV1Files();
    const json = f.json.replace('"class_name":"DepthwiseConv2D"', '"class_name":"MyDepthwise"');
    const raw = await readModelFiles([
      { name: 'model.json', blob: blob(json) },
      { name: f.binName, blob: blob(f.bin) },
    ]);
    const err = await buildBackbone(raw, { key: 't2', inputSize: 32 }).catch((e: unknown) => e);
    expect((err as StudioError).userMessage).toMatch(/does not know: MyDepthwise/);
  });

  it('wraps a graph model as a frozen feature extractor that the engine trains a head on', async () => {
    const g = tinyGraphModelFiles(16);
    const raw = await readModelFiles([
      { name: 'model.json', blob: blob(g.json) },
      { name: g.binName, blob: blob(g.bin) },
    ]);
    const engine = createTrainingEngine(tf, () => 'cpu');
    const summary = await engine.loadModel('g', 'graph', () => buildBackbone(raw, { key: 'g1', inputSize: 16 }), [0, 1]);
    expect(summary.format).toBe('graph');
    expect(summary.layers.map((l) => l.name)).toEqual(['input', 'graph_model']);
    expect(summary.layers[1]?.params).toBe(108);
    expect(summary.layers[1]?.outputShape).toEqual([null, 16, 16, 4]);

    const pixels = (n: number, c: number, size: number) => {
      const a = new Float32Array(size * size * 3);
      for (let i = 0; i < a.length; i++) a[i] = i % 3 === c ? 0.9 : 0.1 + (n % 5) * 0.01;
      return a;
    };
    const ids = Array.from({ length: 8 }, (_, i) => `i${i}`);
    const labels = ids.map((_, i) => i % 2);
    const source = {
      ids,
      labels: Int32Array.from(labels),
      pixels: async (idx: readonly number[], size: number) => {
        const out = new Float32Array(idx.length * size * size * 3);
        idx.forEach((i, k) => out.set(pixels(i, labels[i] ?? 0, size), k * size * size * 3));
        return out;
      },
    };
    const settings = { ...(await import('../engine/types')).DEFAULT_SETTINGS, imageSize: 16, epochs: 1, batchSize: 4 };
    const fine = await engine
      .train({ ...settings, mode: 'fine-tune', trainableLayers: ['graph_model'] }, ['a', 'b'], source, source, () => undefined)
      .catch((e: unknown) => e);
    expect((fine as StudioError).userMessage).toBe(GRAPH_TRAIN_MESSAGE);
    const result = await engine.train(settings, ['a', 'b'], source, source, () => undefined);
    expect(result.epochsCompleted).toBe(1);
    // At another input size the graph's fixed 16×16 input is met by resizing inside the layer.
    const r2 = await engine.train({ ...settings, imageSize: 24 }, ['a', 'b'], source, source, () => undefined);
    expect(r2.epochsCompleted).toBe(1);
    engine.dispose();
    releaseGraph('g1');
  });
});
