import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type EpochMetrics, type TrainSettings } from '../engine/types';
import { newRunMetrics, type ImageRunRecord, type TextRunRecord } from '../engine/run-record';
import type { RunRecord as StoredRun } from '../storage/projects';
import type { TextEpochMetrics, TextTrainSettings } from '../text/types';
import { differingSettings, nextSort, overlayData, runRows, scatterPoints, sortRows } from './runRows';

const epoch = (e: number, valLoss: number, valAccuracy: number): EpochMetrics => ({
  epoch: e,
  learningRate: 0.001,
  trainableParams: 5124,
  loss: valLoss,
  accuracy: valAccuracy,
  valLoss,
  valAccuracy,
  ms: 10,
  numTensors: 1,
});

function imageRun(
  id: string,
  startedAt: number,
  over: Partial<TrainSettings>,
  history: EpochMetrics[],
  bestEpoch: number | null = null,
): StoredRun {
  const settings = { ...DEFAULT_SETTINGS, ...over };
  const record: ImageRunRecord = {
    version: 1,
    id,
    task: 'image-classification',
    startedAt: new Date(startedAt).toISOString(),
    backend: 'wasm',
    backends: ['wasm'],
    seed: 1,
    labels: ['a', 'b'],
    model: { id: 'mobilenet-v2', name: 'MobileNetV2', licence: 'Apache-2.0', source: 'catalog' },
    settings,
    input: { imageSize: settings.imageSize, inputRange: [0, 1], resize: 'stretch' },
    trainable: ['head_dense'],
    trainableParams: 2562,
    data: { train: { count: 1, digest: 'x' }, val: { count: 1, digest: 'y' }, classes: [], validationSplit: 0.2 },
    metrics: {
      ...newRunMetrics<EpochMetrics>(),
      history,
      epochsCompleted: history.length,
      bestEpoch,
      finishedAt: new Date(startedAt + 65_000).toISOString(),
    },
    notes: [],
    resumes: [],
  };
  return {
    id,
    projectId: 'p',
    labels: ['a', 'b'],
    settings,
    history,
    initialValLoss: 1,
    record,
    status: 'done',
    startedAt,
    updatedAt: startedAt + 70_000,
  };
}

const textEpoch = (e: number, valLoss: number): TextEpochMetrics => ({
  epoch: e,
  trainLoss: valLoss,
  valLoss,
  perplexity: Math.exp(valLoss),
  valAccuracy: null,
  learningRate: 0.001,
  sample: null,
  seconds: 1,
});

function textRun(id: string, startedAt: number, history: TextEpochMetrics[]): StoredRun {
  const settings: TextTrainSettings = {
    task: 'text-generation',
    seed: 1,
    epochs: 3,
    batchSize: 8,
    learningRate: 0.0005,
    optimizer: 'adamw',
    weightDecay: 0.01,
    schedule: { kind: 'constant', warmupSteps: 0, minFactor: 0.1 } as unknown as TextTrainSettings['schedule'],
    dropout: 0,
    trainableGroups: ['block_1', 'head'],
  };
  const record = {
    version: 1,
    id,
    task: 'text-generation',
    startedAt: '',
    backend: 'webgl',
    backends: ['webgl'],
    seed: 1,
    labels: [],
    model: { id: 'text-lm', name: 'Text LM', licence: 'MIT', source: 'bundled' },
    settings,
    trainable: settings.trainableGroups,
    trainableParams: 9000,
    data: { train: { count: 1, digest: 'x' }, val: { count: 1, digest: 'y' }, classes: [], validationSplit: 0.1 },
    metrics: { ...newRunMetrics<TextEpochMetrics>(), history, epochsCompleted: history.length },
    notes: [],
    resumes: [],
  } satisfies TextRunRecord;
  return {
    id,
    projectId: 'p',
    labels: [],
    settings: DEFAULT_SETTINGS,
    history: [],
    initialValLoss: null,
    text: { task: 'text-generation', settings, labels: [], initial: textEpoch(0, 3), history, record },
    status: 'stopped',
    startedAt,
    updatedAt: startedAt + 5000,
    notes: 'tiny corpus',
  };
}

