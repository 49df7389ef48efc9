import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { LayerInfo } from '../engine/types';
import { blocksOf, estimateStepMemory, presetTrainable, topBlocksOf } from './freeze';
import { blockOf, summarize, trainableParamCount } from './inspect';
import { loadBundledBackbone } from '../test/bundled';

let layers: LayerInfo[] = [];
const K = 4;
const HEAD = (1280 + 1) * K;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const model = await loadBundledBackbone();
  layers = summarize('mobilenet-v2', 'MobileNetV2', model, [0, 1]).layers;
  model.dispose();
});

describe('freezing presets on the real MobileNetV2 topology', () => {
  it('groups layers into the stem, block_1 … block_16 and the final conv', () => {
    const names = blocksOf(layers).map((b) => b.name);
    expect(names).toEqual(['stem', ...Array.from({ length: 16 }, (_, i) => `block_${i + 1}`), 'top']);
  });

  it('head only trains the new head alone', () => {
    expect(trainableParamCount(layers, presetTrainable(layers, { kind: 'head-only' }), K)).toBe(HEAD);
  });

  it('full trains all of Keras MobileNetV2 (2,223,872 trainable of 2,257,984) plus the head', () => {
    expect(layers.reduce((s, l) => s + l.params, 0)).toBe(2_257_984);
    expect(trainableParamCount(layers, presetTrainable(layers, { kind: 'full' }), K)).toBe(2_223_872 + HEAD);
  });

  it('top 2 blocks trains block_15, block_16 and the final conv', () => {
    // block_15: 160→960 expand 153,600 + BN 1,920 + depthwise 8,640 + BN 1,920 + 960→160 project 153,600 + BN 320
    // block_16: 153,600 + 1,920 + 8,640 + 1,920 + 960→320 project 307,200 + BN 640
    // Conv_1: 320→1280 409,600 + BN 2,560
    const expected = 320_000 + 473_920 + 412_160;
    const set = presetTrainable(layers, { kind: 'top-blocks', blocks: 2 });
    expect(trainableParamCount(layers, set, K)).toBe(expected + HEAD);
    expect([...set].every((n) => /^(block_15_|block_16_|Conv_1)/.test(n))).toBe(true);
  });

  it('"trainable from here" at block_16 equals the top block preset', () => {
    expect(presetTrainable(layers, { kind: 'from-block', block: 'block_16' })).toEqual(
      presetTrainable(layers, { kind: 'top-blocks', blocks: 1 }),
    );
  });

  it('estimates more memory for more trainable layers and bigger batches', () => {
    const head = estimateStepMemory(layers, new Set(), 16, 224, K).bytes;
    const full = estimateStepMemory(layers, presetTrainable(layers, { kind: 'full' }), 16, 224, K).bytes;
    const fullBig = estimateStepMemory(layers, presetTrainable(layers, { kind: 'full' }), 64, 224, K).bytes;
    const fullSmall = estimateStepMemory(layers, presetTrainable(layers, { kind: 'full' }), 16, 96, K).bytes;
    expect(full).toBeGreaterThan(head * 2);
    expect(fullBig).toBeGreaterThan(full * 3);
    expect(fullSmall).toBeLessThan(full / 3);
  });
});

/** A layer table row: `name:Class` with 10 weights when the class has weights. */
function row(spec: string): LayerInfo {
  const [name = '', className = 'Conv2D'] = spec.split(':');
  const hasWeights = /Conv|Dense|BatchNorm/.test(className);
  const params = hasWeights ? 10 : 0;
  return {
    name,
    className,
    outputShape: [null, 4, 4, 8],
    params,
    trainableParams: params,
    trainable: false,
    block: blockOf(name, className),
    hasWeights,
  };
}

const table = (...specs: string[]) => specs.map(row);
const topNames = (layers: LayerInfo[], n: number) => [...presetTrainable(layers, { kind: 'top-blocks', blocks: n })];

describe('"Top N blocks" on models without block_N names', () => {
  // A Teachable Machine model opened by the importer: its inner layers, then TM's own Dense 100.
  const tm = table(
    'input_1:InputLayer',
    'conv_stem:Conv2D',
    'conv_stem_bn:BatchNormalization',
    'conv_stem_relu:ReLU',
    'block_1_expand:Conv2D',
    'block_1_expand_bn:BatchNormalization',
    'block_1_relu:ReLU',
    'block_1_add:Add',
    'block_2_project:Conv2D',
    'block_2_project_relu:ReLU',
    'global_average_pooling2d_1:GlobalAveragePooling2D',
    'dense_Dense1:Dense',
  );

  it('a flattened Teachable Machine model counts its numbered blocks; what follows the top one trains with it', () => {
    const top = topBlocksOf(tm);
    expect(top.available && top.by).toBe('numbered');
    expect(topNames(tm, 1)).toEqual(['block_2_project', 'dense_Dense1']);
    expect(topNames(tm, 2)).toEqual(['block_1_expand', 'block_1_expand_bn', 'block_2_project', 'dense_Dense1']);
    // More blocks than the model has: from its first block, never the stem (that is "Everything").
    expect(topNames(tm, 4)).toEqual(topNames(tm, 2));
    expect(topNames(tm, 4)).not.toContain('conv_stem');
  });

  it('named groups count as blocks, in model order, excluding input and head', () => {
    const layers = table(
      'image:InputLayer',
      'stem_conv:Conv2D',
      'stem_bn:BatchNormalization',
      'stem_relu:ReLU',
      'mid_conv:Conv2D',
      'mid_bn:BatchNormalization',
      'pool_avg:GlobalAveragePooling2D',
      'fc_dense:Dense',
      'head_dense:Dense',
    );
    const top = topBlocksOf(layers);
    expect(top.available && top.counted.map((b) => b.name)).toEqual(['stem', 'mid', 'fc']);
    expect(topNames(layers, 1)).toEqual(['fc_dense']);
    expect(topNames(layers, 2)).toEqual(['mid_conv', 'mid_bn', 'fc_dense']);
    expect(topNames(layers, 3)).toEqual(['stem_conv', 'stem_bn', 'mid_conv', 'mid_bn', 'fc_dense']);
  });

  it('is unavailable, selecting nothing, where names do not group (Keras auto names, one layer a group, a graph)', () => {
    const auto = table(
      'input_1:InputLayer',
      'conv2d:Conv2D',
      'batch_normalization:BatchNormalization',
      're_lu:ReLU',
      'conv2d_1:Conv2D',
      'batch_normalization_1:BatchNormalization',
      're_lu_1:ReLU',
      'dense:Dense',
    );
    const single = table('input:InputLayer', 'alpha:Conv2D', 'beta:Conv2D', 'gamma:Dense');
    const graph = table('x:InputLayer', 'graph_model:GraphModel');
    for (const [layers, format] of [
      [auto, 'layers'],
      [single, 'layers'],
      [graph, 'layers'],
      [tm, 'graph'],
    ] as const) {
      const top = topBlocksOf(layers, format);
      expect(top.available).toBe(false);
      expect(top.available ? '' : top.reason).toMatch(/blocks/);
      if (format === 'layers') expect(topNames(layers, 2)).toEqual([]);
    }
    // Everything stays one click away, explicitly.
    expect(presetTrainable(auto, { kind: 'full' }).size).toBe(5);
  });
});
