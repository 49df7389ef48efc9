import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../engine/types';
import { StudioError } from '../lib/errors';
import { runRow } from '../state/runRows';
import { runUseBlocker } from '../state/runsActions';
import { useStudio } from '../state/store';
import type { TextTrainSettings } from '../text/types';
import {
  jobHistory,
  jobRunId,
  jobRunRecord,
  jobTextHistory,
  jobTextRunRecord,
  parseJobMetrics,
  readTrainedBy,
  trainedByLabel,
} from './job-run';

/** metrics.jsonl as train.py writes it: epoch 0 before the first step (no training metrics), then one line an epoch. */
const line = (o: Record<string, unknown>) => JSON.stringify(o);
const epoch0 = {
  epoch: 0,
  train_loss: null,
  train_accuracy: null,
  val_loss: 1.1,
  val_accuracy: 0.3,
  learning_rate: 0.001,
  world_size: 2,
  seconds: 0.5,
};
const epoch = (e: number, over: Record<string, unknown> = {}) => ({
  epoch: e,
  train_loss: 1 / (e + 1),
  train_accuracy: 0.5 + e / 10,
  val_loss: 0.9 / e,
  val_accuracy: 0.6 + e / 20,
  learning_rate: 0.001 / e,
  world_size: 2,
  seconds: 2 * e,
  ...over,
});
const good = [epoch0, epoch(1), epoch(2), epoch(3)].map(line).join('\n') + '\n';

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof StudioError) return err.userMessage;
    throw err;
  }
  throw new Error('it did not throw');
}

describe('reading a job’s metrics.jsonl', () => {
  it('reads every line of a good file, epoch 0 without training metrics', () => {
    const lines = parseJobMetrics(good);
    expect(lines.map((l) => l.epoch)).toEqual([0, 1, 2, 3]);
    expect(lines[0]).toEqual({
      line: 1,
      epoch: 0,
      trainLoss: null,
      trainAccuracy: null,
      valLoss: 1.1,
      valAccuracy: 0.3,
      learningRate: 0.001,
      worldSize: 2,
      seconds: 0.5,
      trainableParams: null,
      perplexity: null,
    });
    expect(lines[2]).toMatchObject({ line: 3, epoch: 2, trainLoss: 1 / 3, trainAccuracy: 0.7, valLoss: 0.45, worldSize: 2, seconds: 4 });
  });

  it('skips blank lines (and CRLF, a BOM) but counts them in the line numbers', () => {
    const text = `\uFEFF\n${line(epoch0)}\r\n\r\n   \n${line(epoch(1))}\r\n\n`;
    const lines = parseJobMetrics(text);
    expect(lines.map((l) => [l.line, l.epoch])).toEqual([
      [2, 0],
      [5, 1],
    ]);
  });

  it('names the line that is not JSON, and the file', () => {
    const text = [line(epoch0), line(epoch(1)), '{"epoch": 2, "train_loss": 0.3,', line(epoch(3))].join('\n');
    expect(messageOf(() => parseJobMetrics(text))).toBe(
      'Line 3 of metrics.jsonl is not JSON (train.py writes one JSON object a line), so the job’s run was not brought in. ' +
        'Drop the metrics.jsonl that train.py wrote, unchanged, together with its model.zip.',
    );
    expect(messageOf(() => parseJobMetrics('[1, 2]', 'out/metrics.jsonl'))).toMatch(/^Line 1 of out\/metrics\.jsonl is not a JSON object/);
  });

  it('names the missing fields and every field a line needs', () => {
    const { val_loss: _v, seconds: _s, ...partial } = epoch(2);
    const text = [line(epoch0), line(epoch(1)), line(partial)].join('\n');
    expect(messageOf(() => parseJobMetrics(text))).toMatch(
      /^Line 3 of metrics\.jsonl has no val_loss, seconds \(each line needs epoch, train_loss, train_accuracy, val_loss, val_accuracy, learning_rate, world_size and seconds\), so the job’s run was not brought in\./,
    );
  });

  it('says which value is wrong: a text for a number, training metrics missing after epoch 0, a bad epoch or world size', () => {
    expect(messageOf(() => parseJobMetrics(line(epoch(1, { train_loss: 'low' }))))).toMatch(
      /^Line 1 of metrics\.jsonl has train_loss "low", not a number,/,
    );
    expect(messageOf(() => parseJobMetrics(line(epoch(1, { train_accuracy: null }))))).toMatch(/has train_accuracy null, not a number,/);
    expect(messageOf(() => parseJobMetrics(line(epoch(1, { val_loss: '0.3' }))))).toMatch(/has val_loss "0.3", not a number or null,/);
    expect(messageOf(() => parseJobMetrics(line(epoch(1, { epoch: 1.5 }))))).toMatch(/has epoch 1.5, not a whole number from 0/);
    expect(messageOf(() => parseJobMetrics(line(epoch(1, { world_size: 0 }))))).toMatch(/has world_size 0, not a whole number from 1/);
    // Validation metrics may be null (a run without a validation split); epoch 0's training metrics must be.
    expect(parseJobMetrics(line(epoch(1, { val_loss: null, val_accuracy: null })))[0]).toMatchObject({ valLoss: null, valAccuracy: null });
  });

  it('reads the NaN and Infinity Python’s json writes bare', () => {
    const text =
      '{"epoch": 1, "train_loss": NaN, "train_accuracy": 0.5, "val_loss": Infinity, "val_accuracy": 0.5, "learning_rate": 0.1, "world_size": 1, "seconds": 1}';
    const [l] = parseJobMetrics(text);
    expect(l?.trainLoss).toBeNaN();
    expect(l?.valLoss).toBe(Number.POSITIVE_INFINITY);
  });

  it('refuses a file with no epochs', () => {
    expect(messageOf(() => parseJobMetrics('\n \n'))).toMatch(/^metrics\.jsonl holds no epochs, so the job’s run was not brought in\./);
  });
});

