import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type LayerInfo } from '../engine/types';
import { headLayers, layersBeyondHead } from './selectors';

const layer = (name: string): LayerInfo => ({
  name,
  className: 'Conv2D',
  outputShape: [null, 4, 4, 8],
  params: 10,
  trainableParams: 10,
  trainable: false,
  block: name.split('_').slice(0, 2).join('_'),
  hasWeights: true,
});
const layers = ['block_1_conv', 'block_2_conv', 'block_3_conv', 'out_relu'].map(layer);
const summary = { id: 'm', name: 'M', inputSize: 8, inputRange: [0, 1] as [number, number], layers, totalParams: 40 };

describe('the layer the head reads, on screen', () => {
  it('counts the layers the model keeps', () => {
    expect(headLayers(layers, 'block_2_conv').map((l) => l.name)).toEqual(['block_1_conv', 'block_2_conv']);
    expect(headLayers(layers, 'auto')).toHaveLength(4);
    expect(headLayers(layers, 'output')).toHaveLength(4);
  });

  it('names the trainable layers after a named head layer, which the model would not hold', () => {
    const state = (headLayer: string, trainable: string[]) => ({
      summary,
      trainable,
      settings: { ...DEFAULT_SETTINGS, mode: 'fine-tune' as const, headLayer },
    });
    expect(layersBeyondHead(state('block_2_conv', ['block_1_conv', 'block_3_conv', 'out_relu']))).toEqual(['block_3_conv', 'out_relu']);
    expect(layersBeyondHead(state('block_2_conv', ['block_1_conv']))).toEqual([]);
    expect(layersBeyondHead(state('auto', ['out_relu']))).toEqual([]);
  });
});
