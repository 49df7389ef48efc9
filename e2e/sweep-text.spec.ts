import { writeFileSync } from 'node:fs';
import { strFromU8 } from 'fflate';
import { test, expect } from './fixtures';
import { recipes } from './text-data';

/**
 * Text classification sweeps: four trials over the learning rate (and dropout) on the spam/ham
 * sample, head only on WASM, nine epochs per run: successive halving trains every trial one epoch,
 * the best one to three and nine. The trials are text runs in the runs view; the best trial's model
 * is made current, evaluated on its own split and exported as trained.
 */
test('a text classification sweep runs its trials as runs, stops the weaker ones early, and applies the best', async ({ studio, page }) => {
  await studio.openSpamSample(2);
  await studio.setNumber('hp.epochs', 9);
  const panel = studio.id('sweep.panel');
  await panel.scrollIntoViewIfNeeded();
  // Image-only dimensions are not offered for text.
  await expect(studio.id('sweep.size.on')).toHaveCount(0);
  await expect(studio.id('sweep.augment.on')).toHaveCount(0);
  await studio.setNumber('sweep.trials', 4);
  await studio.setNumber('sweep.lr.min', 0.0003);
  await studio.setNumber('sweep.lr.max', 0.03);
  await expect(studio.id('sweep.input-error')).toHaveCount(0);
  await expect(studio.id('sweep.start')).toBeEnabled({ timeout: 60_000 });
  await studio.id('sweep.start').click();
  await expect(studio.id('sweep.status')).toHaveAttribute('data-state', 'running');
  await expect(studio.id('sweep.status')).toHaveAttribute('data-state', 'done', { timeout: 8 * 60_000 });
  await expect(page.getByRole('alert')).toHaveCount(0);

  const trials = await studio.sweepTrialRuns(4, 9);
  for (const t of trials) {
    expect(t.lr).toBeGreaterThanOrEqual(3e-4);
    expect(t.lr).toBeLessThanOrEqual(3e-2);
  }
  // Rungs 1, 3, 9: three trials stop after one epoch, one is promoted twice from its own checkpoint.
  expect(trials.filter((t) => t.stoppedEarly).map((t) => t.epochs)).toEqual([1, 1, 1]);
  const full = trials.find((t) => !t.stoppedEarly);
  expect(full?.epochs).toBe(9);
  await expect(page.locator('[data-testid="sweep.trial"][data-state="done"]')).toHaveCount(1);

  // The best trial (the highest final validation accuracy, promoted or not) becomes current: evaluated
  // again from its stored weights on its own split, and exported as it was trained.
  const best = studio.id('sweep.best');
  const bestValue = Number(await best.getAttribute('data-value'));
  const bestTrial = Number(await best.getAttribute('data-trial'));
  const winner = trials.find((t) => t.trial === bestTrial);
  expect(bestValue).toBe(Math.max(...trials.map((t) => t.final)));
  expect(winner?.final).toBeCloseTo(bestValue, 6);
  expect(bestValue).toBeGreaterThanOrEqual(0.7); // chance 0.5
  await studio.setNumber('hp.learning-rate', 0.5); // the screen's settings differ from the trial's
  await studio.id('sweep.apply').click();
  const row = studio.id('runs.compare').locator(`[data-testid="runs.row"][data-run="${winner?.id ?? ''}"]`);
  await expect(row).toHaveAttribute('data-current', 'true', { timeout: 120_000 });
  await expect(studio.id('eval.accuracy')).toHaveAttribute('data-value', String(bestValue));
  const files = await studio.exportZip();
  const meta = JSON.parse(strFromU8(files['metadata.json'] as Uint8Array)) as { settings: { learningRate: number; epochs: number } };
  expect(meta.settings.learningRate).toBeCloseTo(winner?.lr ?? NaN, 10);
  expect(meta.settings.epochs).toBe(winner?.epochs);
  await panel.screenshot({ path: '/tmp/shots-runs/sweep-text.png' });
});