describe('the job’s metrics as the studio’s history', () => {
  it('maps epoch 0 to the loss before training and each later line to one epoch', () => {
    const { history, initialValLoss, seconds } = jobHistory(parseJobMetrics(good), 5124);
    expect(initialValLoss).toBe(1.1);
    expect(history).toHaveLength(3);
    expect(history[1]).toEqual({
      epoch: 2,
      learningRate: 0.0005,
      trainableParams: 5124,
      loss: 1 / 3,
      accuracy: 0.7,
      valLoss: 0.45,
      valAccuracy: 0.7,
      ms: 4000,
      numTensors: 0,
    });
    expect(seconds).toBeCloseTo(0.5 + 2 + 4 + 6);
  });

  it('takes each epoch’s trainable parameters from its line when train.py wrote them there', () => {
    const { history } = jobHistory(parseJobMetrics([epoch0, epoch(1, { trainable_params: 777 }), epoch(2)].map(line).join('\n')), 5124);
    expect(history.map((h) => h.trainableParams)).toEqual([777, 5124]);
  });

  it('lets a rerun over the same output folder replace the epochs it trained again', () => {
    const text = [epoch0, epoch(1), epoch(2), epoch(3), epoch(2, { val_loss: 0.1 }), epoch(3, { val_loss: 0.05 })].map(line).join('\n');
    const { history } = jobHistory(parseJobMetrics(text));
    expect(history.map((h) => [h.epoch, h.valLoss])).toEqual([
      [1, 0.9],
      [2, 0.1],
      [3, 0.05],
    ]);
  });
});

describe('where a job trained', () => {
  it('reads metadata.json’s trainedBy and says it the way the runs view shows a backend', () => {
    const t = readTrainedBy({ tool: 'train.py', torch: '2.4.1', worldSize: 4, device: 'cuda', jobCreatedAt: '2025-01-02T03:04:05.000Z' });
    expect(t).toEqual({ tool: 'train.py', torch: '2.4.1', worldSize: 4, device: 'cuda', jobCreatedAt: '2025-01-02T03:04:05.000Z' });
    expect(trainedByLabel(t!)).toBe('PyTorch ×4 processes (cuda)');
    expect(trainedByLabel({ ...t!, worldSize: 1, device: null })).toBe('PyTorch, 1 process');
    // The world size falls back to the metrics'.
    expect(readTrainedBy({ tool: 'train.py' }, parseJobMetrics(good))?.worldSize).toBe(2);
    expect(readTrainedBy(undefined)).toBeNull();
  });
});

