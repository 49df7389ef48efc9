import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { test, expect } from './fixtures';
import { StudioPage } from './pages/StudioPage';

test('round trip: export a zip, import it in a fresh tab, train two more epochs, export again', async ({ studio, page, browser }) => {
  await studio.open('?backend=wasm&seed=5');
  await studio.waitForModel();
  await studio.loadSample();
  await studio.setImageSize(96);
  await studio.setNumber('hp.epochs', 2);
  await studio.headOnly();
  await studio.startTraining();
  await studio.waitForState('done');
  const lossAfterFirstRun = Number(await studio.id('metrics.val-loss').getAttribute('data-value'));
  const [download] = await Promise.all([page.waitForEvent('download'), studio.id('export.tfjs').click()]);
  const zipPath = join(mkdtempSync(join(tmpdir(), 'studio-rt-')), 'first-model.zip');
  writeFileSync(zipPath, readFileSync(await download.path()));
  const first = JSON.parse(strFromU8(unzipSync(new Uint8Array(readFileSync(zipPath)))['metadata.json'] as Uint8Array)) as Record<
    string,
    unknown
  >;

  // A fresh tab in a fresh browser context: nothing carried over but the zip.
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const tab = new StudioPage(await context.newPage());
  await tab.open('?backend=wasm&seed=5');
  await tab.waitForModel();
  await tab.loadSample();
  await tab.id('model.import-files').setInputFiles(zipPath);
  await expect(tab.id('model.loaded')).toHaveAttribute('data-model', /^import-/, { timeout: 120_000 });
  await expect(tab.page.getByTestId('model.note').filter({ hasText: /trained head/ })).toBeVisible();
  await tab.setNumber('hp.epochs', 2);
  await tab.headOnly();
  await tab.startTraining();
  await tab.waitForState('done');
  // The imported head continues where it stopped: before its first step it is as good as the first run's end.
  const initial = Number(await tab.id('metrics.val-loss-initial').getAttribute('data-value'));
  expect(Math.abs(initial - lossAfterFirstRun)).toBeLessThan(1e-3);

  const files = await tab.exportZip();
  const second = JSON.parse(strFromU8(files['metadata.json'] as Uint8Array)) as Record<string, unknown>;
  expect(second.labels).toEqual(first.labels);
  expect(second.imageSize).toBe(96);
  const from = second.continuedFrom as { epochs: number; labels: string[]; createdAt: string };
  expect(from.epochs).toBe(2);
  expect(from.labels).toEqual(first.labels);
  expect(from.createdAt).toBe(first.createdAt);
  expect(((second.metrics as { history: unknown[] }).history ?? []).length).toBe(2);
  await context.close();
});
