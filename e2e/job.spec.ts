import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { strFromU8, unzipSync } from 'fflate';
import { test, expect } from './fixtures';
import { makeDigits } from '../scripts/make-digits.mjs';
import { readMetrics, runJob, unpackJob, type RankResult } from '../scripts/job-runner.mjs';
import { recipes } from './text-data';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const SIZE = 96;

function exitedCleanly(results: RankResult[]): void {
  for (const r of results) expect(r.code, `rank ${r.rank} of ${results.length}:\n${r.output}`).toBe(0);
}

/** The downloaded model.zip in plain tfjs (no studio code): its accuracy on digits no run has seen. */
async function unseenAccuracy(modelZip: Uint8Array): Promise<number> {
  const files = unzipSync(modelZip);
  const modelJson = JSON.parse(strFromU8(files['model.json'] as Uint8Array));
  const meta = JSON.parse(strFromU8(files['metadata.json'] as Uint8Array)) as {
    labels: string[];
    inputRange: [number, number];
    imageSize: number;
  };
  expect(meta.imageSize).toBe(SIZE);
  const weights = files['weights.bin'] as Uint8Array;
  await tf.setBackend('cpu');
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest[0].weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
    }),
  );
  // Another seed than digits.zip's: images the run never saw.
  const unseen = makeDigits({ perClass: 15, size: SIZE, seed: 9001 }).images;
  const [lo, hi] = meta.inputRange;
  const pixels = new Float32Array(unseen.length * SIZE * SIZE * 3);
  unseen.forEach((img, n) =>
    img.grey.forEach((v, p) => pixels.fill(lo + ((hi - lo) * v) / 255, (n * SIZE * SIZE + p) * 3, (n * SIZE * SIZE + p) * 3 + 3)),
  );
  const probs = model.predict(tf.tensor4d(pixels, [unseen.length, SIZE, SIZE, 3])) as tf.Tensor2D;
  const predicted = Array.from(await probs.argMax(-1).data());
  return predicted.filter((p, i) => meta.labels[p] === unseen[i]?.label).length / unseen.length;
}

test('a run handed to PyTorch: one process and two agree, the model comes back and trains on', async ({ studio, page }) => {
  test.setTimeout(12 * 60_000);
  await studio.open('?backend=wasm&seed=7');
  await studio.waitForModel();
  await studio.addFiles([join(FIXTURES, 'digits.zip')]);
  await expect(studio.id('dataset.summary')).toHaveAttribute('data-images', '160', { timeout: 60_000 });
  await studio.setImageSize(SIZE);
  await studio.setNumber('hp.validation-split', 0.25);
  await studio.setNumber('hp.epochs', 3);
  await studio.headOnly();
  await expect(studio.id('export.job')).toBeEnabled({ timeout: 60_000 });
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 180_000 }), studio.id('export.job').click()]);
  expect(download.suggestedFilename()).toMatch(/-job\.zip$/);
  const root = unpackJob(readFileSync(await download.path()));
  const config = JSON.parse(readFileSync(join(root, 'config.json'), 'utf8'));
  expect(config.labels).toEqual(['one', 'three', 'two', 'zero'].sort());
  expect(config.settings.epochs).toBe(3);
  expect(config.settings.headLayer).not.toBe('auto');

  const work = mkdtempSync(join(tmpdir(), 'studio-job-out-'));
  const one = join(work, 'one');
  const two = join(work, 'two');
  exitedCleanly(await runJob(root, one, { procs: 1 }));
  exitedCleanly(await runJob(root, two, { procs: 2 }));
  const finals: number[] = [];
  for (const [out, world] of [
    [one, 1],
    [two, 2],
  ] as const) {
    const epochs = readMetrics(out).filter((m) => (m.epoch ?? 0) > 0);
    expect(epochs.map((m) => m.epoch)).toEqual([1, 2, 3]);
    expect(epochs.every((m) => m.world_size === world)).toBe(true);
    const losses = epochs.map((m) => m.train_loss as number);
    for (let i = 1; i < losses.length; i++)
      expect(losses[i], `train loss of epoch ${i + 1} with ${world} process(es)`).toBeLessThan(losses[i - 1] as number);
    finals.push(epochs[2]?.val_accuracy as number);
  }
  expect(Math.abs((finals[0] as number) - (finals[1] as number))).toBeLessThanOrEqual(0.05);

  const modelZip = new Uint8Array(readFileSync(join(two, 'model.zip')));
  const unseen = await unseenAccuracy(modelZip);
  console.log(
    `job: final validation accuracy ${finals[0]} (1 process), ${finals[1]} (2 processes); 2-process model on 60 unseen digits: ${unseen}`,
  );
  expect(unseen).toBeGreaterThanOrEqual(0.75);

  // Back in the studio: the model with its curves, and one more epoch here.
  const zipPath = join(work, 'model.zip');
  writeFileSync(zipPath, modelZip);
  await studio.id('model.import-files').setInputFiles([zipPath, join(two, 'metrics.jsonl')]);
  await expect(studio.id('model.loaded')).toHaveAttribute('data-model', /^import-/, { timeout: 120_000 });
  // The job's run is back: its three epochs on the Train step's curves and a row of the runs that says where it trained.
  await expect(studio.id('metrics.epoch')).toHaveAttribute('data-value', '3');
  await expect(page.locator('[data-testid="runs.row"][data-trained-by="train.py"]')).toHaveAttribute('data-epochs', '3');
  await studio.setNumber('hp.epochs', 1);
  await studio.startTraining();
  await studio.waitForState('done');
  const files = await studio.exportZip();
  const meta = JSON.parse(strFromU8(files['metadata.json'] as Uint8Array));
  expect(meta.metrics.history.length).toBe(1);
  expect(meta.continuedFrom.trainedBy.worldSize).toBe(2);
  expect(meta.continuedFrom.epochs).toBe(3);
});

