import { strFromU8 } from 'fflate';
import { test, expect } from './fixtures';
import type { StudioPage } from './pages/StudioPage';

const FIRST_LR = 0.003;
const SECOND_LR = 0.02;

async function train(studio: StudioPage, learningRate: number): Promise<void> {
  await studio.setNumber('hp.learning-rate', learningRate);
  await studio.startTraining();
  await studio.waitForState('done');
  await expect(studio.id('eval.accuracy')).toBeVisible();
}

async function exportedLearningRate(studio: StudioPage): Promise<number> {
  const files = await studio.exportZip();
  const meta = JSON.parse(strFromU8(files['metadata.json'] as Uint8Array)) as { settings: { learningRate: number }; run?: unknown };
  return meta.settings.learningRate;
}

test('two runs are compared side by side, and the first one’s model can be made current and exported', async ({ studio, page }) => {
  await studio.open('?backend=wasm&seed=1');
  await expect(studio.id('train.backend')).toHaveAttribute('data-value', 'wasm', { timeout: 120_000 });
  await studio.waitForModel();
  await studio.loadSample();
  await studio.setImageSize(96);
  await studio.headOnly();
  await studio.setNumber('hp.epochs', 2);

  const compare = studio.id('runs.compare');
  const rows = compare.getByTestId('runs.row');
  await train(studio, FIRST_LR);
  await expect(rows).toHaveCount(1);
  await train(studio, SECOND_LR);
  await expect(rows).toHaveCount(2);
  // Each row shows its own settings as used and a final validation accuracy.
  await expect(rows.nth(0).getByTestId('runs.cell.learningRate')).toHaveAttribute('data-value', String(FIRST_LR));
  await expect(rows.nth(1).getByTestId('runs.cell.learningRate')).toHaveAttribute('data-value', String(SECOND_LR));
  await expect(rows.nth(1)).toHaveAttribute('data-current', 'true');
  for (const i of [0, 1]) expect(Number(await rows.nth(i).getByTestId('runs.cell.final').getAttribute('data-value'))).toBeGreaterThan(0);

  // Only the learning rate differs between the two runs.
  await expect(compare.getByTestId('runs.col.batchSize')).toHaveCount(1);
  await studio.id('runs.differ-only').check();
  await expect(compare.getByTestId('runs.col.learningRate')).toBeVisible();
  await expect(compare.getByTestId('runs.col.batchSize')).toHaveCount(0);
  await expect(compare.getByTestId('runs.col.epochs')).toHaveCount(0);

  // Sorting by learning rate, descending: the second run first.
  await studio.id('runs.sort.learningRate').click();
  await studio.id('runs.sort.learningRate').click();
  await expect(compare.getByTestId('runs.col.learningRate')).toHaveAttribute('aria-sort', 'descending');
  await expect(rows.nth(0).getByTestId('runs.cell.learningRate')).toHaveAttribute('data-value', String(SECOND_LR));
  await expect(studio.id('runs.scatter')).toHaveAttribute('data-points', '2');

  // A note is kept with the run.
  const firstRow = compare.locator('[data-testid="runs.row"]', { has: page.locator(`[data-value="${FIRST_LR}"]`) });
  await firstRow.getByTestId('runs.notes').fill('the lower rate');
  await firstRow.getByTestId('runs.notes').blur();

  await compare.scrollIntoViewIfNeeded();
  await compare.screenshot({ path: '/tmp/shots-runs/runs-compare.png' });

  // The export describes the latest run now…
  expect(await exportedLearningRate(studio)).toBe(SECOND_LR);
  // …and the first run's after it is made current.
  await firstRow.getByTestId('runs.use').click();
  await expect(firstRow).toHaveAttribute('data-current', 'true', { timeout: 120_000 });
  await expect(studio.id('eval.accuracy')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(await exportedLearningRate(studio)).toBe(FIRST_LR);

  // After a reload (a fresh worker) the runs and the note are still there, and a run's model comes back.
  await page.reload();
  await expect(rows).toHaveCount(2, { timeout: 60_000 });
  await expect(firstRow.getByTestId('runs.notes')).toHaveValue('the lower rate');
  await studio.waitForModel();
  await firstRow.getByTestId('runs.use').click();
  await expect(firstRow).toHaveAttribute('data-current', 'true', { timeout: 120_000 });
  expect(await exportedLearningRate(studio)).toBe(FIRST_LR);

  // A run whose checkpoint is gone says so, and the current model stays.
  const secondRow = compare.locator('[data-testid="runs.row"]', { has: page.locator(`[data-value="${SECOND_LR}"]`) });
  const secondId = (await secondRow.getAttribute('data-run')) ?? '';
  await page.evaluate(
    (id) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('finetune-studio');
        open.onerror = () => reject(new Error('no database'));
        open.onsuccess = () => {
          const tx = open.result.transaction('checkpoints', 'readwrite');
          tx.objectStore('checkpoints').delete(id);
          tx.oncomplete = () => (open.result.close(), resolve());
        };
      }),
    secondId,
  );
  await secondRow.getByTestId('runs.use').click();
  await expect(studio.id('runs.error')).toContainText('checkpoint is missing');
  await expect(firstRow).toHaveAttribute('data-current', 'true');
  expect(await exportedLearningRate(studio)).toBe(FIRST_LR);

  // Deleting a run removes its row.
  await secondRow.getByTestId('runs.delete').click();
  await secondRow.getByTestId('runs.delete-confirm').click();
  await expect(rows).toHaveCount(1);
  await page.screenshot({ path: '/tmp/shots-runs/runs-page.png', fullPage: true });
});