describe('the runs view row model', () => {
  const a = imageRun('a', 1000, { learningRate: 0.001 }, [epoch(1, 1.2, 0.5), epoch(2, 0.9, 0.75), epoch(3, 1.0, 0.7)], 2);
  const b = imageRun('b', 2000, { learningRate: 0.01 }, [epoch(1, 1.1, 0.6), epoch(2, 0.8, 0.8)]);
  const t = textRun('t', 3000, [textEpoch(1, 2.5), textEpoch(2, 2.1)]);

  it('reads settings and metrics from an image run’s record', () => {
    const [ra, rb] = runRows([b, a]);
    expect(ra?.id).toBe('a'); // numbered in start order
    expect(ra?.number).toBe(1);
    expect(ra?.settings.learningRate).toBe(0.001);
    expect(ra?.settings.trainable).toBe('head only');
    expect(ra?.settings.trainableParams).toBe(2562);
    expect(ra?.settings.augmentation).toBe('off');
    expect(ra?.metric).toBe('accuracy');
    expect(ra?.finalMetric).toBe(0.7); // the last epoch
    expect(ra?.bestMetric).toBe(0.75);
    expect(ra?.bestEpoch).toBe(2); // the record's: the weights the model holds
    expect(ra?.durationMs).toBe(65_000);
    expect(ra?.backend).toBe('wasm');
    expect(rb?.bestEpoch).toBe(2); // no record value: the best epoch by the metric
  });

  it('judges a text-generation run by validation loss, lower being better', () => {
    const rt = runRows([t])[0]!;
    expect(rt.kind).toBe('text');
    expect(rt.metric).toBe('loss');
    expect(rt.finalMetric).toBe(2.1);
    expect(rt.bestMetric).toBe(2.1);
    expect(rt.settings.trainable).toBe('2 groups');
    expect(rt.settings.imageSize).toBeNull();
    expect(rt.curve.map((p) => p.epoch)).toEqual([1, 2]); // the initial evaluation is not an epoch
    expect(rt.notes).toBe('tiny corpus');
  });

  it('finds the settings that differ', () => {
    expect(differingSettings(runRows([a, b]))).toEqual(['learningRate']);
    expect(differingSettings(runRows([a, a]))).toEqual([]);
    const mixed = differingSettings(runRows([a, t]));
    expect(mixed).toContain('imageSize'); // a text run has none
    expect(mixed).toContain('optimizer');
  });

  it('sorts by any column, both ways, with missing values last', () => {
    const rows = runRows([a, b, t]);
    const ids = (key: Parameters<typeof sortRows>[1]) => sortRows(rows, key).map((r) => r.id);
    expect(ids({ key: 'learningRate', dir: 'asc' })).toEqual(['t', 'a', 'b']);
    expect(ids({ key: 'learningRate', dir: 'desc' })).toEqual(['b', 'a', 't']);
    expect(ids({ key: 'imageSize', dir: 'desc' })).toEqual(['a', 'b', 't']);
    expect(ids({ key: 'imageSize', dir: 'asc' })).toEqual(['a', 'b', 't']);
    expect(ids({ key: 'optimizer', dir: 'asc' })).toEqual(['a', 'b', 't']); // adam, adam, adamw
    expect(nextSort({ key: 'final', dir: 'asc' }, 'final')).toEqual({ key: 'final', dir: 'desc' });
    expect(nextSort({ key: 'final', dir: 'desc' }, 'number')).toEqual({ key: 'number', dir: 'asc' });
  });

  it('overlays curves by epoch and plots one point per run', () => {
    const rows = runRows([a, b]);
    expect(overlayData(rows, 'valMetric')).toEqual([
      { epoch: 1, a: 0.5, b: 0.6 },
      { epoch: 2, a: 0.75, b: 0.8 },
      { epoch: 3, a: 0.7 },
    ]);
    expect(scatterPoints(rows, 'learningRate', true)).toEqual([
      { id: 'a', name: 'Run 1', x: 0.001, y: 0.7 },
      { id: 'b', name: 'Run 2', x: 0.01, y: 0.8 },
    ]);
    // A log axis cannot show 0 (no weight decay); a linear one can.
    expect(scatterPoints(rows, 'weightDecay', true)).toEqual([]);
    expect(scatterPoints(rows, 'weightDecay', false)).toHaveLength(2);
  });
});
