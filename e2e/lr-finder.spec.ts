import { join } from 'node:path';
import { test, expect } from './fixtures';

const SAMPLE = join(process.cwd(), 'public/samples/shapes');

/**
 * The learning-rate range test in the browser, on the built-in sample, head only on WASM: it draws
 * its curve, suggests a rate, one click applies it, and the trained model it ran beside predicts
 * exactly as before (the test puts every weight back). The suggestion is then checked the way a
 * person would: a short run at it lowers the validation loss far more than a run at a rate 1000×
 * lower, side by side.
 */
test('the learning-rate finder suggests a rate that trains, and leaves the trained model as it was', async ({ studio, page }) => {
  await studio.open('?backend=wasm&seed=1');
  await studio.waitForModel();
  await studio.loadSample();
  await studio.setImageSize(96);
  await studio.headOnly();
  await studio.setNumber('hp.epochs', 2);
  await studio.setNumber('hp.learning-rate', 0.00001);

  // A first run at a rate 1000× too low: its drop in validation loss is the reference.
  await studio.startTraining();
  await studio.waitForState('done');
  const drop = async () => {
    const initial = Number(await studio.id('metrics.val-loss-initial').getAttribute('data-value'));
    const final = Number(await studio.id('metrics.val-loss').getAttribute('data-value'));
    expect(final).toBeGreaterThan(0);
    return initial - final;
  };
  const lowDrop = await drop();
  await studio.id('predict.file-input').setInputFiles(join(SAMPLE, 'circle/circle-00.png'));
  const before = await studio.id('predict.result').getAttribute('data-probabilities');
  expect(before).toBeTruthy();

  await studio.id('lr-finder.run').click();
  const suggestion = studio.id('lr-finder.suggestion');
  await expect(suggestion).toBeVisible({ timeout: 5 * 60_000 });
  await expect(studio.id('lr-finder')).toHaveAttribute('data-state', 'done');
  const points = Number(await studio.id('lr-finder.chart').getAttribute('data-points'));
  expect(points).toBeGreaterThan(10);
  const lr = Number(await suggestion.getAttribute('data-value'));
  expect(lr).toBeGreaterThan(1e-5);
  expect(lr).toBeLessThan(1);
  await studio.id('lr-finder').scrollIntoViewIfNeeded();
  await studio.id('lr-finder').screenshot({ path: '/tmp/shots/lr-finder.png' });

  // The trained model beside it is untouched: the same image gets the same probabilities.
  await studio.id('predict.file-input').setInputFiles([]);
  await studio.id('predict.file-input').setInputFiles(join(SAMPLE, 'circle/circle-00.png'));
  await expect(studio.id('predict.result')).toHaveAttribute('data-probabilities', before as string);

  await studio.id('lr-finder.apply').click();
  await expect(studio.id('hp.learning-rate')).toHaveValue(String(lr));
  await studio.startTraining();
  await studio.waitForState('done');
  const suggestedDrop = await drop();
  // 2 epochs of the head at 1e-5 barely move the loss; at the suggestion it falls several times further.
  expect(suggestedDrop).toBeGreaterThan(3 * Math.max(lowDrop, 0.01));
  void page;
});