test('a text sweep a reload interrupted continues with its unfinished trials, one run per trial', async ({ studio, page }) => {
  await studio.openSpamSample(4);
  await studio.setNumber('hp.epochs', 9);
  // One text per batch: with the feature cache shared, trials would otherwise pass their rung in a
  // second, and the sweep could move on before the test reloads while one waits.
  await studio.setNumber('hp.batch-size', 1);
  await studio.setNumber('sweep.trials', 4);
  await expect(studio.id('sweep.start')).toBeEnabled({ timeout: 60_000 });
  await studio.id('sweep.start').click();
  await expect(page.locator('[data-testid="sweep.trial"][data-state="waiting"]')).not.toHaveCount(0, { timeout: 4 * 60_000 });
  const before = await page.locator('[data-testid="sweep.trial"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-lr')));
  await expect.poll(() => studio.storedWaitingTrials(), { timeout: 30_000 }).toBeGreaterThan(0);

  await page.reload();
  await expect(studio.id('task.text-classification')).toHaveAttribute('aria-checked', 'true', { timeout: 60_000 });
  await studio.waitForModel();
  await expect(studio.id('sweep.status')).toHaveAttribute('data-state', 'idle', { timeout: 60_000 });
  await expect(studio.id('sweep.panel')).toContainText('The sweep was interrupted');
  const after = await page.locator('[data-testid="sweep.trial"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-lr')));
  expect(after).toEqual(before);
  await studio.id('sweep.resume').click();
  await expect(studio.id('sweep.status')).toHaveAttribute('data-state', 'done', { timeout: 8 * 60_000 });

  const trials = await studio.sweepTrialRuns(4, 9);
  expect(trials.map((t) => t.trial).sort()).toEqual([1, 2, 3, 4]);
  expect(trials.filter((t) => t.stoppedEarly).map((t) => t.epochs)).toEqual([1, 1, 1]);
  expect(trials.filter((t) => !t.stoppedEarly).map((t) => t.epochs)).toEqual([9]);
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('a text generation sweep judges its trials by validation loss and applies the lowest', async ({ studio, page }, testInfo) => {
  const file = testInfo.outputPath('recipes.txt');
  writeFileSync(file, recipes(60));
  await studio.open('?backend=wasm&seed=5');
  await studio.id('task.text-generation').click();
  await studio.waitForModel();
  await studio.addFiles([file]);
  await studio.setNumber('hp.epochs', 3);
  await studio.setNumber('hp.validation-split', 0.2);
  await studio.setNumber('sweep.trials', 3);
  await studio.id('sweep.dropout.on').uncheck();
  await studio.setNumber('sweep.lr.min', 0.0001);
  await studio.setNumber('sweep.lr.max', 0.01);
  await expect(studio.id('sweep.start')).toBeEnabled({ timeout: 60_000 });
  await studio.id('sweep.start').click();
  await expect(studio.id('sweep.status')).toHaveAttribute('data-state', 'done', { timeout: 8 * 60_000 });
  await expect(page.getByRole('alert')).toHaveCount(0);

  const trials = await page.locator('[data-testid="sweep.trial"]').evaluateAll((els) =>
    els.map((e) => ({
      trial: Number(e.getAttribute('data-trial')),
      state: e.getAttribute('data-state'),
      epochs: Number(e.getAttribute('data-epochs')),
      lr: Number(e.getAttribute('data-lr')),
      metrics: JSON.parse(e.getAttribute('data-metrics') ?? '[]') as number[],
    })),
  );
  // Rungs 1 and 3: the trial with the lowest validation loss after one epoch is the one that went on.
  const afterOne = trials.map((t) => t.metrics[0] as number);
  const promoted = trials.find((t) => t.state === 'done');
  expect(trials.filter((t) => t.state === 'stopped-early').map((t) => t.epochs)).toEqual([1, 1]);
  expect(promoted?.epochs).toBe(3);
  expect(promoted?.metrics[0]).toBe(Math.min(...afterOne));
  const finals = trials.map((t) => t.metrics.at(-1) as number);
  const best = studio.id('sweep.best');
  await expect(best).toHaveAttribute('data-value', String(Math.min(...finals)));
  const winnerTrial = Number(await best.getAttribute('data-trial'));
  const winner = trials.find((t) => t.trial === winnerTrial);
  await studio.id('sweep.apply').click();
  await expect(studio.id('runs.compare').locator('[data-testid="runs.row"][data-current="true"]')).toHaveAttribute(
    'data-sweep-trial',
    String(winner?.trial),
    { timeout: 120_000 },
  );
  const files = await studio.exportZip();
  const meta = JSON.parse(strFromU8(files['metadata.json'] as Uint8Array)) as { settings: { learningRate: number } };
  expect(meta.settings.learningRate).toBeCloseTo(winner?.lr ?? NaN, 10);
  await studio.id('generate.prompt').fill('Recipe 7: mix');
  await studio.id('generate.run').click();
  await expect(studio.id('generate.output')).not.toBeEmpty({ timeout: 60_000 });
  await studio.id('sweep.panel').screenshot({ path: '/tmp/shots-runs/sweep-generation.png' });
});
