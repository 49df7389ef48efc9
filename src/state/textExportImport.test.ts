import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { strToU8, zipSync } from 'fflate';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BUNDLED_TEXT_FILES, readHfModel, type HfInputFile } from '../models/hf/import';
import { exportTextModel, importTextModel as readTextExport } from '../text/export';
import { createTextModel, disposeTextModel, generateText } from '../text/text-model';
import { generateFromPrompt, importTextBase, loadTextBase } from '../worker/text-session';
import { runRow } from './runRows';
import { importModelFiles, importTextFiles } from './modelImport';
import { flushWrites, projectDb, startPersistence } from './persistence';
import { useStudio } from './store';
import { textModelOrigin } from './textTraining';

// The worker's text session, in Node: loads and imports go to its real functions (the bundled model read from public/).
const PUBLIC = fileURLToPath(new URL('../../public/', import.meta.url));
vi.stubGlobal('location', { href: 'http://studio.test/' });
vi.stubGlobal('fetch', (url: URL) =>
  Promise.resolve(new Response(new Blob([readFileSync(PUBLIC + decodeURIComponent(new URL(url).pathname.slice(1)))]))),
);
const loads: string[] = [];
vi.mock('./clientHost', () => ({
  getClient: () => ({
    generation: 1,
    onEvent: () => () => undefined,
    call: (cmd: { kind: string; files?: HfInputFile[]; url?: string; name?: string }) => {
      if (cmd.kind !== 'load') return Promise.reject(new Error(`unexpected ${cmd.kind}`));
      loads.push(cmd.files ? cmd.files.map((f) => f.name).join(',') : 'bundled');
      return cmd.files ? importTextBase(cmd.files) : loadTextBase(cmd.url ?? '', cmd.name ?? '');
    },
  }),
}));
vi.mock('./controller', () => ({ ensureReady: () => Promise.resolve(true), reevaluate: () => Promise.resolve() }));

const trainedBy = { tool: 'train.py', torch: '2.4.1', worldSize: 2, device: 'cpu', jobCreatedAt: '2025-01-02T03:00:00.000Z' };
const losses = [3.2, 2.9, 2.7, 2.6];
let exportFiles: Record<string, Uint8Array>;

/** What train_lm.py writes: the studio's text export of the bundled model (its head moved), with the job's run and trainedBy. */
beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
  const dir = PUBLIC + 'models/text-lm/';
  const hf = await readHfModel(BUNDLED_TEXT_FILES.map((name) => ({ name, blob: new Blob([readFileSync(dir + name)]) })));
  const model = createTextModel(tf, hf.saved, { task: 'text-generation' }, hf.tokenizer);
  const head = model.lm.vars.get('lm_head')!;
  head.assign(tf.tidy(() => tf.add(head, tf.randomNormal(head.shape, 0, 0.5, 'float32', 3))));
  const files = await exportTextModel(tf, model, { name: 'Fine-tuned text generator', baseModel: 'text-lm' });
  disposeTextModel(model);
  const metadata = JSON.parse(new TextDecoder().decode(files['metadata.json'])) as Record<string, unknown>;
  const history = losses.slice(1).map((l, i) => ({ epoch: i + 1, trainLoss: l + 0.1, valLoss: l, perplexity: Math.exp(l) }));
  Object.assign(metadata, {
    run: { id: 'run-abc', history, epochsCompleted: 3 },
    trainedBy,
    createdAt: '2025-01-02T05:00:01.000Z',
  });
  exportFiles = { ...files, 'metadata.json': strToU8(JSON.stringify(metadata)) };
});

const zip = (files: Record<string, Uint8Array>, name = 'model.zip') => new File([zipSync(files) as Uint8Array<ArrayBuffer>], name);
const without = (name: string) => Object.fromEntries(Object.entries(exportFiles).filter(([n]) => n !== name));
const line = (epoch: number) =>
  JSON.stringify({
    epoch,
    train_loss: epoch === 0 ? null : (losses[epoch] ?? 0) + 0.1,
    val_loss: losses[epoch],
    perplexity: Math.exp(losses[epoch] ?? 0),
    val_accuracy: null,
    learning_rate: 0.001,
    world_size: 2,
    seconds: epoch === 0 ? 0 : 1.5,
    trainable_params: 1000,
  });
const metrics = () => new File([[0, 1, 2, 3].map(line).join('\n') + '\n'], 'metrics.jsonl');
const sample = (m: Parameters<typeof generateText>[1]) =>
  generateText(tf, m, 'Call me', { maxTokens: 12, temperature: 1, topK: 5, seed: 7 });
const samplePretrained = () => generateFromPrompt({ prompt: 'Call me', maxTokens: 12, temperature: 1, topK: 5, seed: 7, pretrained: true });

afterEach(() => useStudio.getState().setModelSwitch({ importError: null }));

