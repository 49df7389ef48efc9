import { join } from 'node:path';
import { test, expect } from './fixtures';

test('bad files are listed with reasons and the rest of the dataset still trains', async ({ studio, page }) => {
  await studio.open('?backend=wasm&seed=3');
  await studio.addFiles([join(process.cwd(), 'e2e/fixtures/bad-files.zip')]);
  await expect(studio.summary).toHaveAttribute('data-images', '6', { timeout: 60_000 });
  await expect(studio.summary).toHaveAttribute('data-classes', '2');

  const alert = page.getByRole('alert').filter({ has: page.getByTestId('dataset.skipped') });
  await expect(alert).toBeVisible();
  const text = (await alert.textContent()) ?? '';
  const skipped = page.getByTestId('dataset.skipped').locator('li');
  expect(await skipped.count()).toBeGreaterThanOrEqual(3);
  expect(text).toMatch(/empty|0 bytes/i);
  expect(text).toMatch(/not an image|not a supported image|unsupported/i);
  expect(text).toMatch(/corrupt|could not be decoded|cannot be decoded|truncated/i);
  await studio.screenshot('6-bad-files');

  await studio.waitForModel();
  await expect(studio.id('train.start')).toBeEnabled({ timeout: 120_000 });
});
