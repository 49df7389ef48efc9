import { test, expect } from './fixtures';
import type { StudioPage } from './pages/StudioPage';

const EPOCHS = 30;

function startLongRun(studio: StudioPage): Promise<{ images: string }> {
  return studio.startLongRun('?backend=wasm&seed=6', 'wasm', EPOCHS);
}

test('a run interrupted by a reload comes back with its data, settings and curves, and resumes to the end', async ({ studio, page }) => {
  const { images } = await startLongRun(studio);
  await page.reload();

  await expect(studio.summary).toHaveAttribute('data-images', images, { timeout: 60_000 });
  await expect(studio.id('hp.epochs')).toHaveValue(String(EPOCHS));
  await expect(studio.status).toHaveAttribute('data-state', 'paused', { timeout: 60_000 });
  const restored = Number(await studio.id('metrics.epoch').getAttribute('data-value'));
  expect(restored).toBeGreaterThanOrEqual(1);
  await expect(studio.id('metrics.loss-chart')).toBeVisible();

  await studio.id('train.resume').click();
  await studio.waitForState('done');
  await expect(studio.id('metrics.epoch')).toHaveAttribute('data-value', String(EPOCHS));
  // 30 epochs on 20 validation images of 4 shapes (chance 0.25): this run reaches 0.55 accuracy and
  // lowers validation loss from 1.52 to 0.93 (×0.61). Bars well above chance and a clear fall from the
  // untrained model, with room below what it reaches.
  const acc = Number(await studio.id('eval.accuracy').getAttribute('data-value'));
  expect(acc).toBeGreaterThanOrEqual(0.4);
  const valLoss = Number(await studio.id('metrics.val-loss').getAttribute('data-value'));
  const initialLoss = Number(await studio.id('metrics.val-loss-initial').getAttribute('data-value'));
  expect(valLoss).toBeGreaterThan(0); // an empty data-value would read as 0
  expect(valLoss).toBeLessThan(0.8 * initialLoss);

  // The finished run is saved too: another reload shows its curves and offers no resume. (The runs
  // view reads the stored run after the autosave's writes: once it shows every epoch, they are on disk.)
  await expect(studio.id('runs.compare').getByTestId('runs.row').first()).toHaveAttribute('data-epochs', String(EPOCHS), {
    timeout: 60_000,
  });
  await page.reload();
  await expect(studio.summary).toHaveAttribute('data-images', images, { timeout: 60_000 });
  await expect(studio.id('metrics.epoch')).toHaveAttribute('data-value', String(EPOCHS), { timeout: 60_000 });
  await expect(studio.id('train.resume')).toHaveCount(0);
});

test('a worker that dies mid-run is reported, and the run finishes from its checkpoint', async ({ studio, page }) => {
  await startLongRun(studio);
  await page.evaluate(() => (window as unknown as { __studioTest: { killWorker(): void } }).__studioTest.killWorker());
  await expect(page.getByRole('alert').filter({ hasText: /stopped unexpectedly/ })).toBeVisible({ timeout: 30_000 });
  await studio.waitForState('done');
  await expect(studio.id('metrics.epoch')).toHaveAttribute('data-value', String(EPOCHS));
  await expect(studio.id('train.backend')).toHaveAttribute('data-value', 'wasm');
});
