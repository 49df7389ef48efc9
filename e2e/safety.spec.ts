/**
 * Hostile input: each case gets a plain refusal in an alert (or, for a hostile file name, is shown
 * as text), and what was loaded before — the dataset's counts and the model — is still there.
 */
import { writeFileSync } from 'node:fs';
import { zipSync } from 'fflate';
import { encodePng } from '../scripts/png.mjs';
import { tinyMobilenetV1Files } from '../src/test/model-files';
import { test, expect } from './fixtures';
import type { StudioPage } from './pages/StudioPage';

const png = (w: number, h: number) => new Uint8Array(encodePng(w, h, new Uint8Array(w * h).fill(128), 1));
const XSS = '<img src=x onerror=alert(1)>';

/** A small zip whose central directory declares `declared` uncompressed bytes for its one entry. */
function declaredBomb(declared: number): Uint8Array {
  const zip = zipSync({ 'circle/huge.png': new Uint8Array(4096) }, { level: 9 });
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let patched = 0;
  for (let o = 0; o + 46 <= zip.length; o++) {
    if (view.getUint32(o, true) === 0x02014b50) {
      view.setUint32(o + 24, declared, true);
      patched++;
    }
  }
  if (patched !== 1) throw new Error(`expected one central record, found ${patched}`);
  return zip;
}

async function prior(studio: StudioPage) {
  await studio.open('?backend=wasm&seed=5');
  await studio.loadSample();
  await studio.waitForModel();
  const images = (await studio.summary.getAttribute('data-images')) ?? '';
  const classes = (await studio.summary.getAttribute('data-classes')) ?? '';
  return {
    images: Number(images),
    classes: Number(classes),
    /** The dataset's counts are as before (plus `addedImages`/`addedClasses`) and the model is still loaded. */
    async survives(addedImages = 0, addedClasses = 0) {
      await expect(studio.summary).toHaveAttribute('data-images', String(Number(images) + addedImages));
      await expect(studio.summary).toHaveAttribute('data-classes', String(Number(classes) + addedClasses));
      await expect(studio.id('model.loaded')).toHaveAttribute('data-model', 'mobilenet-v2');
      await expect(studio.id('freeze.trainable-params')).toBeVisible();
    },
  };
}

/** Any dialog (alert, confirm, prompt) is a script that ran from input: every test fails on one. */
let dialogs: string[] = [];
test.beforeEach(async ({ page }) => {
  dialogs = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    await dialog.dismiss();
  });
});
test.afterEach(() => {
  expect(dialogs, 'dialogs fired').toEqual([]);
});

test('a zip bomb (over 1 GiB declared) is refused before anything is inflated', async ({ studio, page }, testInfo) => {
  const before = await prior(studio);
  const path = testInfo.outputPath('bomb.zip');
  writeFileSync(path, declaredBomb(0x50000000)); // 1.34 GB declared, 4 KB of zeros stored
  await studio.addFiles([path]);
  await expect(
    page
      .getByRole('alert')
      .filter({ hasText: /bomb\.zip.*would unpack to/ })
      .first(),
  ).toBeVisible();
  await before.survives();
});

test('a zip of 100,000 tiny entries is refused with the entry limit', async ({ studio, page }, testInfo) => {
  const before = await prior(studio);
  const tree: Record<string, Uint8Array> = {};
  const one = new Uint8Array([0]);
  for (let i = 0; i < 100_000; i++) tree[`many/${i}.png`] = one;
  const path = testInfo.outputPath('many.zip');
  writeFileSync(path, zipSync(tree, { level: 0 }));
  await studio.addFiles([path]);
  await expect(
    page
      .getByRole('alert')
      .filter({ hasText: /many\.zip.*more than the 20,000/ })
      .first(),
  ).toBeVisible({ timeout: 60_000 });
  await before.survives();
});

