import { test, expect } from './fixtures';

const EPOCHS = 20;

test('a lost WebGL context is reported, and the run finishes on the backend the person picks', async ({ studio, page }) => {
  await studio.startLongRun('?backend=webgl&seed=6', 'webgl', EPOCHS);

  // A real loss: WEBGL_lose_context on the worker's context. The call is answered (ok: the extension
  // was there) or, when the loss ends the worker first, rejected with the worker; the alert is the check.
  const lost = await page.evaluate(() =>
    (window as unknown as { __studioTest: { loseDevice(): Promise<{ ok: boolean }> } }).__studioTest.loseDevice().then(
      (r) => (r.ok ? 'lost' : 'no-extension'),
      () => 'worker-ended',
    ),
  );
  expect(['lost', 'worker-ended']).toContain(lost);
  const notice = studio.id('train.crash-notice');
  await expect(notice).toContainText(/WebGL backend lost its WebGL context/, { timeout: 30_000 });
  await expect(notice).toHaveAttribute('role', 'alert');
  await expect(studio.status).toHaveAttribute('data-state', 'paused');
  const savedAt = Number(await studio.id('metrics.epoch').getAttribute('data-value'));
  expect(savedAt).toBeGreaterThanOrEqual(1);
  await page.locator('#step-train').screenshot({ path: '/tmp/shots6/device-lost.png' });

  await studio.id('train.recover.wasm').click();
  await expect(studio.id('train.backend')).toHaveAttribute('data-value', 'wasm', { timeout: 120_000 });
  await studio.waitForState('done');
  await expect(studio.id('metrics.epoch')).toHaveAttribute('data-value', String(EPOCHS));
  await expect(studio.id('train.crash-notice')).toHaveCount(0);
  // 20 epochs on 20 validation images of 4 shapes (chance 0.25): this run reaches 0.55 accuracy and
  // lowers validation loss from 1.52 to 0.89 (×0.59). The run went on from its checkpoint, so it must
  // have kept learning: bars well above chance and a clear fall from the untrained model.
  const acc = Number(await studio.id('eval.accuracy').getAttribute('data-value'));
  expect(acc).toBeGreaterThanOrEqual(0.4);
  const valLoss = Number(await studio.id('metrics.val-loss').getAttribute('data-value'));
  const initialLoss = Number(await studio.id('metrics.val-loss-initial').getAttribute('data-value'));
  expect(valLoss).toBeGreaterThan(0); // an empty data-value would read as 0
  expect(valLoss).toBeLessThan(0.8 * initialLoss);
});
