import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Route } from '@playwright/test';
import * as tf from '@tensorflow/tfjs';
import { tinyGraphModelFiles, tinyMobilenetV1Files, type ModelFiles } from '../src/test/model-files';
import { test, expect } from './fixtures';

const HOSTED = 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/';
const SAMPLE_DIR = join(process.cwd(), 'public/samples/shapes');

/** Serves model files at `base` from memory; weights answer after `delayMs` so the progress bar shows. */
async function serveModel(context: BrowserContext, base: string, files: ModelFiles, delayMs = 0): Promise<string[]> {
  const seen: string[] = [];
  await context.route(`${base}**`, async (route: Route) => {
    const url = route.request().url();
    seen.push(url);
    if (url.endsWith('/model.json')) {
      await route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: files.json,
        headers: { 'access-control-allow-origin': '*' },
      });
    } else if (url.endsWith(`/${files.binName}`)) {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      await route.fulfill({
        status: 200,
        contentType: 'application/octet-stream',
        body: Buffer.from(files.bin),
        headers: { 'access-control-allow-origin': '*' },
      });
    } else {
      await route.fulfill({ status: 404, body: 'not found' });
    }
  });
  return seen;
}

test.beforeAll(async () => {
  await tf.setBackend('cpu');
});

test.beforeEach(async ({ context }) => {
  // No test reaches the network: anything hosted that a test does not serve is refused.
  await context.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort('blockedbyclient'));
});

test('a hosted catalog model downloads with progress, is cached, and trains head-only', async ({ studio, page, context }) => {
  const files = await tinyMobilenetV1Files(32, 1000, 'group1-shard1of1');
  const seen = await serveModel(context, HOSTED, files, 1500);
  const manifest = JSON.parse(readFileSync(join(SAMPLE_DIR, 'manifest.json'), 'utf8')) as { classes: string[] };

  await studio.open('?backend=wasm&seed=1');
  await studio.waitForModel();
  await studio.loadSample();

  const card = studio.id('model.option.mobilenet-v1-025');
  await expect(card).toContainText('Apache-2.0');
  await expect(card).toContainText('224×224');
  await expect(studio.id('model.cached.mobilenet-v1-025')).toHaveText('download');
  await card.click();
  await expect(studio.id('model.download-progress')).toBeVisible();
  await expect(studio.id('model.loaded')).toHaveAttribute('data-model', 'mobilenet-v1-025', { timeout: 60_000 });
  await expect(card).toHaveAttribute('aria-checked', 'true');
  await expect(studio.id('freeze.layer.conv_pw_13_relu')).toBeAttached();
  await expect(studio.id('freeze.layer.conv_preds')).toHaveCount(0);
  await expect(studio.id('model.note')).toContainText('conv_pw_13_relu');
  await expect(studio.id('model.cached.mobilenet-v1-025')).toHaveText('cached');
  expect(seen.some((u) => u.endsWith('group1-shard1of1'))).toBe(true);
  await page.locator('#step-model').screenshot({ path: '/tmp/shots6/model-hosted.png' });

  await studio.setNumber('hp.epochs', 1);
  await studio.setImageSize(96);
  await studio.headOnly();
  expect(await studio.trainableParams()).toBe((16 + 1) * manifest.classes.length);
  await studio.startTraining();
  await studio.waitForState('done');
  await expect(studio.id('metrics.epoch')).toHaveAttribute('data-value', '1');

  // Switching back and forth: the second time it comes from browser storage, not the network.
  await studio.id('model.option.mobilenet-v2').click();
  await expect(studio.id('model.loaded')).toHaveAttribute('data-model', 'mobilenet-v2', { timeout: 60_000 });
  const before = seen.length;
  await card.click();
  await expect(studio.id('model.loaded')).toHaveAttribute('data-model', 'mobilenet-v1-025', { timeout: 60_000 });
  expect(seen.length).toBe(before);
});

test('model.json without its weight file: an alert names the file and the current model stays', async ({ studio, page }, testInfo) => {
  const files = await tinyMobilenetV1Files(32, 10, 'group1-shard1of1');
  const jsonPath = testInfo.outputPath('model.json');
  writeFileSync(jsonPath, files.json);

  await studio.open('?backend=wasm');
  await studio.waitForModel();
  await studio.id('model.import').locator('summary').click();
  await studio.id('model.import-files').setInputFiles([jsonPath]);
  const alert = studio.id('model.import-error');
  await expect(alert).toContainText('group1-shard1of1');
  await expect(alert).toHaveAttribute('role', 'alert');
  await expect(studio.id('model.loaded')).toHaveAttribute('data-model', 'mobilenet-v2');
  await expect(studio.id('freeze.layer.out_relu')).toBeAttached();
  await page.locator('#step-model').screenshot({ path: '/tmp/shots6/model-import-missing.png' });

  // With the weights it imports, cut at its last feature map.
  const binPath = testInfo.outputPath(files.binName);
  writeFileSync(binPath, files.bin);
  await studio.id('model.import-files').setInputFiles([jsonPath, binPath]);
  await expect(studio.id('model.loaded')).toHaveAttribute('data-model', /^import-/, { timeout: 60_000 });
  await expect(studio.id('model.import-error')).toHaveCount(0);
  await expect(studio.id('freeze.layer.conv_pw_13_relu')).toBeAttached();
  const imported = await studio.id('model.loaded').getAttribute('data-model');

  // The project keeps the imported model: after a reload it is loaded again, not the bundled one.
  await page.reload();
  await expect(studio.id('model.loaded')).toHaveAttribute('data-model', imported ?? 'missing', { timeout: 60_000 });
  await expect(studio.id('freeze.layer.conv_pw_13_relu')).toBeAttached();
});

test('a model URL that cannot be fetched: an alert with the URL, and the current model stays', async ({ studio, context }) => {
  const url = 'https://models.example.com/broken/model.json';
  await context.route('https://models.example.com/broken/**', (route) => route.abort('failed'));
  await studio.open('?backend=wasm');
  await studio.waitForModel();
  await studio.id('model.import').locator('summary').click();
  await studio.id('model.import-url').fill(url);
  await studio.id('model.import-url-load').click();
  const alert = studio.id('model.import-error');
  await expect(alert).toContainText(url);
  await expect(alert).toContainText(/CORS|connection/);
  await expect(studio.id('model.loaded')).toHaveAttribute('data-model', 'mobilenet-v2');
});

test('a graph model is a frozen feature extractor: asking its layers to train is refused', async ({ studio, page, context }) => {
  await serveModel(context, 'https://models.example.com/graph/', tinyGraphModelFiles(16, 'graph.bin'));
  await studio.open('?backend=wasm');
  await studio.waitForModel();
  await studio.id('model.import').locator('summary').click();
  await studio.id('model.import-url').fill('https://models.example.com/graph/model.json');
  await studio.id('model.import-url-load').click();
  await expect(studio.id('model.loaded')).toHaveAttribute('data-format', 'graph', { timeout: 60_000 });
  await expect(studio.id('model.note')).toContainText('graph models cannot be trained');
  await studio.id('freeze.preset.full').click();
  await expect(studio.id('model.graph-train-error')).toContainText('Graph models cannot be trained; only the new head trains');
  await page.locator('#step-model').screenshot({ path: '/tmp/shots6/model-graph.png' });
  await studio.headOnly();
  await expect(studio.id('model.graph-train-error')).toHaveCount(0);
});