test('a model.json with truncated weights is refused and the current model stays', async ({ studio }, testInfo) => {
  const before = await prior(studio);
  const files = await tinyMobilenetV1Files(32, 10, 'group1-shard1of1');
  const jsonPath = testInfo.outputPath('model.json');
  const binPath = testInfo.outputPath(files.binName);
  writeFileSync(jsonPath, files.json);
  writeFileSync(binPath, files.bin.subarray(0, files.bin.length - 1000));
  await studio.id('model.import').locator('summary').click();
  await studio.id('model.import-files').setInputFiles([jsonPath, binPath]);
  const alert = studio.id('model.import-error');
  await expect(alert).toHaveAttribute('role', 'alert');
  await expect(alert).toContainText('group1-shard1of1');
  await expect(alert).toContainText(/truncated/);
  await before.survives();
});

test('a model.json with an unknown layer class names it and the current model stays', async ({ studio }, testInfo) => {
  const before = await prior(studio);
  const files = await tinyMobilenetV1Files(32, 10, 'group1-shard1of1');
  const json = JSON.parse(files.json) as unknown;
  // Rename the first Dropout layer's class, wherever the topology nests it.
  const rename = (node: unknown): boolean => {
    if (Array.isArray(node)) return node.some(rename);
    if (!node || typeof node !== 'object') return false;
    const o = node as Record<string, unknown>;
    if (o.class_name === 'Dropout') {
      o.class_name = 'FancyLayer';
      return true;
    }
    return Object.values(o).some(rename);
  };
  expect(rename(json)).toBe(true);
  const jsonPath = testInfo.outputPath('model.json');
  const binPath = testInfo.outputPath(files.binName);
  writeFileSync(jsonPath, JSON.stringify(json));
  writeFileSync(binPath, files.bin);
  await studio.id('model.import').locator('summary').click();
  await studio.id('model.import-files').setInputFiles([jsonPath, binPath]);
  const alert = studio.id('model.import-error');
  await expect(alert).toHaveAttribute('role', 'alert');
  await expect(alert).toContainText('FancyLayer');
  await before.survives();
});

test('a file and a class named like HTML are shown as text, never run', async ({ studio, page }) => {
  const before = await prior(studio);
  const zip = zipSync({ [`${XSS}/${XSS}.png`]: png(40, 40), [`${XSS}/b.png`]: png(48, 48) });
  await studio.id('dataset.file-input').setInputFiles([{ name: `${XSS}.zip`, mimeType: 'application/zip', buffer: Buffer.from(zip) }]);
  await before.survives(2, 1);
  await expect(page.getByText(XSS, { exact: true }).first()).toBeVisible();
  await page.getByLabel('Filter images by class').selectOption(XSS);
  await expect(page.locator(`img[alt="${XSS}.png"]`)).toHaveCount(1);
  await expect(page.locator(`[title*="${XSS}.png"]`)).toHaveCount(1);
  // Nothing was parsed as markup: no element came from the names.
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  // A loose image with the same name (no folder) is also just text.
  await studio.id('dataset.file-input').setInputFiles([{ name: `${XSS}.png`, mimeType: 'image/png', buffer: Buffer.from(png(36, 36)) }]);
  await expect(studio.summary).toHaveAttribute('data-images', String(before.images + 3));
  expect(await page.locator('img[src="x"]').count()).toBe(0);
});

test('a training step larger than the memory budget is flagged next to Start', async ({ studio }) => {
  await prior(studio);
  await expect(studio.id('train.memory-warning')).toHaveCount(0);
  await studio.id('freeze.preset.full').click();
  await studio.setNumber('hp.batch-size', 256);
  await studio.setImageSize(224);
  await expect(studio.id('train.memory-warning')).toBeVisible();
  await expect(studio.id('train.memory-warning')).toContainText(/MB/);
  await studio.setNumber('hp.batch-size', 4);
  await studio.setImageSize(96);
  await expect(studio.id('train.memory-warning')).toHaveCount(0);
});
