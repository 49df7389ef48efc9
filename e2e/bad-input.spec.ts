import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { encodePng } from '../scripts/png.mjs';
import { test, expect } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'studio-bad-'));
function file(name: string, data: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}
const png = (w: number, h: number) => new Uint8Array(encodePng(w, h, new Uint8Array(w * h).fill(128), 1));

test('bad input gets a plain sentence in an alert and nothing already loaded is lost', async ({ studio, page }) => {
  await studio.open('?backend=wasm&seed=4');
  await studio.loadSample();
  const images = (await studio.summary.getAttribute('data-images')) ?? '';
  const classes = (await studio.summary.getAttribute('data-classes')) ?? '';
  const unchanged = async () => {
    await expect(studio.summary).toHaveAttribute('data-images', images);
    await expect(studio.summary).toHaveAttribute('data-classes', classes);
  };

  // A zip with no images at all.
  await studio.addFiles([file('no-images.zip', zipSync({ 'notes/readme.txt': new TextEncoder().encode('hello') }))]);
  await expect(
    page
      .getByRole('alert')
      .filter({ hasText: /no images|no image/i })
      .first(),
  ).toBeVisible();
  await unchanged();

  // A zip that is not a zip.
  await studio.addFiles([file('broken.zip', new TextEncoder().encode('PK\u0003\u0004 this is not really a zip'))]);
  await expect(
    page
      .getByRole('alert')
      .filter({ hasText: /broken\.zip/i })
      .first(),
  ).toBeVisible();
  await unchanged();

  // An empty class folder next to a good one.
  await studio.addFiles([file('empty-class.zip', zipSync({ 'dogs/': new Uint8Array(0), 'circle/extra.png': png(64, 64) }))]);
  await expect(page.getByRole('alert').filter({ hasText: /dogs/ }).first()).toBeVisible();
  await expect(studio.summary).toHaveAttribute('data-images', String(Number(images) + 1));

  // A 50-megapixel photo is accepted and flagged (it is downscaled for training).
  await studio.addFiles([file('huge.png', png(8000, 6250))]);
  await expect(
    page
      .getByRole('alert')
      .filter({ hasText: /huge\.png/ })
      .first(),
  ).toBeVisible({ timeout: 120_000 });
  await expect(studio.summary).toHaveAttribute('data-images', String(Number(images) + 2));
});

test('a single class is refused for training with a reason', async ({ studio, page }) => {
  await studio.open('?backend=wasm&seed=4');
  await studio.addFiles([file('one-class.zip', zipSync({ 'cats/a.png': png(32, 32), 'cats/b.png': png(40, 40) }))]);
  await expect(studio.summary).toHaveAttribute('data-classes', '1');
  await expect(
    page
      .getByRole('alert')
      .filter({ hasText: /at least one more class|two or more/i })
      .first(),
  ).toBeVisible();
  await expect(studio.id('train.start')).toBeDisabled();
});