describe('the studio’s text export (a text-generation job’s model.zip), imported through model import', () => {
  it('says in a sentence what a text export lacks, and changes nothing', async () => {
    await startPersistence();
    const task = useStudio.getState().text.task;
    expect(await importModelFiles([zip(without('weights.bin'))])).toBe(false);
    expect(useStudio.getState().importError).toBe(
      'These files are a text model exported by the studio, but weights.bin (its weights) is missing: import the model.zip train.py wrote (or the studio’s text export) whole, as it came.',
    );
    expect(await importModelFiles([zip(without('tokenizer.json')), metrics()])).toBe(false);
    expect(useStudio.getState().importError).toMatch(
      /^These files are a text model exported by the studio, but tokenizer\.json \(its tokenizer\) is missing: /,
    );
    // A metrics line a text job would not write is a sentence too, naming the line.
    const bad = new File([[line(0), '{"epoch": 1, "train_loss": 2}'].join('\n')], 'metrics.jsonl');
    expect(await importModelFiles([zip(exportFiles), bad])).toBe(false);
    expect(useStudio.getState().importError).toMatch(/^Line 2 of metrics\.jsonl has no val_loss, learning_rate, world_size, seconds /);
    expect(useStudio.getState().text.task).toBe(task);
    expect(loads).toEqual([]);
  });

  it('moves to text generation, makes the export the text model runs start from, and brings the job’s run back', async () => {
    const db = projectDb();
    const projectId = useStudio.getState().currentId;
    if (!db || !projectId) throw new Error('no project storage');
    expect(useStudio.getState().text.task).not.toBe('text-generation');

    expect(await importModelFiles([zip(exportFiles), metrics()])).toBe(true);
    const t = useStudio.getState().text;
    expect(useStudio.getState().importError).toBeNull();
    expect(t.importError).toBeNull();
    expect(t.task).toBe('text-generation');
    expect(t.baseState).toBe('loaded');
    expect(t.base).toMatchObject({ source: 'files', name: 'text-lm fine-tuned by train.py (run-abc)' });
    expect(t.settings.lora).toBe(false);
    // The worker's text session holds the export's weights: the pre-trained model writes what the export writes, not what the bundled one does.
    const exported = readTextExport(tf, exportFiles);
    try {
      expect(await samplePretrained()).toBe(await sample(exported));
    } finally {
      disposeTextModel(exported);
    }
    await loadTextBase('http://studio.test/models/text-lm/', 'text-lm');
    const bundled = await samplePretrained();
    await importTextBase(Object.entries(exportFiles).map(([name, b]) => ({ name, blob: new Blob([b as Uint8Array<ArrayBuffer>]) })));
    expect(await samplePretrained()).not.toBe(bundled);

    // The job's 3 epochs on the text Train step's charts, with perplexity per epoch.
    expect(t.history.map((h) => [h.epoch, h.valLoss])).toEqual([
      [1, 2.9],
      [2, 2.7],
      [3, 2.6],
    ]);
    expect(t.history[2]?.perplexity).toBeCloseTo(Math.exp(2.6), 10);
    expect(t.initial).toMatchObject({ epoch: 0, valLoss: 3.2, trainLoss: null });
    expect(t.status).toBe('idle');

    // Stored and listed in the runs view, as a text run that trained outside the studio.
    await flushWrites();
    const job = (await db.listRuns(projectId)).find((r) => r.job);
    expect(job?.text?.history).toHaveLength(3);
    expect(job).toMatchObject({ status: 'done', job: { trainedBy, file: 'model.zip', model: 'text-lm', runId: 'run-abc' } });
    const row = runRow(job!, 1);
    expect(row).toMatchObject({ kind: 'text', epochsCompleted: 3, trainedBy, backend: 'PyTorch ×2 processes (cpu)' });
    expect(useStudio.getState().runs.list.map((r) => r.id)).toContain(job?.id);

    // A new text run on it records where its model came from.
    expect(textModelOrigin()).toMatchObject({
      source: 'files',
      name: 'text-lm fine-tuned by train.py (run-abc)',
      continuedFrom: { epochs: 3, run: 'run-abc', trainedBy, createdAt: '2025-01-02T05:00:01.000Z' },
    });

    // The same job imported again (from the text model step, loose files this time) replaces its run.
    const loose = Object.entries(exportFiles).map(([path, b]) => ({ path, data: new Blob([b as Uint8Array<ArrayBuffer>]) }));
    expect(await importTextFiles([...loose, { path: 'metrics.jsonl', data: metrics() }])).toBe(true);
    await flushWrites();
    expect((await db.listRuns(projectId)).filter((r) => r.job)).toHaveLength(1);
  });

  it('imports the export without metrics.jsonl: the model, no run', async () => {
    const db = projectDb()!;
    const projectId = useStudio.getState().currentId!;
    const before = (await db.listRuns(projectId)).length;
    expect(await importModelFiles([zip(exportFiles)])).toBe(true);
    await flushWrites();
    expect(useStudio.getState().text.base?.source).toBe('files');
    expect(useStudio.getState().text.history).toEqual([]);
    expect((await db.listRuns(projectId)).length).toBe(before);
  });
});
