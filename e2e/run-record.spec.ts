import { strFromU8, zipSync } from 'fflate';
import * as tf from '@tensorflow/tfjs';
import type { Page } from '@playwright/test';
import { makeGreyShapes } from '../scripts/make-fixtures.mjs';
import { test, expect } from './fixtures';

type Shape = { label: string; png: Uint8Array };

const zipOf = (images: Shape[], label: (s: Shape) => string) =>
  Buffer.from(zipSync(Object.fromEntries(images.map((s, i) => [`${label(s)}/${String(i).padStart(3, '0')}.png`, s.png]))));

/** Decodes PNGs in the page as the studio does (stretched to `size`), as RGB floats in [0, 1]. */
async function pixelsOf(page: Page, pngs: Uint8Array[], size: number): Promise<number[][]> {
  return page.evaluate(
    async ({ b64s, size }) =>
      Promise.all(
        b64s.map(async (b64) => {
          const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
          const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }), {
            resizeWidth: size,
            resizeHeight: size,
            resizeQuality: 'high',
          });
          const ctx = new OffscreenCanvas(size, size).getContext('2d') as OffscreenCanvasRenderingContext2D;
          ctx.drawImage(bmp, 0, 0);
          return Array.from(ctx.getImageData(0, 0, size, size).data)
            .filter((_, i) => i % 4 !== 3)
            .map((v) => v / 255);
        }),
      ),
    { b64s: pngs.map((p) => Buffer.from(p).toString('base64')), size },
  );
}

interface Meta {
  labels: string[];
  imageSize: number;
  settings: { epochs: number; learningRate: number; batchSize: number };
  metrics: { history: unknown[] };
  task: string;
}

test('the download describes the trained model after the epochs, the learning rate and the data change', async ({ studio, page }) => {
  await studio.open('?backend=wasm&seed=5');
  await expect(studio.id('train.backend')).toHaveAttribute('data-value', 'wasm', { timeout: 120_000 });
  await studio.waitForModel();
  // 80 small grey shapes in 4 classes: Auto input picks 96 px for 48 px pictures.
  const trainSet = makeGreyShapes({ perClass: 20, size: 48, seed: 21 }).images as Shape[];
  await studio
    .id('dataset.file-input')
    .setInputFiles({ name: 'shapes.zip', mimeType: 'application/zip', buffer: zipOf(trainSet, (s) => s.label) });
  await expect(studio.summary).toHaveAttribute('data-images', '80', { timeout: 60_000 });
  await expect(studio.id('hp.image-size')).toHaveValue('auto');
  await studio.headOnly();
  await studio.setNumber('hp.epochs', 3);
  await studio.setNumber('hp.learning-rate', 0.003);
  await studio.setNumber('hp.batch-size', 4);
  await studio.startTraining();
  await studio.waitForState('done');
  await expect(studio.id('metrics.epoch')).toHaveAttribute('data-value', '3');
  const trainedLabels = ['circle', 'cross', 'square', 'triangle'];
  await expect(studio.id('export.drift')).toHaveCount(0);

  // After training: other epochs and rate, and a new class of large pictures, which moves Auto to 224 px.
  await studio.setNumber('hp.epochs', 7);
  await studio.setNumber('hp.learning-rate', 0.01);
  const big = makeGreyShapes({ perClass: 90, size: 160, seed: 22, classes: ['circle'] }).images as Shape[];
  await studio.id('dataset.file-input').setInputFiles({ name: 'big.zip', mimeType: 'application/zip', buffer: zipOf(big, () => 'big') });
  await expect(studio.summary).toHaveAttribute('data-images', '170', { timeout: 60_000 });
  await expect(studio.summary).toHaveAttribute('data-classes', '5');
  await expect(studio.id('hp.image-size').locator('option[value="auto"]')).toHaveText(/224 px/);
  const drift = studio.id('export.drift');
  await expect(drift).toContainText('epochs 3 → 7');
  await expect(drift).toContainText('learning rate 0.003 → 0.01');
  await expect(drift).toContainText('input size 96 → 224');
  await expect(drift).toContainText('class added: big');
  await page.locator('#step-evaluate').screenshot({ path: '/tmp/shots/run-record-drift.png' });

  const files = await studio.exportZip();
  const meta = JSON.parse(strFromU8(files['metadata.json'] as Uint8Array)) as Meta;
  expect(meta.task).toBe('image-classification');
  expect(meta.settings).toMatchObject({ epochs: 3, learningRate: 0.003, batchSize: 4 });
  expect(meta.metrics.history).toHaveLength(3);
  expect(meta.labels).toEqual(trainedLabels);
  const modelJson = JSON.parse(strFromU8(files['model.json'] as Uint8Array)) as {
    modelTopology: { config: { layers: { class_name: string; config: { batch_input_shape?: number[] } }[] } };
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const input = modelJson.modelTopology.config.layers.find((l) => l.class_name === 'InputLayer')?.config.batch_input_shape;
  expect(meta.imageSize).toBe(96);
  expect(input?.slice(1)).toEqual([meta.imageSize, meta.imageSize, 3]);
  const card = strFromU8(files['README.md'] as Uint8Array);
  expect(card).toContain('3 epochs, batch 4, adam at learning rate 0.003');
  expect(card).not.toContain('big');

  // It still classifies pictures it never saw, with plain tf.loadLayersModel, at the size the zip says.
  const bin = files[modelJson.weightsManifest[0]!.paths[0]!] as Uint8Array;
  await tf.setBackend('cpu');
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest[0]!.weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
    }),
  );
  const unseen = makeGreyShapes({ perClass: 10, size: 48, seed: 777 }).images as Shape[];
  const pixels = await pixelsOf(
    page,
    unseen.map((s) => s.png),
    meta.imageSize,
  );
  const probs = tf.tidy(() => {
    const x = tf.tensor4d(pixels.flat(), [pixels.length, meta.imageSize, meta.imageSize, 3]);
    return (model.predict(x) as tf.Tensor).arraySync() as number[][];
  });
  const argmax = (p: number[]) => p.indexOf(Math.max(...p));
  const correct = probs.filter((p, i) => meta.labels[argmax(p)] === unseen[i]!.label).length;
  console.log(`run-record spec: the export classifies ${correct}/${unseen.length} unseen pictures`);
  // Chance is 10/40 (4 classes); the trained labels in the trained order must line up with the outputs.
  expect(correct).toBeGreaterThanOrEqual(18);
  model.dispose();
});
