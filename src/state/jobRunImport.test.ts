import 'fake-indexeddb/auto';
import { strToU8, zipSync } from 'fflate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type ModelSummary } from '../engine/types';
import { importModelFiles } from './modelImport';
import { currentSource, modelOrigin } from './modelSource';
import { flushWrites, projectDb, startPersistence } from './persistence';
import { useStudio } from './store';

// No worker in Node: the model "loads" as this summary, and the worker is always ready.
const summary: ModelSummary = { id: 'x', name: 'job model', inputSize: 96, inputRange: [0, 1], layers: [], totalParams: 10 };
const calls: { kind: string; names?: string[] }[] = [];
vi.mock('./clientHost', () => ({
  getClient: () => ({
    onEvent: () => () => undefined,
    call: (cmd: { kind: string; names?: string[] }) => {
      calls.push(cmd);
      return Promise.resolve(summary);
    },
  }),
}));
vi.mock('./controller', () => ({ ensureReady: () => Promise.resolve(true), reevaluate: () => Promise.resolve() }));

const trainedBy = { tool: 'train.py', torch: '2.4.1', worldSize: 2, device: 'cpu', jobCreatedAt: '2025-01-02T03:00:00.000Z' };
const metadata = {
  task: 'image-classification',
  labels: ['cat', 'dog'],
  imageSize: 96,
  inputRange: [0, 1],
  settings: { ...DEFAULT_SETTINGS, epochs: 3, imageSize: 96 },
  model: { id: 'mobilenet-v2', name: 'MobileNetV2', licence: 'Apache-2.0', source: 'catalog' },
  run: { id: 'run-abc', trainableParams: 2562 },
  trainedBy,
  createdAt: '2025-01-02T05:00:01.000Z',
};
const modelZip = () =>
  new File(
    [
      zipSync({
        'model.json': strToU8('{"modelTopology": {}, "weightsManifest": []}'),
        'weights.bin': new Uint8Array(8),
        'metadata.json': strToU8(JSON.stringify(metadata)),
      }) as Uint8Array<ArrayBuffer>,
    ],
    'model.zip',
  );
const line = (epoch: number, valLoss: number) =>
  JSON.stringify({
    epoch,
    train_loss: epoch === 0 ? null : valLoss + 0.1,
    train_accuracy: epoch === 0 ? null : 0.8,
    val_loss: valLoss,
    val_accuracy: 0.7,
    learning_rate: 0.001,
    world_size: 2,
    seconds: 1.5,
  });
const metricsFile = (text: string) => new File([text], 'metrics.jsonl');
const goodMetrics = () => metricsFile([line(0, 1.2), line(1, 0.8), '', line(2, 0.6), line(3, 0.5)].join('\n') + '\n');

afterEach(() => useStudio.getState().setModelSwitch({ importError: null }));

