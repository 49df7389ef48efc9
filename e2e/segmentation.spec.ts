/**
 * Image segmentation end to end: a generated microscopy-like set (cells and nuclei), the decoder on
 * the frozen MobileNetV2 trained on WASM through the encoder cache, per-class evaluation and the
 * worst-first gallery, and a download that plain TF.js in Node runs on held-out pictures; encoder
 * blocks on WASM refused in words; bad input told in alerts with nothing loaded lost.
 */
import * as tf from '@tensorflow/tfjs';
import { strFromU8, zipSync } from 'fflate';
import * as ort from 'onnxruntime-web';
import { encodePng } from '../scripts/png.mjs';
import { loadExportedModel } from './export-model';
import { argMaxClasses, cellsZip, foregroundMeanIou, heldOut, segFile } from './seg-data';
import { test, expect } from './fixtures';
import type { StudioPage } from './pages/StudioPage';

const SIZE = 128;

async function openSegmentation(studio: StudioPage, query: string): Promise<void> {
  await studio.open(query);
  await studio.id('task.image-segmentation').click();
  await expect(studio.id('task.image-segmentation')).toHaveAttribute('aria-checked', 'true');
  await studio.waitForModel();
}

test('decoder-only segmentation trains on WASM through the cache and downloads a model plain TF.js runs', async ({ studio, page }) => {
  await openSegmentation(studio, '?backend=wasm&seed=3');
  await studio.addFiles([cellsZip('cells-40.zip', 40, SIZE, 5)]);
  await expect(studio.summary).toHaveAttribute('data-items', '40');
  await expect(studio.summary).toHaveAttribute('data-classes', '3');
  await studio.setNumber('hp.epochs', 3);
  await studio.startTraining();
  await studio.waitForState('done');
  await expect(studio.id('train.backend')).toHaveAttribute('data-value', 'wasm');
  await expect(studio.id('metrics.epoch')).toHaveAttribute('data-value', '3');

  // Against the model before its first step: the loss at least halves, and the decoder finds the
  // objects (an untrained decoder paints one class everywhere: foreground IoU near 0).
  const initial = Number(await studio.id('metrics.val-loss-initial').getAttribute('data-value'));
  const valLoss = Number(await studio.id('metrics.val-loss').getAttribute('data-value'));
  expect(valLoss).toBeLessThan(initial * 0.5);
  const valIou = Number(await studio.id('metrics.val-iou').getAttribute('data-value'));
  expect(valIou).toBeGreaterThan(0.5);
  await expect(studio.id('eval.mean-iou')).toHaveAttribute('data-value', /\d/);
  expect(Number(await studio.id('eval.mean-iou').getAttribute('data-value'))).toBeCloseTo(valIou, 3);
  await expect(studio.id('eval.confusion-matrix')).toBeVisible();

  // The gallery shows every validation pair, worst first.
  const ious = await page
    .locator('[data-testid="seg.gallery-item"]')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-iou'))));
  expect(ious).toHaveLength(8);
  expect([...ious].sort((a, b) => a - b)).toEqual(ious);

  // The download: metadata from the run, and a model plain tfjs loads and runs on pictures it never saw.
  const files = await studio.exportZip('export.tfjs');
  const meta = JSON.parse(strFromU8(files['metadata.json'] as Uint8Array));
  expect(meta).toMatchObject({
    task: 'image-segmentation',
    labels: ['background', 'nucleus', 'cell'],
    imageSize: SIZE,
    resize: 'stretch',
    settings: { epochs: 3 },
  });
  expect(files['README.md']).toBeDefined();
  const model = await loadExportedModel(files);
  const test = heldOut(6, SIZE, 77);
  const probs = tf.tidy(
    () =>
      model.predict(
        tf.tensor4d(
          test.pixels.flatMap((p) => Array.from(p)),
          [6, SIZE, SIZE, 3],
        ),
      ) as tf.Tensor,
  );
  expect(probs.shape).toEqual([6, SIZE, SIZE, 3]);
  const data = await probs.data();
  probs.dispose();
  const per = SIZE * SIZE * 3;
  const predicted = test.pixels.map((_, i) => argMaxClasses(data.subarray(i * per, (i + 1) * per) as Float32Array, SIZE * SIZE, 3));
  expect(foregroundMeanIou(test.masks, predicted, 3)).toBeGreaterThan(0.5);

  // The ONNX download gives the same probabilities as the TF.js one.
  const [download] = await Promise.all([page.waitForEvent('download'), studio.id('export.onnx').click()]);
  const onnxBytes = new Uint8Array(await (await import('node:fs/promises')).readFile(await download.path()));
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(onnxBytes, { executionProviders: ['wasm'] });
  const input = new ort.Tensor('float32', test.pixels[0] as Float32Array, [1, SIZE, SIZE, 3]);
  const out = (await session.run({ [session.inputNames[0] as string]: input }))[session.outputNames[0] as string];
  const onnxProbs = out?.data as Float32Array;
  let worst = 0;
  for (let i = 0; i < per; i++) worst = Math.max(worst, Math.abs((onnxProbs[i] ?? 0) - (data[i] ?? 0)));
  expect(worst).toBeLessThan(1e-4);
  model.dispose();
});

test('encoder blocks on WASM are refused in words; decoder only trains', async ({ studio, page }) => {
  await openSegmentation(studio, '?backend=wasm&seed=4');
  await studio.addFiles([cellsZip('cells-12.zip', 12, SIZE, 6)]);
  await expect(studio.summary).toHaveAttribute('data-items', '12');
  await studio.id('freeze.preset.full').click();
  await studio.setNumber('hp.epochs', 1);
  await studio.startTraining();
  await expect(
    page
      .getByRole('alert')
      .filter({ hasText: /WASM backend cannot train/ })
      .first(),
  ).toBeVisible({ timeout: 120_000 });
  await studio.headOnly();
  await studio.startTraining();
  await studio.waitForState('done');
  await expect(studio.id('metrics.epoch')).toHaveAttribute('data-value', '1');
});

