import { writeFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import type { StudioPage } from './pages/StudioPage';
import { recipes } from './text-data';

/** Waits until an epoch is done and its checkpoint saved, reloads, and checks what comes back; then resumes to the end. */
async function reloadAndResume(
  studio: StudioPage,
  page: Page,
  epochs: number,
  restored: () => Promise<void>,
  finished: () => Promise<void>,
): Promise<void> {
  await expect.poll(() => studio.savedCheckpointEpochs(), { timeout: 5 * 60_000 }).toContainEqual(expect.any(Number));
  const initial = Number(await studio.id('metrics.val-loss-initial').getAttribute('data-value'));
  await page.reload();

  await restored();
  await expect(studio.id('hp.epochs')).toHaveValue(String(epochs));
  await expect(studio.status).toHaveAttribute('data-state', 'paused', { timeout: 60_000 });
  const done = Number(await studio.id('metrics.epoch').getAttribute('data-value'));
  expect(done).toBeGreaterThanOrEqual(1);
  expect(done).toBeLessThan(epochs);
  await expect(studio.id('metrics.val-loss-initial')).toHaveAttribute('data-value', String(initial));
  await expect(studio.id('train.start')).toBeDisabled();
  await page.locator('#step-train').screenshot({ path: `/tmp/shots6/text-resume-${epochs}.png` });

  await studio.id('train.resume').click();
  await studio.waitForState('done', 6 * 60_000);
  await expect(studio.id('metrics.epoch')).toHaveAttribute('data-value', String(epochs));
  const final = Number(await studio.id('metrics.val-loss').getAttribute('data-value'));
  expect(final).toBeGreaterThan(0); // an empty data-value would read as 0
  expect(final).toBeLessThan(initial);
  await finished();

  // The finished run is saved too: another reload offers no resume. (The runs view reads the stored
  // run after the autosave's writes, the held checkpoint's among them: once it says done, it is on disk.)
  await expect(studio.id('runs.compare').getByTestId('runs.row').first()).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await page.reload();
  await restored();
  await expect(studio.id('train.resume')).toHaveCount(0);
}

test('text generation: a run interrupted by a reload comes back with its text, settings and epochs, and resumes to the end', async ({
  studio,
  page,
}, testInfo) => {
  const file = testInfo.outputPath('recipes.txt');
  writeFileSync(file, recipes(40));
  await studio.open('?backend=wasm&seed=4');
  await studio.id('task.text-generation').click();
  await studio.waitForModel();
  await studio.addFiles([file]);
  await expect(studio.summary).toHaveAttribute('data-images', '1');
  await studio.id('freeze.preset.top-blocks').click();
  await studio.setNumber('hp.epochs', 3);
  await studio.setNumber('hp.validation-split', 0.2);
  await studio.startTraining();
  await reloadAndResume(
    studio,
    page,
    3,
    async () => {
      await expect(studio.id('task.text-generation')).toHaveAttribute('aria-checked', 'true', { timeout: 60_000 });
      await expect(studio.summary).toHaveAttribute('data-images', '1', { timeout: 60_000 });
    },
    () => expect(studio.id('train.samples')).toContainText('epoch 3'),
  );
});

test('text classification: a run interrupted by a reload comes back with its table, columns and epochs, and resumes to the end', async ({
  studio,
  page,
}) => {
  await studio.openSpamSample(3);
  await studio.headOnly();
  // Head-only epochs on cached features take a moment; one text per batch leaves time to reload mid-run.
  await studio.setNumber('hp.batch-size', 1);
  await studio.setNumber('hp.epochs', 8);
  await studio.startTraining();
  await reloadAndResume(
    studio,
    page,
    8,
    async () => {
      await expect(studio.id('task.text-classification')).toHaveAttribute('aria-checked', 'true', { timeout: 60_000 });
      await expect(studio.summary).toHaveAttribute('data-classes', '2', { timeout: 60_000 });
      await expect(studio.id('dataset.label-column')).toHaveValue('label');
    },
    async () => {
      const acc = Number(await studio.id('eval.accuracy').getAttribute('data-value'));
      expect(acc).toBeGreaterThanOrEqual(0.75); // 80 validation texts, chance 0.5
    },
  );
});

test('text generation: a worker that dies mid-run is reported, and the run finishes from its checkpoint on a fresh worker', async ({
  studio,
  page,
}, testInfo) => {
  const file = testInfo.outputPath('recipes.txt');
  writeFileSync(file, recipes(40));
  await studio.open('?backend=wasm&seed=4');
  await studio.id('task.text-generation').click();
  await studio.waitForModel();
  await studio.addFiles([file]);
  await studio.id('freeze.preset.top-blocks').click();
  await studio.setNumber('hp.epochs', 3);
  await studio.setNumber('hp.validation-split', 0.2);
  await studio.startTraining();
  await expect.poll(() => studio.savedCheckpointEpochs(), { timeout: 5 * 60_000 }).toContainEqual(expect.any(Number));
  const initial = Number(await studio.id('metrics.val-loss-initial').getAttribute('data-value'));
  await page.evaluate(() => (window as unknown as { __studioTest: { killWorker(): void } }).__studioTest.killWorker());
  await expect(studio.id('train.crash-notice')).toContainText(/stopped unexpectedly/, { timeout: 30_000 });
  await studio.waitForState('done', 6 * 60_000);
  await expect(studio.id('metrics.epoch')).toHaveAttribute('data-value', '3');
  const final = Number(await studio.id('metrics.val-loss').getAttribute('data-value'));
  expect(final).toBeGreaterThan(0);
  expect(final).toBeLessThan(initial);
  await expect(studio.id('train.samples')).toContainText('epoch 3');
});
