import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../lib/random';
import { blockEnds, pickHeadLayer, probeFolds, probeScore } from './head-layer';
import { createTrainingEngine } from './engine';
import { DEFAULT_SETTINGS } from './types';
import { colourSources, tinyBackbone } from '../test/tiny';
import { reloadExport } from '../test/bundled';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** `n` rows of `dim` features: class means apart by `gap` along the first axes when `gap` > 0, pure noise otherwise. */
function features(labels: Int32Array, dim: number, gap: number, seed: number): { data: Float32Array; dim: number } {
  const rng = createRng(seed);
  const data = new Float32Array(labels.length * dim);
  labels.forEach((y, i) => {
    for (let d = 0; d < dim; d++) data[i * dim + d] = (rng() - 0.5) * 2 + (d === y ? gap : 0);
  });
  return { data, dim };
}

const labels = Int32Array.from({ length: 60 }, (_, i) => i % 3);

describe('choosing the layer the head reads', () => {
  it('the probe separates separable features and stays near chance on noise', () => {
    const all = Array.from(labels.keys());
    const train = all.filter((i) => i % 4 !== 0);
    const test = all.filter((i) => i % 4 === 0);
    const good = features(labels, 8, 3, 1);
    const noise = features(labels, 8, 0, 2);
    expect(probeScore(good.data, 8, labels, 3, train, test, 1).accuracy).toBeGreaterThanOrEqual(0.9);
    expect(probeScore(noise.data, 8, labels, 3, train, test, 1).accuracy).toBeLessThan(0.6);
  });

  it('folds are stratified, seeded and capped', () => {
    const a = probeFolds(labels, 3, 5);
    const b = probeFolds(labels, 3, 5);
    expect(a.folds).toBe(4);
    expect(Array.from(a.fold)).toEqual(Array.from(b.fold));
    for (let f = 0; f < 4; f++) {
      const counts = [0, 1, 2].map((c) => Array.from(labels.keys()).filter((i) => labels[i] === c && a.fold[i] === f).length);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
    const capped = probeFolds(labels, 3, 5, 30);
    expect(Array.from(capped.fold).filter((f) => f >= 0)).toHaveLength(30);
    expect(probeFolds(Int32Array.from([0, 1, 1]), 2, 5).folds).toBe(1);
  });

  it('picks an earlier layer only when its features classify clearly better, and says why', () => {
    const { fold, folds } = probeFolds(labels, 3, 9);
    // block_a's features separate the classes by `a`, the output's by `out` (0: pure noise).
    const pick = (a: number, out: number) =>
      pickHeadLayer(
        new Map([
          ['block_a', features(labels, 8, a, 3)],
          ['output', features(labels, 8, out, 4)],
        ]),
        labels,
        3,
        fold,
        folds,
        1,
        'out_relu',
      );
    const better = pick(3, 0);
    expect(better.layer).toBe('block_a');
    expect(better.reason).toContain('block_a');
    expect(better.scores.find((s) => s.layer === 'block_a')!.accuracy).toBeGreaterThan(
      better.scores.find((s) => s.layer === 'output')!.accuracy + 0.3,
    );
    const same = pick(0, 3);
    expect(same.layer).toBe('output');
    expect(same.reason).toContain("model's output (out_relu)");
  });

  it('candidates are the ends of the last blocks that give feature maps', () => {
    const layer = (name: string, block: string, rank = 4) => ({ name, block, outputShape: Array.from({ length: rank }, () => 4) });
    const layers = [
      layer('input_1', 'input'),
      layer('Conv1', 'stem'),
      layer('block_1_a', 'block_1'),
      layer('block_1_add', 'block_1'),
      layer('block_2_a', 'block_2'),
      layer('block_2_project_BN', 'block_2'),
      layer('Conv_1', 'top'),
      layer('out_relu', 'top'),
    ];
    expect(blockEnds(layers)).toEqual(['block_1_add', 'block_2_project_BN']);
    expect(blockEnds(layers, 1)).toEqual(['block_2_project_BN']);
  });

  it('a run on Auto records the layer it chose; the export ends at that layer and reloads with the same predictions', async () => {
    const engine = createTrainingEngine(tf);
    await engine.loadModel('tiny', 'Tiny', async () => tinyBackbone(8), [0, 1]);
    const { train, val } = colourSources(24, 3, 8, 7, 5);
    const settings = { ...DEFAULT_SETTINGS, imageSize: 8, epochs: 3, batchSize: 8, learningRate: 0.05, seed: 3 };
    const events: string[] = [];
    await engine.train(settings, ['r', 'g', 'b'], train, val, (e) => {
      if (e.type === 'phase') events.push(e.phase);
    });
    const record = engine.record()!;
    expect(events).toContain('probing');
    expect(record.auto).toBeDefined();
    expect(['block_1_relu', 'block_2_conv', 'output']).toContain(record.settings.headLayer);
    expect(record.settings.headLayer).toBe(record.auto!.layer);
    expect(record.auto!.scores.map((s) => s.layer)).toEqual(['block_1_relu', 'block_2_conv', 'output']);

    // A layer named outright: the blocks after it are not in the model, nor in its export.
    await engine.train({ ...settings, headLayer: 'block_1_relu' }, ['r', 'g', 'b'], train, val, () => {});
    expect(engine.record()!.auto).toBeUndefined();
    const names = engine.classifier()!.layers.map((l) => l.name);
    expect(names).toContain('block_1_relu');
    expect(names).not.toContain('block_2_conv');
    const files = await engine.exportFiles({});
    const reloaded = await reloadExport(files.map((f) => ({ name: f.name, data: f.data as ArrayBuffer })));
    expect(reloaded.layers.map((l) => l.name)).not.toContain('out_relu');
    const pixels = new Float32Array(8 * 8 * 3).fill(0.3);
    const ours = await engine.predict(pixels);
    const theirs = Array.from((reloaded.predict(tf.tensor4d(pixels, [1, 8, 8, 3])) as tf.Tensor).dataSync());
    theirs.forEach((p, i) => expect(p).toBeCloseTo(ours[i]!, 5));
    engine.dispose();
  });
});

describe('frozen-prefix caches across runs', () => {
  const run = (id: string) => ({
    id,
    model: { id: 'tiny', name: 'Tiny', licence: 'test', source: 'test' },
    data: { train: { count: 60, digest: 'train-digest' }, val: { count: 15, digest: 'val-digest' }, classes: [], validationSplit: 0.2 },
  });
  const settings = { ...DEFAULT_SETTINGS, imageSize: 8, epochs: 2, batchSize: 8, learningRate: 0.05, seed: 3, headLayer: 'output' };

  it('a run with the same cut and data reuses the last run’s cache and trains exactly as if it had built its own', async () => {
    const data = colourSources(20, 3, 8, 7, 5);
    let reads = 0;
    const counting = (src: typeof data.train): typeof data.train => ({
      ids: src.ids,
      labels: src.labels,
      pixels: (idx, size) => {
        reads += 1;
        return src.pixels(idx, size);
      },
    });
    const [train, val] = [counting(data.train), counting(data.val)];

    const shared = createTrainingEngine(tf);
    await shared.loadModel('tiny', 'Tiny', async () => tinyBackbone(8), [0, 1]);
    await shared.train(settings, ['r', 'g', 'b'], train, val, () => {}, { run: run('a') });
    expect(reads).toBeGreaterThan(0);
    reads = 0;
    const second = await shared.train({ ...settings, learningRate: 0.02, dropout: 0.3 }, ['r', 'g', 'b'], train, val, () => {}, {
      run: run('b'),
    });
    // Every batch and every evaluation came from the kept cache: no pixel was read.
    expect(reads).toBe(0);
    const tensors = tf.memory().numTensors;

    const fresh = createTrainingEngine(tf);
    await fresh.loadModel('tiny', 'Tiny', async () => tinyBackbone(8), [0, 1]);
    const alone = await fresh.train({ ...settings, learningRate: 0.02, dropout: 0.3 }, ['r', 'g', 'b'], train, val, () => {}, {
      run: run('c'),
    });
    expect(second.history.map((h) => h.loss)).toEqual(alone.history.map((h) => h.loss));
    expect(second.history.map((h) => h.valLoss)).toEqual(alone.history.map((h) => h.valLoss));
    fresh.dispose();

    // Other data (another digest): the kept cache is freed and a new one built; nothing leaks.
    await shared.train(settings, ['r', 'g', 'b'], train, val, () => {}, {
      run: { ...run('d'), data: { ...run('d').data, train: { count: 60, digest: 'other' } } },
    });
    expect(tf.memory().numTensors).toBe(tensors);
    shared.dispose();
  });
});
