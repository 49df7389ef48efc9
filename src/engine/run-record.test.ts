import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createTrainingEngine, type EngineEvent } from './engine';
import type { Checkpoint } from './checkpoint';
import {
  classificationManifest,
  dataDrift,
  settingsDrift,
  splitManifest,
  textDataManifest,
  type DataManifest,
  type ImageRunRecord,
} from './run-record';
import { DEFAULT_SETTINGS, type TrainSettings } from './types';
import { imageExportMetadata, imageModelCard } from '../models/export/metadata';
import { colourSources, tinyBackbone } from '../test/tiny';

const SIZE = 8;
const LABELS = ['r', 'g', 'b'];

function sources() {
  const { train, val, trainIdx, valIdx, labels } = colourSources(18, 3, SIZE, 4, 3);
  // Content keys as the worker makes them from each file's SHA-256; here the id stands in.
  const keyed = (idx: number[]) => idx.map((i) => ({ key: `hash-${i}`, label: labels[i]! }));
  const data = classificationManifest(LABELS, keyed(trainIdx), keyed(valIdx), 0.33);
  return { train, val, data, valKeys: keyed(valIdx) };
}

const settings = (over: Partial<TrainSettings> = {}): TrainSettings => ({
  ...DEFAULT_SETTINGS,
  imageSize: SIZE,
  epochs: 3,
  batchSize: 4,
  learningRate: 0.003,
  dropout: 0,
  seed: 9,
  ...over,
});

async function loadTiny() {
  const engine = createTrainingEngine(tf);
  await engine.loadModel('tiny', 'Tiny', async () => tinyBackbone(SIZE), [0, 1]);
  return engine;
}

const RUN = { id: 'run-test', model: { id: 'tiny', name: 'Tiny', licence: 'MIT', source: 'catalog' } };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the run record', () => {
  it('holds the settings as used, the labels, the trainable layers and the input, apart from the caller’s objects', async () => {
    const engine = await loadTiny();
    const { train, val, data } = sources();
    const asked = settings({ mode: 'fine-tune', trainableLayers: ['block_2_conv'] });
    const records: ImageRunRecord[] = [];
    const result = await engine.train(
      asked,
      LABELS,
      train,
      val,
      (e: EngineEvent) => {
        if (e.type === 'run') records.push(e.record);
      },
      { run: { ...RUN, data } },
    );
    // The caller changes its settings after the run (as the screen does): the record does not follow.
    asked.epochs = 10;
    asked.learningRate = 0.5;
    asked.trainableLayers.push('block_1_conv');
    const record = engine.record()!;
    expect(record.settings.epochs).toBe(3);
    expect(record.settings.learningRate).toBe(0.003);
    expect(record.settings.trainableLayers).toEqual(['block_2_conv']);
    expect(record.labels).toEqual(LABELS);
    expect(record.id).toBe('run-test');
    expect(record.backend).toBe('cpu');
    // The trainable layers are read off the model, not copied from the request: the head is in, block_1 is not.
    expect(record.trainable).toEqual(['block_2_conv', 'head_dense']);
    // The input side is model.json's.
    expect(record.input.imageSize).toBe(engine.classifier()!.inputs[0]!.shape[1]);
    expect(record.data).toEqual(data);
    // Metrics as they came: epoch 0's loss, and every epoch of the result.
    expect(record.metrics.initialValLoss).toBeGreaterThan(0);
    expect(record.metrics.history).toEqual(result.history);
    expect(record.metrics.epochsCompleted).toBe(3);
    expect(record.metrics.finishedAt).not.toBeNull();
    // One record when the run starts (no epochs yet), one per epoch, one at the end.
    expect(records.map((r) => r.metrics.history.length)).toEqual([0, 1, 2, 3, 3]);
    expect(records[0]!.metrics.finishedAt).toBeNull();
    engine.dispose();
  });

  it('writes metadata.json and the model card from the record: the trained epochs, rate, labels and input size', async () => {
    const engine = await loadTiny();
    const { train, val, data } = sources();
    await engine.train(settings(), LABELS, train, val, () => {}, { run: { ...RUN, data } });
    const record = engine.record()!;
    const meta = imageExportMetadata(record, 'colours', '2026-12-01T00:00:00.000Z');
    const files = await engine.exportFiles(meta);
    const modelJson = JSON.parse(new TextDecoder().decode(files.find((f) => f.name === 'model.json')!.data)) as {
      modelTopology: { config: { layers: { class_name: string; config: { batch_input_shape?: number[] } }[] } };
    };
    const input = modelJson.modelTopology.config.layers.find((l) => l.class_name === 'InputLayer')!.config.batch_input_shape!;
    const written = JSON.parse(new TextDecoder().decode(files.find((f) => f.name === 'metadata.json')!.data)) as Record<string, unknown>;
    expect(written.imageSize).toBe(input[1]);
    expect(written.labels).toEqual(LABELS);
    expect(written.task).toBe('image-classification');
    expect(written.settings).toMatchObject({ epochs: 3, learningRate: 0.003, batchSize: 4 });
    expect((written.metrics as { history: unknown[] }).history).toHaveLength(3);
    expect((written.run as { data: DataManifest }).data.train.digest).toBe(data.train.digest);
    const card = imageModelCard(record, 'colours');
    expect(card).toContain('3 epochs, batch 4, adam at learning rate 0.003');
    expect(card).toContain(`- r: ${data.classes[0]!.train + data.classes[0]!.val} images`);
    engine.dispose();
  });

  it('says whether an evaluation was on the run’s own validation split', async () => {
    const engine = await loadTiny();
    const { train, val, data, valKeys } = sources();
    await engine.train(settings({ epochs: 1 }), LABELS, train, val, () => {}, { run: { ...RUN, data } });
    const named = valKeys.map((k) => ({ key: k.key, label: LABELS[k.label]! }));
    await engine.evaluate(val, undefined, splitManifest(named));
    expect(engine.record()!.metrics.evaluation?.onRunSplit).toBe(true);
    await engine.evaluate(val, undefined, splitManifest(named.slice(1)));
    expect(engine.record()!.metrics.evaluation?.onRunSplit).toBe(false);
    engine.dispose();
  });

  it('is continued by a resumed run: same id, settings and data; the resume and a change of data are noted', async () => {
    const { train, val, data } = sources();
    const a = await loadTiny();
    const checkpoints: Checkpoint[] = [];
    await a.train(
      settings(),
      LABELS,
      train,
      val,
      (e) => {
        if (e.type === 'checkpoint') checkpoints.push(e.checkpoint);
      },
      { checkpoints: true, run: { ...RUN, data } },
    );
    const first = a.record()!;
    const interrupted: ImageRunRecord = {
      ...first,
      metrics: { ...first.metrics, history: first.metrics.history.slice(0, 1), epochsCompleted: 1, finishedAt: null },
    };
    const b = await loadTiny();
    const other = classificationManifest(LABELS, [{ key: 'x', label: 0 }], [{ key: 'y', label: 1 }], 0.5);
    // The resumed command carries other settings: the record's stand.
    await b.train(settings({ learningRate: 0.9 }), LABELS, train, val, () => {}, {
      resume: { checkpoint: checkpoints[0]!, history: interrupted.metrics.history, record: interrupted },
      run: { id: 'ignored', model: RUN.model, data: other },
    });
    const r = b.record()!;
    expect(r.id).toBe('run-test');
    expect(r.settings.learningRate).toBe(0.003);
    expect(r.data).toEqual(data);
    expect(r.resumes).toHaveLength(1);
    expect(r.resumes[0]!.afterEpoch).toBe(1);
    expect(r.backends).toEqual(['cpu', 'cpu']);
    expect(r.metrics.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(r.notes.join(' ')).toMatch(/Resumed after epoch 1 on data that differs/);
    a.dispose();
    b.dispose();
  });
});

