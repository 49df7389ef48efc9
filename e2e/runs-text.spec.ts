import { strFromU8 } from 'fflate';
import { test, expect } from './fixtures';

const FIRST = { learningRate: 0.01, epochs: 3 };
const SECOND = { learningRate: 0.0003, epochs: 1 };

test('text runs: an earlier classifier is made current again, evaluated on its own split, and exported as trained', async ({
  studio,
  page,
}) => {
  await studio.openSpamSample(3);
  const compare = studio.id('runs.compare');
  const rows = compare.getByTestId('runs.row');
  const accuracies: number[] = [];
  for (const run of [FIRST, SECOND]) {
    await studio.setNumber('hp.learning-rate', run.learningRate);
    await studio.setNumber('hp.epochs', run.epochs);
    await studio.startTraining();
    await studio.waitForState('done', 5 * 60_000);
    accuracies.push(Number(await studio.id('eval.accuracy').getAttribute('data-value')));
  }
  await expect(rows).toHaveCount(2);
  // The two runs learnt different amounts: a broken restore that kept the current model would show the second's accuracy.
  expect(accuracies[0]).toBeGreaterThanOrEqual(0.6);
  expect(Math.abs((accuracies[0] as number) - (accuracies[1] as number))).toBeGreaterThan(0.02);

  const firstRow = compare.locator('[data-testid="runs.row"]', { has: page.locator(`[data-value="${FIRST.learningRate}"]`) });
  await expect(firstRow).toHaveAttribute('data-current', 'false');
  await firstRow.getByTestId('runs.use').click();
  await expect(firstRow).toHaveAttribute('data-current', 'true', { timeout: 120_000 });
  await expect(page.getByRole('alert')).toHaveCount(0);
  // Evaluated again on the run's own validation split, from its restored weights: the run's own number.
  await expect(studio.id('eval.accuracy')).toHaveAttribute('data-value', String(accuracies[0]));
  await expect(studio.id('eval.confusion-matrix')).toBeVisible();
  await expect(studio.id('metrics.epoch')).toHaveAttribute('data-value', String(FIRST.epochs));

  // The screen still holds the second run's settings; the download describes the run that was made current.
  const files = await studio.exportZip();
  const meta = JSON.parse(strFromU8(files['metadata.json'] as Uint8Array)) as { settings: { learningRate: number; epochs: number } };
  expect(meta.settings).toMatchObject(FIRST);
  await page.screenshot({ path: '/tmp/shots-runs/runs-text.png', fullPage: true });

  // An image run's row is not offered in a text task, and vice versa, with the reason.
  await studio.id('task.text-generation').click();
  await expect(firstRow.getByTestId('runs.use')).toBeDisabled();
  await expect(firstRow.getByTestId('runs.use')).toHaveAttribute('title', /choose that task/);
});
