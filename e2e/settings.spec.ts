import { join } from 'node:path';
import { strFromU8 } from 'fflate';
import { test, expect } from './fixtures';

const FIXTURES = join(process.cwd(), 'e2e/fixtures');

interface Recorded {
  settings: {
    learningRate: number;
    batchSize: number;
    epochs: number;
    imageSize: number;
    optimizer: string;
    weightDecay: number;
    labelSmoothing: number;
    mode: string;
    trainableLayers: string[];
    schedule: { kind: string };
    earlyStopping: { enabled: boolean };
    augmentation: { flip: boolean };
    useCache: boolean;
  };
  imageSize: number;
}

test('freezing and hyper-parameters flow into training and the exported metadata', async ({ studio, page }) => {
  const started = Date.now();
  await studio.open('?backend=webgl&seed=3');
  await expect(studio.id('train.backend')).toHaveAttribute('data-value', 'webgl', { timeout: 120_000 });
  await studio.waitForModel();
  await studio.addFiles([join(FIXTURES, 'tiny-shapes.zip')]);
  await expect(studio.summary).toHaveAttribute('data-images', '32', { timeout: 60_000 });
  // Auto picks a small input for tiny pictures.
  await expect(studio.id('hp.image-size')).toHaveValue('auto');
  await expect(studio.id('hp.image-size').locator('option[value="auto"]')).toHaveText(/Auto \(\d+ px for your images\)/);

  // Freezing: one block on, by its header checkbox.
  await studio.headOnly();
  const headOnly = await studio.trainableParams();
  const memoryHeadOnly = Number(await studio.id('freeze.memory').getAttribute('data-value'));
  await studio.id('freeze.block.block_16').check();
  const block16 = await studio.layersOfBlock('block_16');
  expect(block16.length).toBeGreaterThan(3);
  for (const name of block16) await expect(studio.id(`freeze.layer.${name}`)).toBeChecked();
  const withBlock = await studio.trainableParams();
  expect(withBlock).toBeGreaterThan(headOnly);
  expect(Number(await studio.id('freeze.memory').getAttribute('data-value'))).toBeGreaterThan(memoryHeadOnly);
  await expect(studio.id('freeze.from-block-text')).toContainText('block_16');
  await page.locator('#step-model').screenshot({ path: '/tmp/shots3/settings-model.png' });

  // Everyday settings.
  await studio.setImageSize(96);
  await studio.setNumber('hp.batch-size', 8);
  await studio.setNumber('hp.epochs', 2);
  await studio.setNumber('hp.learning-rate', 0.002);

  // Advanced settings, each in its section.
  await studio.openSection('optimisation');
  await studio.select('hp.optimizer', 'adamw');
  await studio.setNumber('hp.weight-decay', 2);
  await expect(page.getByRole('alert').filter({ hasText: 'Weight decay must be' })).toBeVisible();
  await expect(studio.id('train.start')).toBeDisabled();
  await studio.setNumber('hp.weight-decay', 0.01);
  await expect(page.getByRole('alert').filter({ hasText: 'Weight decay must be' })).toHaveCount(0);
  await studio.openSection('regularisation');
  await studio.setNumber('hp.label-smoothing', 0.1);
  await studio.openSection('schedule');
  await studio.select('hp.schedule', 'cosine');
  await expect(studio.id('hp.schedule-plot')).toBeVisible();
  await studio.openSection('stopping');
  await studio.id('hp.early-stopping').check();
  await studio.openSection('augmentation');
  await studio.id('augment.flip').check();
  await expect(studio.id('augment.preview')).toHaveAttribute('data-count', '8', { timeout: 60_000 });
  await expect(studio.id('augment.preview').locator('img')).toHaveCount(8);
  await page.locator('#step-train').screenshot({ path: '/tmp/shots3/settings-train-before.png' });

  const trainStart = Date.now();
  await studio.startTraining();
  await studio.waitForState('done', 8 * 60_000);
  const trainMs = Date.now() - trainStart;
  await expect(studio.id('metrics.epoch')).not.toHaveAttribute('data-value', '0');
  await page.locator('#step-train').screenshot({ path: '/tmp/shots3/settings-train-done.png' });

  const files = await studio.exportZip();
  const meta = JSON.parse(strFromU8(files['metadata.json'] as Uint8Array)) as Recorded;
  expect(meta.imageSize).toBe(96);
  expect(meta.settings).toMatchObject({
    learningRate: 0.002,
    batchSize: 8,
    epochs: 2,
    imageSize: 96,
    optimizer: 'adamw',
    weightDecay: 0.01,
    labelSmoothing: 0.1,
    mode: 'fine-tune',
    schedule: { kind: 'cosine' },
    earlyStopping: { enabled: true },
    augmentation: { flip: true },
    useCache: true,
  });
  expect(meta.settings.trainableLayers).toEqual(expect.arrayContaining(block16));
  console.log(`settings spec: training ${(trainMs / 1000).toFixed(1)} s, whole test ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
