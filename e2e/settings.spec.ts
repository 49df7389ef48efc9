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
  backend: string;
  run: { backends: string[]; trainable: string[]; trainableParams: number; seed: number };
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

  // Change what the screen shows before downloading: metadata.json comes from the worker's run record,
  // so it must still say what the worker trained with.
  await studio.setNumber('hp.epochs', 6);
  await studio.setNumber('hp.learning-rate', 0.02);
  await studio.openSection('optimisation');
  await studio.select('hp.optimizer', 'sgd');
  await expect(studio.id('export.drift')).toContainText('epochs 2 → 6');
  await expect(studio.id('export.drift')).toContainText('optimizer adamw → sgd');
  const files = await studio.exportZip();
  const meta = JSON.parse(strFromU8(files['metadata.json'] as Uint8Array)) as Recorded;
  const modelJson = JSON.parse(strFromU8(files['model.json'] as Uint8Array)) as {
    modelTopology: { config: { layers: { class_name: string; config: { batch_input_shape?: number[] } }[] } };
  };
  const inputShape = modelJson.modelTopology.config.layers.find((l) => l.class_name === 'InputLayer')?.config.batch_input_shape;
  expect(inputShape?.slice(1)).toEqual([96, 96, 3]);
  expect(meta.imageSize).toBe(96);
  expect(meta.backend).toBe('webgl');
  expect(meta.run.backends).toEqual(['webgl']);
  expect(meta.run.seed).toBe(3);
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
  // The layers that really trained, read off the model in the worker: block_16's layers with weights and the head.
  const withWeights = block16.filter((n) => /(conv|project|expand|depthwise|BN|bn)/i.test(n) && !/relu|pad/i.test(n));
  expect(withWeights.length).toBeGreaterThan(2);
  expect(meta.run.trainable).toEqual(expect.arrayContaining([...withWeights, 'head_dense']));
  expect(meta.run.trainable.every((n) => n === 'head_dense' || n.startsWith('block_16_'))).toBe(true);
  expect(meta.run.trainableParams).toBe(withBlock);
  console.log(`settings spec: training ${(trainMs / 1000).toFixed(1)} s, whole test ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