test('a language-model run handed to PyTorch: one process and two agree, and the model comes back', async ({ studio, page }, testInfo) => {
  test.setTimeout(12 * 60_000);
  const file = testInfo.outputPath('recipes.txt');
  writeFileSync(file, recipes(40));
  await studio.open('?backend=wasm&seed=4');
  await studio.id('task.text-generation').click();
  await studio.waitForModel();
  await studio.addFiles([file]);
  await studio.id('freeze.preset.top-blocks').click();
  await studio.setNumber('hp.epochs', 2);
  await studio.setNumber('hp.validation-split', 0.2);
  await expect(studio.id('export.job')).toBeEnabled({ timeout: 60_000 });
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 180_000 }), studio.id('export.job').click()]);
  const root = unpackJob(readFileSync(await download.path()));
  const config = JSON.parse(readFileSync(join(root, 'config.json'), 'utf8'));
  expect(config.task).toBe('text-generation');
  expect(config.settings.epochs).toBe(2);

  const work = mkdtempSync(join(tmpdir(), 'studio-lm-job-'));
  const finals: number[] = [];
  for (const procs of [1, 2]) {
    const out = join(work, String(procs));
    exitedCleanly(await runJob(root, out, { procs }));
    const epochs = readMetrics(out).filter((m) => (m.epoch ?? 0) > 0);
    expect(epochs.map((m) => [m.epoch, m.world_size])).toEqual([
      [1, procs],
      [2, procs],
    ]);
    expect(epochs[1]?.train_loss as number).toBeLessThan(epochs[0]?.train_loss as number);
    finals.push(epochs[1]?.val_loss as number);
  }
  console.log(`lm job: final validation loss ${finals[0]} (1 process), ${finals[1]} (2 processes)`);
  expect(Math.abs((finals[0] as number) - (finals[1] as number))).toBeLessThan(0.05);

  // Back in the studio: the job's model becomes the text model, its run comes with its curves, and it trains on here.
  const two = join(work, '2');
  await studio.id('model.import-files').setInputFiles([join(two, 'model.zip'), join(two, 'metrics.jsonl')]);
  await expect(studio.id('model.loaded')).toHaveAttribute('data-source', 'files', { timeout: 120_000 });
  await expect(studio.id('model.loaded')).toHaveAttribute('data-value', /fine-tuned by train\.py/);
  await expect(studio.id('metrics.epoch')).toHaveAttribute('data-value', '2');
  await expect(page.locator('[data-testid="runs.row"][data-trained-by="train.py"]')).toHaveAttribute('data-epochs', '2');
  await studio.setNumber('hp.epochs', 1);
  await studio.startTraining();
  await studio.waitForState('done');
  // Before its first step here the model is the job's: its validation loss is where the job left it.
  expect(Math.abs(Number(await studio.id('metrics.val-loss-initial').getAttribute('data-value')) - (finals[1] as number))).toBeLessThan(
    0.05,
  );
  const files = await studio.exportZip();
  const meta = JSON.parse(strFromU8(files['metadata.json'] as Uint8Array));
  expect(meta.continuedFrom.trainedBy.worldSize).toBe(2);
  expect(meta.continuedFrom.epochs).toBe(2);
});
