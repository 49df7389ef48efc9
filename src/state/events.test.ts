import { beforeEach, describe, expect, it } from 'vitest';
import type { ImageRunRecord, TextRunRecord } from '../engine/run-record';
import { reduceWorkerEvent } from './events';
import { createMetricsBuffer, textBatchMetrics } from './metricsBuffer';
import { createStudioStore } from './store';
import { overfitting, startBlocker } from './selectors';
import { readParams } from './params';
import { parseField } from './validation';
import type { EpochMetrics } from '../engine/types';
import type { TextEpochMetrics } from '../text/types';
import type { TextBatchPoint } from './types';

const epoch = (n: number, loss: number, valLoss: number | null): EpochMetrics => ({
  epoch: n,
  loss,
  accuracy: 0.5,
  valLoss,
  valAccuracy: valLoss === null ? null : 0.5,
  ms: 10,
  learningRate: 0.001,
  trainableParams: 100,
  numTensors: 10,
});

describe('reduceWorkerEvent', () => {
  let store: ReturnType<typeof createStudioStore>;
  const buffer = createMetricsBuffer();
  const textBuffer = createMetricsBuffer<TextBatchPoint>();
  const apply = (e: Parameters<typeof reduceWorkerEvent>[1]) => {
    const patch = reduceWorkerEvent(store.getState(), e, { image: buffer, text: textBuffer });
    if (patch) store.setState(patch);
  };

  beforeEach(() => {
    store = createStudioStore();
    buffer.reset();
    textBuffer.reset();
    store.setState({ status: 'loading' });
  });

  it('moves from loading to running when training starts', () => {
    const t0 = Date.now();
    apply({ type: 'phase', phase: 'caching', done: 1, total: 10 });
    expect(store.getState().trainingStartedAt).toBeNull();
    expect(store.getState().status).toBe('loading');
    expect(store.getState().phase).toEqual({ phase: 'caching', done: 1, total: 10 });
    apply({ type: 'phase', phase: 'training', done: 0, total: 4 });
    expect(store.getState().status).toBe('running');
    expect(store.getState().trainingStartedAt).toBeGreaterThanOrEqual(t0);
  });

  it("keeps an image run's record with its labels, and a text run's under `text`, apart", () => {
    const record = { task: 'image-classification', labels: ['b', 'a'], id: 'run-1' } as unknown as ImageRunRecord;
    apply({ type: 'run', record });
    expect(store.getState().runRecord).toBe(record);
    expect(store.getState().runLabels).toEqual(['b', 'a']);
    const textRecord = { ...record, task: 'text-classification', labels: ['x', 'y'] } as unknown as TextRunRecord;
    apply({ type: 'run', record: textRecord });
    expect(store.getState().runRecord).toBe(record);
    expect(store.getState().runLabels).toEqual(['b', 'a']);
    expect(store.getState().text.record).toBe(textRecord);
    expect(store.getState().text.runLabels).toEqual(['x', 'y']);
  });

  it('puts batch metrics in the buffer, not in the store', () => {
    store.setState({ status: 'running' });
    const before = store.getState();
    const v = buffer.version;
    apply({ type: 'batches', items: [{ epoch: 1, batch: 1, batches: 2, loss: 1, accuracy: 0.5, step: 1 }] });
    expect(buffer.items).toHaveLength(1);
    expect(buffer.version).toBe(v + 1);
    expect(store.getState()).toBe(before);
  });

  it('appends epochs in order and keeps epoch 0 as the initial validation loss', () => {
    apply({ type: 'epoch', metrics: epoch(0, 2, 1.9) });
    apply({ type: 'epoch', metrics: epoch(2, 1, 1.1) });
    apply({ type: 'epoch', metrics: epoch(1, 1.5, 1.4) });
    const s = store.getState();
    expect(s.initialValLoss).toBe(1.9);
    expect(s.history.map((h) => h.epoch)).toEqual([1, 2]);
  });

  it('keeps the last log line', () => {
    apply({ type: 'log', message: 'hello' });
    expect(store.getState().lastLog).toBe('hello');
  });
});

const textEpoch = (n: number, trainLoss: number | null, valLoss: number): TextEpochMetrics => ({
  epoch: n,
  trainLoss,
  valLoss,
  perplexity: Math.exp(valLoss),
  valAccuracy: null,
  learningRate: 0.001,
  sample: null,
  seconds: n === 0 ? 0 : 1,
});