const metadata = {
  task: 'image-classification',
  labels: ['cat', 'dog'],
  imageSize: 96,
  settings: { ...DEFAULT_SETTINGS, epochs: 3, learningRate: 0.001, batchSize: 16 },
  model: { id: 'mobilenet-v2', name: 'MobileNetV2', licence: 'Apache-2.0', source: 'catalog' },
  run: { id: 'run-abc', trainableParams: 2562, finishedAt: '2025-01-02T05:00:00.000Z' },
  trainedBy: { tool: 'train.py', torch: '2.4.1', worldSize: 2, device: 'cpu', jobCreatedAt: '2025-01-02T03:00:00.000Z' },
  createdAt: '2025-01-02T05:00:01.000Z',
};

describe('the job’s run as the project keeps it, and its row in the runs view', () => {
  const run = jobRunRecord({
    id: 'job-1',
    projectId: 'p',
    lines: parseJobMetrics(good),
    metadata,
    file: 'model.zip',
    fallbackSettings: { ...DEFAULT_SETTINGS, epochs: 9 },
    now: 0,
  });

  it('keeps its history, labels, settings and where it trained; no worker record', () => {
    expect(run).toMatchObject({
      id: 'job-1',
      projectId: 'p',
      labels: ['cat', 'dog'],
      initialValLoss: 1.1,
      record: null,
      status: 'done',
      job: {
        trainedBy: metadata.trainedBy,
        model: 'MobileNetV2',
        file: 'model.zip',
        exportedAt: '2025-01-02T05:00:01.000Z',
        runId: 'run-abc',
      },
    });
    expect(run.settings.epochs).toBe(3);
    expect(run.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(run.history.every((h) => h.trainableParams === 2562)).toBe(true);
    // It ended when the job finished, and lasted as long as its epochs.
    expect(run.updatedAt).toBe(Date.parse('2025-01-02T05:00:00.000Z'));
    expect(run.updatedAt - run.startedAt).toBe(12_500);
  });

  it('shows in the runs view with its epochs, its curve and where it trained, and says why its model is not rebuilt from there', () => {
    const row = runRow(run, 4);
    expect(row).toMatchObject({
      kind: 'image',
      backend: 'PyTorch ×2 processes (cpu)',
      model: 'MobileNetV2',
      epochsCompleted: 3,
      durationMs: 12_500,
      trainedBy: metadata.trainedBy,
    });
    expect(row.curve).toEqual([
      { epoch: 1, valLoss: 0.9, valMetric: 0.65 },
      { epoch: 2, valLoss: 0.45, valMetric: 0.7 },
      { epoch: 3, valLoss: 0.3, valMetric: 0.75 },
    ]);
    expect(row.settings).toMatchObject({ epochs: 3, batchSize: 16, trainableParams: 2562 });
    // A studio run's row says nothing of a job.
    expect(runRow({ ...run, job: undefined }, 1)).toMatchObject({ backend: '', model: '', trainedBy: null });
    expect(runUseBlocker(run, useStudio.getState())).toBe(
      'This run trained in PyTorch ×2 processes (cpu), outside the studio: its model comes back by importing model.zip again in step 2.',
    );
  });

  it('has an id that is the same for the same job in the same project, and differs otherwise', () => {
    const id = jobRunId('p', metadata);
    expect(id).toMatch(/^job-[0-9a-f]{16}$/);
    expect(jobRunId('p', { ...metadata })).toBe(id);
    expect(jobRunId('q', metadata)).not.toBe(id);
    expect(jobRunId('p', { ...metadata, createdAt: '2025-01-03T00:00:00.000Z' })).not.toBe(id);
    expect(jobRunId('p', { ...metadata, run: { id: 'run-other' } })).not.toBe(id);
    expect(jobRunId('p', { labels: [] })).toBeNull();
  });

  it('without a trainedBy, still says it trained elsewhere, with the metrics’ world size', () => {
    const { trainedBy: _t, ...plain } = metadata;
    const other = jobRunRecord({
      id: 'j',
      projectId: 'p',
      lines: parseJobMetrics(good),
      metadata: plain,
      file: 'm.zip',
      fallbackSettings: DEFAULT_SETTINGS,
      now: 5,
    });
    expect(runRow(other, 1).backend).toBe('Outside the studio ×2 processes');
  });
});

describe('a text-generation job’s metrics.jsonl (train_lm.py)', () => {
  /** As train_lm.py writes a line: perplexity in place of train_accuracy, val_accuracy null. */
  const textLine = (epoch: number, valLoss: number, extra: Record<string, unknown> = {}) =>
    line({
      epoch,
      train_loss: epoch === 0 ? null : valLoss + 0.2,
      val_loss: valLoss,
      perplexity: Math.exp(valLoss),
      val_accuracy: null,
      learning_rate: 0.002,
      world_size: 1,
      seconds: epoch === 0 ? 0 : 2,
      trainable_params: 500,
      ...extra,
    });

  it('reads its lines as text lines, and refuses them as an image job’s (no train_accuracy)', () => {
    const text = [textLine(0, 3), textLine(1, 2.5)].join('\n');
    const lines = parseJobMetrics(text, 'metrics.jsonl', 'text');
    expect(lines.map((l) => [l.epoch, l.trainAccuracy, l.perplexity])).toEqual([
      [0, null, Math.exp(3)],
      [1, null, Math.exp(2.5)],
    ]);
    expect(() => parseJobMetrics(text)).toThrow(/^Line 1 of metrics\.jsonl has no train_accuracy/);
  });

  it('gives TextEpochMetrics: perplexity as written, else exp(validation loss); a rerun’s lines replace the earlier ones', () => {
    const text = [textLine(0, 3), textLine(1, 2.5, { perplexity: null }), textLine(2, 2.4), textLine(2, 2.2), textLine(3, 2.1)].join('\n');
    const { initial, history, seconds } = jobTextHistory(parseJobMetrics(text, 'metrics.jsonl', 'text'));
    expect(initial).toMatchObject({ epoch: 0, trainLoss: null, valLoss: 3, valAccuracy: null, learningRate: 0.002, seconds: 0 });
    expect(history.map((h) => [h.epoch, h.valLoss, h.perplexity])).toEqual([
      [1, 2.5, Math.exp(2.5)],
      [2, 2.2, Math.exp(2.2)],
      [3, 2.1, Math.exp(2.1)],
    ]);
    expect(history[0]).toMatchObject({ trainLoss: 2.7, sample: null, seconds: 2 });
    expect(seconds).toBe(6);
  });

  it('makes a stored text run that says where it trained, listed with its epochs', () => {
    const lines = parseJobMetrics([textLine(0, 3), textLine(1, 2.5), textLine(2, 2.3)].join('\n'), 'metrics.jsonl', 'text');
    const metadata = {
      task: 'text-generation',
      baseModel: 'text-lm',
      settings: { epochs: 2, learningRate: 0.002 },
      run: { id: 'run-t', finishedAt: '2025-01-02T05:00:00.000Z' },
      trainedBy: { tool: 'train.py', torch: '2.4.1', worldSize: 1, device: 'cuda', jobCreatedAt: null },
      createdAt: '2025-01-02T05:00:01.000Z',
    };
    const textSettings = {
      task: 'text-generation',
      epochs: 9,
      learningRate: 0.1,
      batchSize: 4,
      trainableGroups: ['head'],
    } as unknown as TextTrainSettings;
    const run = jobTextRunRecord({
      id: 'job-t',
      projectId: 'p',
      lines,
      metadata,
      file: 'model.zip',
      fallbackSettings: DEFAULT_SETTINGS,
      textSettings,
      now: 0,
    });
    expect(run.text).toMatchObject({
      task: 'text-generation',
      labels: [],
      record: null,
      settings: { epochs: 2, learningRate: 0.002, batchSize: 4 },
    });
    expect(run.text?.history).toHaveLength(2);
    expect(run.job).toMatchObject({ model: 'text-lm', runId: 'run-t', trainedBy: { tool: 'train.py', device: 'cuda' } });
    expect(run.updatedAt - run.startedAt).toBe(4000);
    expect(runRow(run, 1)).toMatchObject({ kind: 'text', epochsCompleted: 2, backend: 'PyTorch, 1 process (cuda)', model: 'text-lm' });
    expect(runRow(run, 1).trainedBy?.tool).toBe('train.py');
    useStudio.getState().setText({ task: 'text-generation' });
    expect(runUseBlocker(run, useStudio.getState())).toBe(
      'This run trained in PyTorch, 1 process (cuda), outside the studio: its model comes back by importing model.zip again in step 2.',
    );
  });
});
