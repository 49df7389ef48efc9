import { strFromU8 } from 'fflate';
import { test, expect } from './fixtures';

/**
 * A four-trial sweep over learning rate and dropout on WASM (head only), three epochs per run:
 * successive halving trains every trial one epoch, then only the best one to three. Every trial is a
 * run in the runs view; the best trial's model is made current and exported.
 */
test('a sweep runs its trials as runs, stops the weaker ones early, and applies the best', async ({ studio, page }) => {
  await studio.open('?backend=wasm&seed=1');
  await expect(studio.id('train.backend')).toHaveAttribute('data-value', 'wasm', { timeout: 120_000 });
  await studio.waitForModel();
  await studio.loadSample();
  await studio.setImageSize(96);
  await studio.headOnly();
  await studio.setNumber('hp.epochs', 3);

  const panel = studio.id('sweep.panel');
  await panel.scrollIntoViewIfNeeded();
  // Bad input is refused in a sentence, and the sweep cannot start.
  await studio.setNumber('sweep.trials', 0);
  await expect(studio.id('sweep.input-error')).toContainText('at least 1 trial');
  await expect(studio.id('sweep.start')).toBeDisabled();
  await studio.setNumber('sweep.trials', 4);
  await studio.setNumber('sweep.lr.min', 0.05);
  await studio.setNumber('sweep.lr.max', 0.03);
  await expect(studio.id('sweep.input-error')).toContainText('minimum is above its maximum');
  await studio.setNumber('sweep.lr.min', 0.0001);
  await expect(studio.id('sweep.input-error')).toHaveCount(0);
  await expect(studio.id('sweep.lr.on')).toBeChecked();
  await expect(studio.id('sweep.dropout.on')).toBeChecked();

  await expect(studio.id('sweep.start')).toBeEnabled({ timeout: 60_000 });
  await studio.id('sweep.start').click();
  await expect(studio.id('sweep.status')).toHaveAttribute('data-state', 'running');
  await expect(studio.id('sweep.status')).toHaveAttribute('data-state', 'done', { timeout: 8 * 60_000 });
  await expect(page.getByRole('alert')).toHaveCount(0);

  // Every trial is a run of the project, marked with its trial number.
  const trialRows = await studio.sweepTrialRuns(4, 3);
  expect(trialRows.map((r) => r.trial).sort()).toEqual([1, 2, 3, 4]);
  for (const r of trialRows) {
    expect(r.lr).toBeGreaterThanOrEqual(1e-4);
    expect(r.lr).toBeLessThanOrEqual(3e-2);
  }
  // Successive halving: three trials stopped after one epoch, one went on to three.
  const early = trialRows.filter((r) => r.stoppedEarly);
  const full = trialRows.filter((r) => !r.stoppedEarly);
  expect(early).toHaveLength(3);
  expect(full).toHaveLength(1);
  for (const r of early) expect(r.epochs).toBe(1);
  expect(full[0]?.epochs).toBe(3);
  await expect(page.locator('[data-testid="sweep.trial"][data-state="stopped-early"]')).toHaveCount(3);
  await expect(page.locator('[data-testid="sweep.trial"][data-state="done"]')).toHaveCount(1);
  // The promoted trial went on from its own checkpoint (one run, resumed after epoch 1), not from scratch.
  const stored = await page.evaluate(
    (id) =>
      new Promise<{ resumes: { afterEpoch: number }[]; epochs: number[]; settingsEpochs: number }>((resolve, reject) => {
        const open = indexedDB.open('finetune-studio');
        open.onerror = () => reject(new Error('no database'));
        open.onsuccess = () => {
          const get = open.result.transaction('runs').objectStore('runs').get(id);
          get.onsuccess = () => {
            const rec = (
              get.result as {
                record: { resumes: { afterEpoch: number }[]; metrics: { history: { epoch: number }[] }; settings: { epochs: number } };
              }
            ).record;
            open.result.close();
            resolve({ resumes: rec.resumes, epochs: rec.metrics.history.map((h) => h.epoch), settingsEpochs: rec.settings.epochs });
          };
        };
      }),
    full[0]?.id ?? '',
  );
  expect(stored.resumes.map((r) => r.afterEpoch)).toEqual([1]);
  expect(stored.epochs).toEqual([1, 2, 3]);
  expect(stored.settingsEpochs).toBe(3);

  // The best is the highest final validation accuracy among the trials' runs.
  const bestValue = Number(await studio.id('sweep.best').getAttribute('data-value'));
  expect(bestValue).toBe(Math.max(...trialRows.map((r) => r.final)));
  const bestTrial = Number(await studio.id('sweep.best').getAttribute('data-trial'));
  const best = trialRows.find((r) => r.trial === bestTrial);
  expect(best?.final).toBe(bestValue);

  await panel.screenshot({ path: '/tmp/shots-sweep/sweep-panel.png' });

  // Applying it makes that run's model the current one, and the export describes it.
  await studio.id('sweep.apply').click();
  await expect(page.locator(`[data-testid="runs.row"][data-run="${best?.id}"]`)).toHaveAttribute('data-current', 'true', {
    timeout: 120_000,
  });
  await expect(studio.id('eval.accuracy')).toBeVisible({ timeout: 60_000 });
  const files = await studio.exportZip();
  const meta = JSON.parse(strFromU8(files['metadata.json'] as Uint8Array)) as { settings: { learningRate: number; epochs: number } };
  expect(meta.settings.learningRate).toBe(best?.lr);
  expect(meta.settings.epochs).toBe(best?.epochs);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.screenshot({ path: '/tmp/shots-sweep/sweep-page.png', fullPage: true });

  // The same seed draws the same trials; stopping ends the sweep after the current trial's batch.
  const firstLrs = await page.locator('[data-testid="sweep.trial"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-lr')));
  // Trials share one feature cache and take a second each; without the cache a trial runs the whole
  // backbone every batch, long enough to stop it midway.
  await studio.openSection('augmentation');
  await studio.id('hp.use-cache').uncheck();
  await studio.setNumber('sweep.trials', 6);
  await studio.id('sweep.start').click();
  await expect(studio.id('sweep.status')).toHaveAttribute('data-state', 'running');
  const again = await page.locator('[data-testid="sweep.trial"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-lr')));
  expect(again.slice(0, 4)).toEqual(firstLrs);
  await expect(page.locator('[data-testid="sweep.trial"][data-state="running"]')).toHaveCount(1);
  await studio.id('sweep.stop').click();
  await expect(studio.id('sweep.status')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(panel).toContainText('You stopped the sweep.');
  await expect(page.locator('[data-testid="sweep.trial"][data-state="stopped"]')).toHaveCount(6);
  await expect(studio.status).not.toHaveAttribute('data-state', 'running');
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('a sweep a reload interrupted continues with its unfinished trials, one run per trial', async ({ studio, page }) => {
  await studio.open('?backend=wasm&seed=2');
  await expect(studio.id('train.backend')).toHaveAttribute('data-value', 'wasm', { timeout: 120_000 });
  await studio.waitForModel();
  await studio.loadSample();
  await studio.setImageSize(96);
  await studio.headOnly();
  await studio.setNumber('hp.epochs', 3);
  await studio.setNumber('sweep.trials', 4);
  // With the shared feature cache a trial takes about a second, and the sweep could end before the
  // test sees a trial wait for its rung: without it each trial runs the whole backbone every batch.
  await studio.openSection('augmentation');
  await studio.id('hp.use-cache').uncheck();
  await expect(studio.id('sweep.start')).toBeEnabled({ timeout: 60_000 });
  await studio.id('sweep.start').click();
  await expect(page.locator('[data-testid="sweep.trial"][data-state="waiting"]')).not.toHaveCount(0, { timeout: 120_000 });
  const before = await page.locator('[data-testid="sweep.trial"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-lr')));
  // The autosave writes the sweep's progress behind the run's own writes: reload once it is stored.
  await expect.poll(() => studio.storedWaitingTrials(), { timeout: 30_000 }).toBeGreaterThan(0);

  await page.reload();
  await studio.waitForModel();
  await expect(studio.id('sweep.status')).toHaveAttribute('data-state', 'idle', { timeout: 60_000 });
  await expect(studio.id('sweep.panel')).toContainText('The sweep was interrupted');
  const after = await page.locator('[data-testid="sweep.trial"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-lr')));
  expect(after).toEqual(before);
  await expect(page.locator('[data-testid="sweep.trial"][data-state="waiting"]')).not.toHaveCount(0);
  await studio.id('sweep.panel').screenshot({ path: '/tmp/shots-sweep/sweep-interrupted.png' });
  await studio.id('sweep.resume').click();
  await expect(studio.id('sweep.status')).toHaveAttribute('data-state', 'done', { timeout: 8 * 60_000 });

  const trials = await studio.sweepTrialRuns(4, 3);
  expect(trials.map((t) => t.trial).sort()).toEqual([1, 2, 3, 4]);
  expect(trials.filter((t) => t.stoppedEarly).map((t) => t.epochs)).toEqual([1, 1, 1]);
  expect(trials.filter((t) => !t.stoppedEarly).map((t) => t.epochs)).toEqual([3]);
  await expect(page.locator('[data-testid="sweep.trial"][data-state="done"]')).toHaveCount(1);
  await expect(page.getByRole('alert')).toHaveCount(0);
});
