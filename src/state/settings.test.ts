import { describe, expect, it } from 'vitest';
import type { LayerInfo, ModelSummary } from '../engine/types';
import { createStudioStore } from './store';
import { autoImageSize, frozenParams, overfitOnset, stepMemoryBytes, wasmConvBlocker } from './selectors';
import { fieldPatch, parseField, readField } from './validation';
import { DEFAULT_SETTINGS, type EpochMetrics } from '../engine/types';
import type { DatasetImage } from '../data/types';

const layer = (name: string, block: string, className: string, params: number, shape: number[] = [4, 4, 8]): LayerInfo => ({
  name,
  className,
  outputShape: [null, ...shape],
  params,
  trainableParams: className === 'BatchNormalization' ? params / 2 : params,
  trainable: false,
  block,
  hasWeights: params > 0,
});

const summary: ModelSummary = {
  id: 'm',
  name: 'm',
  inputSize: 32,
  inputRange: [0, 1],
  totalParams: 0,
  layers: [
    layer('input_1', 'input', 'InputLayer', 0, [32, 32, 3]),
    layer('Conv1', 'stem', 'Conv2D', 100),
    layer('bn_Conv1', 'stem', 'BatchNormalization', 40),
    layer('Conv1_relu', 'stem', 'ReLU', 0),
    layer('block_1_depthwise', 'block_1', 'DepthwiseConv2D', 50),
    layer('block_1_relu', 'block_1', 'ReLU', 0),
    layer('Conv_1', 'top', 'Conv2D', 200),
    layer('Conv_1_bn', 'top', 'BatchNormalization', 80),
    layer('out_relu', 'top', 'ReLU', 0, [4, 4, 16]),
  ],
};

const epoch = (n: number, loss: number, valLoss: number): EpochMetrics => ({
  epoch: n,
  loss,
  accuracy: 0.5,
  valLoss,
  valAccuracy: 0.5,
  ms: 1,
  learningRate: 0.001,
  trainableParams: 1,
  numTensors: 1,
});

describe('settings', () => {
  it('validates and patches nested fields without mutating', () => {
    const s = { ...DEFAULT_SETTINGS };
    expect(readField(s, 'schedule.stepEpochs')).toBe(5);
    const patch = fieldPatch(s, 'schedule.stepEpochs', 3);
    expect(patch.schedule).toMatchObject({ kind: 'constant', stepEpochs: 3 });
    expect(s.schedule.stepEpochs).toBe(5);
    expect(parseField('schedule.stepFactor', '0')).toHaveProperty('error');
    expect(parseField('schedule.stepFactor', '0.5')).toEqual({ value: 0.5 });
    expect(parseField('backboneLrMultiplier', '0.0001')).toHaveProperty('error');
    expect(parseField('augmentation.variants', '2.5')).toHaveProperty('error');
    expect(parseField('weightDecay', '0.01')).toEqual({ value: 0.01 });
  });

  it('follows the dataset with Auto input size until a size is picked', () => {
    const store = createStudioStore();
    expect(store.getState().imageSizeAuto).toBe(true);
    const img = (id: string, label: string): DatasetImage =>
      ({ id, label, name: id, path: id, blob: new Blob(), format: 'png', bytes: 1, hash: id, width: 48, height: 64 }) as DatasetImage;
    store.getState().addDataset({ images: [img('a', 'x'), img('b', 'y')], skipped: [], emptyClasses: [], largeImages: [] });
    expect(store.getState().settings.imageSize).toBe(autoImageSize([{ width: 48, height: 64 }]));
    expect(store.getState().settings.imageSize).toBe(96);
    store.getState().setImageSize(160);
    store.getState().addDataset({ images: [img('c', 'x')], skipped: [], emptyClasses: [], largeImages: [] });
    expect(store.getState().settings.imageSize).toBe(160);
    store.getState().setImageSize('auto');
    expect(store.getState().settings.imageSize).toBe(96);
  });

  it('applies block presets with their weightless layers, and counts frozen parameters', () => {
    const store = createStudioStore();
    store.getState().setModelLoaded(summary);
    store.getState().applyPreset({ kind: 'from-block', block: 'top' });
    expect(store.getState().trainable).toEqual(['Conv_1', 'Conv_1_bn', 'out_relu']);
    expect(frozenParams(store.getState())).toBe(100 + 40 + 50 + 40);
    store.getState().applyPreset({ kind: 'top-blocks', blocks: 1 });
    expect(store.getState().trainable).toEqual(['block_1_depthwise', 'block_1_relu', 'Conv_1', 'Conv_1_bn', 'out_relu']);
    expect(stepMemoryBytes(store.getState())).toBeGreaterThan(0);
  });

  it('switching to fine-tune trains the top blocks, or every layer of a model whose layers form no blocks', () => {
    const store = createStudioStore();
    store.getState().setModelLoaded(summary);
    store.getState().setTrainable([]);
    store.getState().setMode('fine-tune');
    expect(store.getState().trainable).toEqual(['block_1_depthwise', 'block_1_relu', 'Conv_1', 'Conv_1_bn', 'out_relu']);
    // Keras's automatic names: every layer a group of its own, so there are no blocks to count.
    const flat: ModelSummary = {
      ...summary,
      layers: [
        layer('input_1', 'input', 'InputLayer', 0, [32, 32, 3]),
        layer('conv2d_Conv2D1', 'conv2d', 'Conv2D', 100),
        layer('dense_Dense1', 'dense', 'Dense', 30),
      ],
    };
    store.getState().setModelLoaded(flat);
    store.getState().setTrainable([]);
    store.getState().setMode('fine-tune');
    expect(store.getState().trainable).toEqual(['conv2d_Conv2D1', 'dense_Dense1']);
  });

  it('names the depthwise convolution WASM cannot train through', () => {
    const store = createStudioStore();
    store.getState().setModelLoaded(summary);
    store.setState({ backend: 'wasm' });
    store.getState().setTrainable(['Conv_1_bn']);
    expect(wasmConvBlocker(store.getState())).toBeNull();
    // The final 1×1 convolution trains on WASM (its filter gradient is the studio's own kernel).
    store.getState().setTrainable(['Conv_1', 'Conv_1_bn']);
    expect(wasmConvBlocker(store.getState())).toBeNull();
    store.getState().applyPreset('full');
    expect(wasmConvBlocker(store.getState())).toBe('block_1_depthwise');
    store.setState({ backend: 'webgl' });
    expect(wasmConvBlocker(store.getState())).toBeNull();
  });

  it('finds where overfitting began', () => {
    expect(overfitOnset([epoch(1, 1, 1), epoch(2, 0.8, 0.9), epoch(3, 0.6, 1.0), epoch(4, 0.5, 1.1)])).toEqual({ epoch: 2, rising: 2 });
    expect(overfitOnset([epoch(1, 1, 1), epoch(2, 0.8, 1.1), epoch(3, 0.6, 1.0)])).toBeNull();
  });
});
