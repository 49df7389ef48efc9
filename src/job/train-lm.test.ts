/**
 * train_lm.py (the PyTorch side of a text-generation job) against the studio, in Node with Debian's
 * python3 and torch: a job made from the bundled language model (public/models/text-lm) by
 * `textJobStart` and `textJobEntries`, unpacked and run as the person would run it.
 * - Before any training, PyTorch's model built from the job gives the studio's next-token
 *   probabilities on the same tokens (|Δp| < 1e-4), its own output matrix (`lm_head`) included.
 * - The studio's own run of one epoch (tfjs) and the job's first epoch agree: the same windows in the
 *   same order, the same optimizer steps.
 * - One process and two (gloo on loopback) train two epochs: the training loss falls, and both give
 *   the same losses every epoch (|Δ| < 1e-4); the model.zip written loads with the studio's importTextModel and
 *   gives what the PyTorch model gives.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strFromU8, unzipSync } from 'fflate';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { newRecordBase, textDataManifest, type TextRunRecord } from '../engine/run-record';
import { BUNDLED_TEXT_FILES, readHfModel, type HfModel } from '../models/hf/import';
import { importTextModel } from '../text/export';
import { runTextTraining } from '../text/finetune';
import { textJobStart } from '../text/job';
import { lmLogits } from '../text/model';
import { createTextModel, disposeTextModel, type TextModel } from '../text/text-model';
import type { TextTrainSettings, TextTrainingData } from '../text/types';
import { startWasm } from '../test/wasm';
import { PYTHON, readMetrics, runJob, unpackJob } from '../../scripts/job-runner.mjs';
import { textJobEntries, zipJob } from './job-export';
import trainPy from './train.py?raw';
import trainLmPy from './train_lm.py?raw';

const root = fileURLToPath(new URL('../../', import.meta.url));
const modelDir = join(root, 'public/models/text-lm');
const chapter = (n: number) => readFileSync(join(root, `public/samples/text/moby-dick-chapter-0${n}.txt`), 'utf8');
const T = 32;
const SETTINGS: TextTrainSettings = {
  task: 'text-generation',
  seed: 7,
  epochs: 2,
  batchSize: 8,
  learningRate: 0.001,
  optimizer: 'adamw',
  weightDecay: 0.01,
  schedule: { kind: 'cosine' },
  dropout: 0,
  trainableGroups: ['block_3', 'final_norm', 'head'],
  contextLength: T,
  maxValidationWindows: 24,
  earlyStopping: null,
  lora: null,
  sample: null,
};
const MOBY = chapter(1);
const DATA: Extract<TextTrainingData, { task: 'text-generation' }> = {
  task: 'text-generation',
  train: MOBY.slice(0, 9000),
  validation: MOBY.slice(9000),
};
/** Less text for the studio's own run (tfjs on the CPU is slow). */
const SMALL: Extract<TextTrainingData, { task: 'text-generation' }> = {
  task: 'text-generation',
  train: MOBY.slice(0, 2500),
  validation: MOBY.slice(9000, 10500),
};

let hf: HfModel;

/** A fresh model as a run starts it: its own lm_head, here nudged so that a tied output would not pass for it. */
function startingModel(): TextModel {
  const model = createTextModel(tf, hf.saved, { task: 'text-generation' }, hf.tokenizer);
  const head = model.lm.vars.get('lm_head')!;
  head.assign(tf.tidy(() => tf.add(head, tf.randomNormal(head.shape, 0, 0.01, 'float32', 3))));
  return model;
}

async function makeJob(model: TextModel, settings = SETTINGS, text = DATA): Promise<string> {
  const data = await textDataManifest(text, [], 0.2);
  const record: TextRunRecord = {
    ...newRecordBase({
      id: 'run-lm',
      startedAt: new Date().toISOString(),
      backend: 'cpu',
      seed: settings.seed,
      model: { id: 'text-lm', name: 'text-lm', licence: 'test', source: 'bundled' },
      data,
    }),
    task: 'text-generation',
    labels: [],
    settings,
    trainable: [...settings.trainableGroups],
  };
  const start = await textJobStart(tf, model, settings, text, record);
  const entries = await textJobEntries({
    folder: 'moby-job',
    start,
    texts: { train: text.train, validation: text.validation },
    trainPy,
    trainLmPy,
    createdAt: new Date().toISOString(),
  });
  return unpackJob(zipJob(entries));
}

/** Two windows of T tokens of the text, as int32 [2, T]. */
function probeIds(): Int32Array {
  const ids = hf.tokenizer.encode(DATA.train);
  return Int32Array.from([...ids.subarray(0, T), ...ids.subarray(200, 200 + T)]);
}

/** The studio's next-token probabilities [2·T·vocab] of `ids` under `model`. */
async function studioProbs(model: TextModel, ids: Int32Array): Promise<Float32Array> {
  const p = tf.tidy(() => tf.softmax(lmLogits(tf, model.lm, tf.tensor2d(ids, [2, T], 'int32'))));
  const out = (await p.data()) as Float32Array;
  p.dispose();
  return out;
}

