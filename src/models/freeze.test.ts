import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { LayerInfo } from '../engine/types';
import { blocksOf, estimateStepMemory, presetTrainable } from './freeze';
import { summarize, trainableParamCount } from './inspect';
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