describe('data manifests and drift', () => {
  it('a split digest ignores order and sees a changed label or file', () => {
    const a = splitManifest([
      { key: 'f1', label: 'cat' },
      { key: 'f2', label: 'dog' },
    ]);
    const reordered = splitManifest([
      { key: 'f2', label: 'dog' },
      { key: 'f1', label: 'cat' },
    ]);
    const relabelled = splitManifest([
      { key: 'f1', label: 'dog' },
      { key: 'f2', label: 'dog' },
    ]);
    const otherFile = splitManifest([
      { key: 'f1', label: 'cat' },
      { key: 'f3', label: 'dog' },
    ]);
    expect(reordered.digest).toBe(a.digest);
    expect(relabelled.digest).not.toBe(a.digest);
    expect(otherFile.digest).not.toBe(a.digest);
    expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the settings that changed, and nothing when none did', () => {
    const used = settings();
    expect(settingsDrift(used, structuredClone(used))).toEqual([]);
    const now = { ...used, epochs: 5, learningRate: 0.01, augmentation: { ...used.augmentation, flip: true } };
    expect(settingsDrift(used, now)).toEqual(['epochs 3 → 5', 'learning rate 0.003 → 0.01', 'augmentation changed']);
  });

  it('names an added class and the new size of the data', () => {
    const used = classificationManifest(['a', 'b'], [{ key: '1', label: 0 }], [{ key: '2', label: 1 }], 0.5);
    expect(dataDrift(used, used)).toEqual([]);
    const now = classificationManifest(
      ['a', 'b', 'big'],
      [
        { key: '1', label: 0 },
        { key: '3', label: 2 },
      ],
      [
        { key: '2', label: 1 },
        { key: '4', label: 2 },
      ],
      0.5,
    );
    expect(dataDrift(used, now)).toEqual(['class added: big', '4 examples now, 2 when it trained']);
    const relabelled = classificationManifest(['a', 'b'], [{ key: '1', label: 1 }], [{ key: '2', label: 1 }], 0.5);
    expect(dataDrift(used, relabelled)).toEqual(['the examples or their labels changed']);
  });

  it('hashes texts: a classification split by text and label, a corpus by its bytes', async () => {
    const labels = ['ham', 'spam'];
    const one = await textDataManifest(
      { task: 'text-classification', train: [{ text: 'hello', label: 0 }], validation: [{ text: 'win now', label: 1 }] },
      labels,
      0.2,
    );
    const edited = await textDataManifest(
      { task: 'text-classification', train: [{ text: 'hello!', label: 0 }], validation: [{ text: 'win now', label: 1 }] },
      labels,
      0.2,
    );
    expect(one.val.digest).toBe(edited.val.digest);
    expect(one.train.digest).not.toBe(edited.train.digest);
    expect(one.classes).toEqual([
      { label: 'ham', train: 1, val: 0 },
      { label: 'spam', train: 0, val: 1 },
    ]);
    const corpus = await textDataManifest({ task: 'text-generation', train: 'Call me Ishmael.', validation: 'é' }, [], 0.1);
    expect(corpus.train.count).toBe(16);
    expect(corpus.val.count).toBe(2);
  });
});