describe('reduceWorkerEvent: text runs', () => {
  let store: ReturnType<typeof createStudioStore>;
  const images = createMetricsBuffer();
  const texts = createMetricsBuffer<TextBatchPoint>();
  const apply = (e: Parameters<typeof reduceWorkerEvent>[1]) => {
    const patch = reduceWorkerEvent(store.getState(), e, { image: images, text: texts });
    if (patch) store.setState(patch);
  };
  const batch = (step: number, loss: number) => ({
    type: 'text' as const,
    event: { type: 'batch' as const, epoch: 1, batch: step, batches: 4, step, loss, learningRate: 0.001 },
  });

  beforeEach(() => {
    store = createStudioStore();
    images.reset();
    texts.reset();
    store.getState().resetTextRun({ status: 'loading' });
  });

  it('moves a text run from loading to running with the model measured before training, leaving the image run alone', () => {
    apply({
      type: 'text',
      event: {
        type: 'initial',
        epoch: 0,
        metrics: textEpoch(0, null, 2.5),
        trainableParams: 10,
        totalParams: 100,
        trainExamples: 8,
        validationExamples: 2,
        batchesPerEpoch: 4,
        cachedFeatures: false,
      },
    });
    const s = store.getState();
    expect(s.text.status).toBe('running');
    expect(s.text.initial?.valLoss).toBe(2.5);
    expect(s.text.batchesPerEpoch).toBe(4);
    expect(s.status).toBe('idle');
    expect(s.initialValLoss).toBeNull();
  });

  it('appends text batches to their buffer in place: no store update, no copy, the image buffer untouched', () => {
    store.getState().setText({ status: 'running', batchesPerEpoch: 4 });
    apply(batch(1, 2.4));
    const before = store.getState();
    const items = texts.items;
    const v = texts.version;
    apply(batch(2, 2.3));
    apply(batch(3, 2.2));
    expect(store.getState()).toBe(before);
    expect(texts.items).toBe(items);
    expect(texts.items.map((p) => p.step)).toEqual([1, 2, 3]);
    expect(texts.latest()).toEqual({ step: 3, batches: 4, loss: 2.2 });
    expect(texts.version).toBe(v + 2);
    expect(images.items).toHaveLength(0);
  });

  it('keeps text epochs under `text`, replacing a repeated epoch; `done` changes nothing', () => {
    apply({ type: 'text', event: { type: 'epoch', metrics: textEpoch(1, 2.2, 2.3) } });
    apply({ type: 'text', event: { type: 'epoch', metrics: textEpoch(2, 2.0, 2.1) } });
    apply({ type: 'text', event: { type: 'epoch', metrics: textEpoch(2, 1.9, 2.0) } });
    expect(store.getState().text.history.map((h) => [h.epoch, h.valLoss])).toEqual([
      [1, 2.3],
      [2, 2.0],
    ]);
    expect(store.getState().history).toEqual([]);
    const before = store.getState();
    apply({ type: 'text', event: { type: 'done', reason: 'completed', epochs: 2, bestEpoch: null, metrics: textEpoch(2, 1.9, 2.0) } });
    expect(store.getState()).toBe(before);
  });

  it('clears the text batch buffer when a text run is reset', () => {
    store.getState().resetTextRun({ status: 'running', batchesPerEpoch: 4 });
    const shared = reduceWorkerEvent(store.getState(), batch(1, 2), { image: images, text: textBatchMetrics });
    expect(shared).toBeNull();
    expect(textBatchMetrics.items).toHaveLength(1);
    store.getState().resetTextRun();
    expect(textBatchMetrics.items).toHaveLength(0);
    expect(store.getState().text.status).toBe('idle');
  });
});

describe('store rules', () => {
  it('syncs the trainable set with the training mode', () => {
    const store = createStudioStore();
    store.getState().setModelLoaded({
      id: 'm',
      name: 'm',
      inputSize: 224,
      inputRange: [0, 1],
      totalParams: 30,
      layers: [
        {
          name: 'input_1',
          className: 'InputLayer',
          outputShape: [null, 4],
          params: 0,
          trainableParams: 0,
          trainable: false,
          block: 'input',
          hasWeights: false,
        },
        {
          name: 'block_1_a',
          className: 'Dense',
          outputShape: [null, 4],
          params: 10,
          trainableParams: 10,
          trainable: false,
          block: 'block_1',
          hasWeights: true,
        },
        {
          name: 'block_2_a',
          className: 'Dense',
          outputShape: [null, 4],
          params: 10,
          trainableParams: 10,
          trainable: false,
          block: 'block_2',
          hasWeights: true,
        },
        {
          name: 'block_3_a',
          className: 'Dense',
          outputShape: [null, 8],
          params: 10,
          trainableParams: 10,
          trainable: false,
          block: 'block_3',
          hasWeights: true,
        },
      ],
    });
    expect(store.getState().settings.mode).toBe('head-only');
    store.getState().applyPreset('top-blocks');
    expect(store.getState().trainable).toEqual(['block_2_a', 'block_3_a']);
    expect(store.getState().settings).toMatchObject({ mode: 'fine-tune', trainableLayers: ['block_2_a', 'block_3_a'] });
    store.getState().setMode('head-only');
    expect(store.getState().settings.trainableLayers).toEqual([]);
    store.getState().applyPreset('full');
    expect(store.getState().trainable).toEqual(['block_1_a', 'block_2_a', 'block_3_a']);
    expect(startBlocker(store.getState())).toMatch(/two classes/);
  });

  it('detects overfitting: val loss up two epochs while train loss falls', () => {
    expect(overfitting([epoch(1, 1, 1), epoch(2, 0.8, 1.1), epoch(3, 0.6, 1.2)])).toBe(true);
    expect(overfitting([epoch(1, 1, 1), epoch(2, 0.8, 0.9), epoch(3, 0.6, 1.2)])).toBe(false);
  });

  it('reads URL parameters and validates fields', () => {
    expect(readParams('?backend=wasm&seed=7')).toEqual({ backend: 'wasm', unknownBackend: null, seed: 7 });
    expect(readParams('?backend=tpu')).toMatchObject({ backend: null, unknownBackend: 'tpu' });
    expect(parseField('batchSize', '2.5')).toHaveProperty('error');
    expect(parseField('batchSize', '32')).toEqual({ value: 32 });
    expect(parseField('validationSplit', '0.6')).toHaveProperty('error');
  });
});