/** PyTorch's probabilities of `ids` from the model train_lm.py builds from the job (with `checkpoint`'s weights when given). */
function torchProbs(jobRoot: string, ids: Int32Array, checkpoint = ''): Float32Array {
  const dir = mkdtempSync(join(tmpdir(), 'studio-lm-'));
  writeFileSync(join(dir, 'ids.bin'), ids);
  const code = [
    'import sys, numpy as np, torch',
    `sys.path.insert(0, ${JSON.stringify(jobRoot)})`,
    'import train_lm',
    `job = train_lm.TextJob(${JSON.stringify(jobRoot)})`,
    checkpoint ? `job.model.load_state_dict(torch.load(${JSON.stringify(checkpoint)})['model'])` : '',
    `ids = np.fromfile(${JSON.stringify(join(dir, 'ids.bin'))}, dtype='<i4').reshape(2, ${T})`,
    `torch.softmax(job.logits(ids), -1).numpy().astype('<f4').tofile(${JSON.stringify(join(dir, 'p.bin'))})`,
  ].join('\n');
  const run = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  expect(run.status, run.stderr).toBe(0);
  const bytes = readFileSync(join(dir, 'p.bin'));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

const maxDiff = (a: Float32Array, b: Float32Array) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
};

beforeAll(async () => {
  await startWasm();
  hf = await readHfModel(BUNDLED_TEXT_FILES.map((name) => ({ name, blob: new Blob([readFileSync(join(modelDir, name))]) })));
});

describe('train_lm.py, the PyTorch side of a text-generation job', () => {
  let jobDir = '';
  const ids = () => probeIds();

  it('builds the studio’s language model: next-token probabilities equal the studio’s before training', async () => {
    const model = startingModel();
    try {
      jobDir = await makeJob(model);
      const studio = await studioProbs(model, ids());
      const torch = torchProbs(jobDir, ids());
      expect(Math.max(...studio.subarray(0, 4096))).toBeGreaterThan(0.05); // a trained model, not a uniform one
      console.log(`text LM: PyTorch vs studio next-token probabilities, max |Δp| ${maxDiff(torch, studio).toExponential(2)}`);
      expect(maxDiff(torch, studio)).toBeLessThan(1e-4);
    } finally {
      disposeTextModel(model);
    }
    const config = JSON.parse(readFileSync(join(jobDir, 'config.json'), 'utf8'));
    expect(config.job.parts.map((p: { name: string }) => p.name)).toEqual(['final_norm', 'block_3']);
    expect(config.job.head).toEqual(['lm_head']);
  }, 120_000);

  it('takes the steps the studio takes: one epoch here and in the job give the same losses', async () => {
    const one = { ...SETTINGS, epochs: 1 };
    const model = startingModel();
    let studio: Awaited<ReturnType<typeof runTextTraining>>;
    let dir: string;
    try {
      dir = await makeJob(model, one, SMALL);
      studio = await runTextTraining(tf, model, SMALL, one, () => {});
    } finally {
      disposeTextModel(model);
    }
    const out = mkdtempSync(join(tmpdir(), 'studio-lm-out-'));
    const [r] = await runJob(dir, out);
    expect(r?.code, r?.output).toBe(0);
    const metrics = readMetrics(out);
    expect(metrics[0]?.val_loss).toBeCloseTo(studio.initial.valLoss, 4);
    expect(metrics[1]?.train_loss).toBeCloseTo(studio.history[0]!.trainLoss!, 3);
    expect(metrics[1]?.val_loss).toBeCloseTo(studio.history[0]!.valLoss, 3);
  }, 240_000);

  it('trains as one process and as two, and writes a model.zip the studio imports as PyTorch left it', async () => {
    const outs = [mkdtempSync(join(tmpdir(), 'studio-lm-1-')), mkdtempSync(join(tmpdir(), 'studio-lm-2-'))];
    const [single, double] = await Promise.all([runJob(jobDir, outs[0]!), runJob(jobDir, outs[1]!, { procs: 2 })]);
    for (const r of [...single, ...double]) expect(r.code, r.output).toBe(0);
    const [m1, m2] = outs.map((o) => readMetrics(o));
    for (const m of [m1!, m2!]) {
      expect(m.map((h) => h.epoch)).toEqual([0, 1, 2]);
      expect(m[2]!.train_loss!).toBeLessThan(m[1]!.train_loss! - 0.1);
      expect(Number.isFinite(m[2]!.val_loss)).toBe(true);
    }
    expect(m2!.map((h) => h.world_size)).toEqual([2, 2, 2]);
    // The same steps (no dropout): two processes take each step one does, and end where it does.
    for (const e of [1, 2]) {
      expect(Math.abs(m2![e]!.train_loss! - m1![e]!.train_loss!)).toBeLessThan(1e-4);
      expect(Math.abs(m2![e]!.val_loss! - m1![e]!.val_loss!)).toBeLessThan(1e-4);
    }

    const files = unzipSync(new Uint8Array(readFileSync(join(outs[1]!, 'model.zip'))));
    expect(Object.keys(files).sort()).toEqual([
      'README.md',
      'lm.js',
      'metadata.json',
      'model.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'weights.bin',
    ]);
    const meta = JSON.parse(strFromU8(files['metadata.json']!));
    expect(meta.trainedBy).toMatchObject({ tool: 'train.py', worldSize: 2 });
    expect(meta.run.history).toHaveLength(2);
    expect(meta.metrics.valLoss).toBeCloseTo(m2![2]!.val_loss!, 6);
    const imported = importTextModel(tf, files);
    try {
      const back = await studioProbs(imported, ids());
      const torch = torchProbs(jobDir, ids(), join(outs[1]!, 'checkpoint.pt'));
      console.log(`text LM: model.zip in the studio vs PyTorch after training, max |Δp| ${maxDiff(back, torch).toExponential(2)}`);
      expect(maxDiff(back, torch)).toBeLessThan(1e-4);
      // And it is not the model the job started from.
      expect(maxDiff(torchProbs(jobDir, ids()), torch)).toBeGreaterThan(1e-3);
    } finally {
      disposeTextModel(imported);
    }
  }, 240_000);
});
