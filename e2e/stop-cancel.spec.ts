import { test, expect } from './fixtures';

test('cancel terminates the worker and the model comes back; stop keeps the model trained so far', async ({ studio, page }) => {
  await studio.open('?backend=wasm&seed=2');
  await studio.waitForModel();
  await studio.loadSample();
  await studio.setImageSize(96);
  // Head-only training on cached features is fast: many tiny batches keep the run going long enough.
  await studio.setNumber('hp.epochs', 500);
  await studio.setNumber('hp.batch-size', 1);
  await studio.headOnly();

  await studio.startTraining();
  await studio.waitForState('running', 120_000);
  await studio.id('train.cancel').click();
  await studio.waitForState('idle', 10_000);
  await expect(studio.id('metrics.epoch')).toHaveAttribute('data-value', '0');
  // The fresh worker gets the backend and the model again by itself.
  await expect(studio.id('train.backend')).toHaveAttribute('data-value', 'wasm', { timeout: 60_000 });
  await expect(studio.id('train.start')).toBeEnabled({ timeout: 120_000 });

  await studio.startTraining();
  await expect(studio.id('metrics.epoch')).not.toHaveAttribute('data-value', '0', { timeout: 300_000 });
  await studio.id('train.stop').click();
  await studio.waitForState('done', 300_000);
  const epochs = Number(await studio.id('metrics.epoch').getAttribute('data-value'));
  expect(epochs).toBeGreaterThanOrEqual(1);
  expect(epochs).toBeLessThan(500);
  await expect(studio.id('eval.accuracy')).toBeVisible();
  // Stop keeps the trained model, not a fresh one: after ≥ 1 epoch of 77 single-image steps this run
  // reaches 0.80 accuracy (chance 0.25) and validation loss 0.71 from 1.40 before training (×0.51).
  expect(Number(await studio.id('eval.accuracy').getAttribute('data-value'))).toBeGreaterThanOrEqual(0.4);
  const valLoss = Number(await studio.id('metrics.val-loss').getAttribute('data-value'));
  const initialLoss = Number(await studio.id('metrics.val-loss-initial').getAttribute('data-value'));
  expect(valLoss).toBeGreaterThan(0); // an empty data-value would read as 0
  expect(valLoss).toBeLessThan(0.8 * initialLoss);
  await expect(studio.id('export.tfjs')).toBeEnabled();
  await page.locator('#step-train').screenshot({ path: '/tmp/shots/7-stopped.png' });
});