const png = (w: number, h: number, grey: Uint8Array) => new Uint8Array(encodePng(w, h, grey, 1));
const filled = (w: number, h: number, v: (i: number) => number) => Uint8Array.from({ length: w * h }, (_, i) => v(i));

test('bad segmentation input gets a sentence in an alert and nothing already loaded is lost', async ({ studio, page }) => {
  await openSegmentation(studio, '?backend=wasm&seed=5');
  await studio.id('dataset.sample').click();
  await expect(studio.summary).toHaveAttribute('data-items', '200', { timeout: 120_000 });
  await expect(studio.summary).toHaveAttribute('data-classes', '3');
  const alert = (text: RegExp) => page.getByRole('alert').filter({ hasText: text }).first();
  const picture = png(
    64,
    64,
    filled(64, 64, (i) => (i * 7) % 256),
  );
  const halfMask = filled(64, 64, (i) => (i % 64 < 32 ? 0 : 1));

  // A zip with images and no masks: refused as a whole.
  await studio.addFiles([segFile('no-masks.zip', zipSync({ 'set/images/a.png': picture, 'set/images/b.png': picture }))]);
  await expect(alert(/no masks\//)).toBeVisible();
  await expect(studio.summary).toHaveAttribute('data-items', '200');

  // A mask without its image, beside a good pair: the good pair is added, the orphan named.
  await studio.addFiles([
    segFile(
      'orphan.zip',
      zipSync({ 'o/images/good.png': picture, 'o/masks/good.png': png(64, 64, halfMask), 'o/masks/lonely.png': png(64, 64, halfMask) }),
    ),
  ]);
  await expect(alert(/lonely\.png/)).toBeVisible();
  await expect(studio.summary).toHaveAttribute('data-items', '201');

  // A mask of another size: resized with nearest neighbour, and said.
  await studio.addFiles([
    segFile(
      'small-mask.zip',
      zipSync({
        's/images/wide.png': picture,
        's/masks/wide.png': png(
          32,
          32,
          filled(32, 32, (i) => i % 2),
        ),
      }),
    ),
  ]);
  await expect(alert(/wide\.png is 32×32 but its image is 64×64/)).toBeVisible();
  await expect(studio.summary).toHaveAttribute('data-items', '202');

  // A mask whose values go beyond the classes: those pixels are left out, and said.
  await studio.addFiles([
    segFile(
      'beyond.zip',
      zipSync({
        'v/images/odd.png': picture,
        'v/masks/odd.png': png(
          64,
          64,
          filled(64, 64, (i) => (i < 100 ? 7 : 1)),
        ),
      }),
    ),
  ]);
  await expect(alert(/odd\.png holds the value 7, beyond the 3 classes/)).toBeVisible();
  await expect(studio.summary).toHaveAttribute('data-items', '203');
  await expect(studio.summary).toHaveAttribute('data-classes', '3');

  // A mask that is not a PNG at all, and a drop of masks alone: refused in words.
  await studio.addFiles([segFile('only-masks.zip', zipSync({ 'm/masks/x.png': png(64, 64, halfMask) }))]);
  await expect(alert(/has masks\/ but no images\//)).toBeVisible();
  await expect(studio.summary).toHaveAttribute('data-items', '203');
});

test('a segmentation run survives a reload: its pairs, settings and finished epochs come back, and it resumes to the end', async ({
  studio,
  page,
}) => {
  await openSegmentation(studio, '?backend=wasm&seed=6');
  await studio.addFiles([cellsZip('cells-24.zip', 24, SIZE, 8)]);
  await expect(studio.summary).toHaveAttribute('data-items', '24');
  await studio.setNumber('hp.epochs', 10);
  await studio.setNumber('hp.batch-size', 2);
  await studio.startTraining();
  await expect
    .poll(async () => Number(await studio.id('metrics.epoch').getAttribute('data-value')), { timeout: 240_000 })
    .toBeGreaterThanOrEqual(2);
  await expect(studio.id('runs.compare').getByTestId('runs.row').first()).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await expect.poll(() => studio.savedCheckpointEpochs(), { timeout: 60_000 }).toContainEqual(expect.any(Number));

  await page.reload();
  await expect(studio.id('task.image-segmentation')).toHaveAttribute('aria-checked', 'true');
  await expect(studio.summary).toHaveAttribute('data-items', '24', { timeout: 60_000 });
  await expect(studio.status).toHaveAttribute('data-state', 'paused');
  await expect(studio.id('hp.epochs')).toHaveValue('10');
  const done = Number(await studio.id('metrics.epoch').getAttribute('data-value'));
  expect(done).toBeGreaterThanOrEqual(1);
  expect(done).toBeLessThan(10);
  const initial = Number(await studio.id('metrics.val-loss-initial').getAttribute('data-value'));
  expect(initial).toBeGreaterThan(0);

  await studio.waitForModel();
  await studio.id('train.resume').click();
  await studio.waitForState('done');
  await expect(studio.id('metrics.epoch')).toHaveAttribute('data-value', '10');
  expect(Number(await studio.id('metrics.val-loss').getAttribute('data-value'))).toBeLessThan(initial);
  await expect(studio.id('eval.mean-iou')).toHaveAttribute('data-value', /\d/);
});