describe('a PyTorch job’s model and metrics.jsonl, imported together', () => {
  it('loads the model and brings the job’s run in: stored, listed, on the charts, and carried into the next run’s record', async () => {
    await startPersistence();
    const db = projectDb();
    const projectId = useStudio.getState().currentId;
    if (!db || !projectId) throw new Error('no project storage');

    const importing = importModelFiles([modelZip(), goodMetrics()]);
    // Seen from outside (a click, a render), the model is never loaded without the job's curves on screen:
    // a run started right after the import is a run of its own.
    while (!useStudio.getState().modelId.startsWith('import-')) await new Promise((r) => setTimeout(r, 0));
    expect(useStudio.getState().history).toHaveLength(3);
    expect(await importing).toBe(true);
    // The worker got the model's files, not the metrics.
    expect(calls.at(-1)?.names?.sort()).toEqual(['metadata.json', 'model.json', 'weights.bin']);

    // On screen in the Train step: the job's 3 epochs and its loss before training.
    const s = useStudio.getState();
    expect(s.importError).toBeNull();
    expect(s.history.map((h) => [h.epoch, h.valLoss])).toEqual([
      [1, 0.8],
      [2, 0.6],
      [3, 0.5],
    ]);
    expect(s.initialValLoss).toBe(1.2);
    expect(s.runLabels).toEqual(['cat', 'dog']);
    expect(s.status).toBe('idle');

    // Stored and listed in the runs view (and chosen for its overlay), with where it trained.
    await flushWrites();
    const runs = await db.listRuns(projectId);
    const job = runs.find((r) => r.job);
    expect(job).toMatchObject({ status: 'done', labels: ['cat', 'dog'], job: { trainedBy, file: 'model.zip', model: 'MobileNetV2' } });
    expect(job?.history).toHaveLength(3);
    expect(s.runs.list.map((r) => r.id)).toContain(job?.id);
    expect(s.runs.chosen).toContain(job?.id);
    expect(s.runId).toBe(job?.id);
    await new Promise((r) => setTimeout(r, 400));
    await flushWrites();
    expect((await db.getProject(projectId))?.lastRunId).toBe(job?.id);

    // A run started on this model records where it came from: the export, the job's epochs, and where it trained.
    const origin = modelOrigin(s.modelId, s.summary);
    expect(origin.continuedFrom).toMatchObject({
      createdAt: metadata.createdAt,
      labels: ['cat', 'dog'],
      epochs: 3,
      run: 'run-abc',
      trainedBy,
    });

    // The same job imported again replaces its run.
    expect(await importModelFiles([modelZip(), goodMetrics()])).toBe(true);
    await flushWrites();
    expect((await db.listRuns(projectId)).filter((r) => r.job)).toHaveLength(1);

    // Choosing another model clears the screen, not the stored run's epochs.
    useStudio.getState().resetRun();
    await flushWrites();
    expect((await db.getRun(job?.id ?? ''))?.history).toHaveLength(3);
  });

  it('opens a job’s output folder zipped whole (model.zip and metrics.jsonl inside)', async () => {
    const out = zipSync({
      'out/model.zip': new Uint8Array(await modelZip().arrayBuffer()),
      'out/metrics.jsonl': strToU8([line(0, 1.2), line(1, 0.7)].join('\n')),
      'out/log.txt': strToU8('Epoch 1/1'),
    });
    expect(await importModelFiles([new File([out as Uint8Array<ArrayBuffer>], 'out.zip')])).toBe(true);
    expect(useStudio.getState().history.map((h) => h.valLoss)).toEqual([0.7]);
  });

  it('turns a bad line into a sentence, and keeps the model and curves it had', async () => {
    const source = currentSource();
    const history = useStudio.getState().history;
    const bad = metricsFile([line(0, 1.2), line(1, 0.8), '{"epoch": 2,'].join('\n'));
    expect(await importModelFiles([modelZip(), bad])).toBe(false);
    expect(useStudio.getState().importError).toMatch(/^Line 3 of metrics\.jsonl is not JSON .* so the job’s run was not brought in\./);
    expect(currentSource()).toBe(source);
    expect(useStudio.getState().history).toBe(history);
  });

  it('says to drop metrics.jsonl with its model.zip when it comes alone, or with a model that is no studio export', async () => {
    const source = currentSource();
    expect(await importModelFiles([goodMetrics()])).toBe(false);
    expect(useStudio.getState().importError).toBe(
      'metrics.jsonl holds a job’s curves, not a model: drop it together with the model.zip train.py wrote beside it (both are in the job’s output folder).',
    );
    const plain = [new File(['{"modelTopology": {}, "weightsManifest": []}'], 'model.json'), new File([new Uint8Array(8)], 'weights.bin')];
    expect(await importModelFiles([...plain, goodMetrics()])).toBe(false);
    expect(useStudio.getState().importError).toMatch(
      /^metrics\.jsonl comes with a studio export .* drop metrics\.jsonl with the job’s model\.zip\.$/,
    );
    expect(currentSource()).toBe(source);
  });
});
