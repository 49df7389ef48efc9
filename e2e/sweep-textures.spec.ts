import { writeFileSync } from 'node:fs';
import { strFromU8, zipSync } from 'fflate';
import * as tf from '@tensorflow/tfjs';
import { makeTextures, textureEntries } from '../scripts/textures.mjs';
import { loadExportedModel } from './export-model';
import { test, expect } from './fixtures';

/**
 * The sweep check on data the studio was not built around: 200 photo-like textures in four
 * classes (grass, sand, water, bark; scripts/textures.mjs: random white balance and saturation, so
 * colour alone does not tell them apart), 64 px. A run with every default, then a 6-trial sweep over
 * learning rate, dropout and input size: the
 * best trial is at least as good as the default run, every run is in the comparison view, and the best
 * trial's exported model classifies 100 textures it never saw at ≥ 0.8 (chance 0.25).
 */
test('a 6-trial sweep on 200 photo-like textures matches the default run, and its best model classifies unseen images', async ({
  studio,
  page,
}, info) => {
  test.setTimeout(20 * 60_000);
  const zip = info.outputPath('textures.zip');
  writeFileSync(zip, zipSync(textureEntries({ perClass: 50, size: 64, seed: 31 })));

  await studio.open('?backend=wasm');
  await expect(studio.id('train.backend')).toHaveAttribute('data-value', 'wasm', { timeout: 120_000 });
  await studio.waitForModel();
  await studio.addFiles([zip]);
  await expect(studio.summary).toHaveAttribute('data-images', '200');
  await expect(studio.summary).toHaveAttribute('data-classes', '4');

  await studio.startTraining();
  await studio.waitForState('done');
  const defaultAcc = Number(await studio.id('metrics.val-accuracy').getAttribute('data-value'));
  expect(defaultAcc).toBeGreaterThan(0.25);

  const panel = studio.id('sweep.panel');
  await panel.scrollIntoViewIfNeeded();
  await studio.setNumber('sweep.trials', 6);
  // The input size varies too, beside the learning rate and dropout.
  await studio.id('sweep.size.on').check();
  await studio.setNumber('sweep.size.choices', '96, 128');
  await expect(studio.id('sweep.start')).toBeEnabled({ timeout: 60_000 });
  await studio.id('sweep.start').click();
  await expect(studio.id('sweep.status')).toHaveAttribute('data-state', 'done', { timeout: 15 * 60_000 });
  await expect(page.getByRole('alert')).toHaveCount(0);
  const best = Number(await studio.id('sweep.best').getAttribute('data-value'));
  expect(best).toBeGreaterThanOrEqual(defaultAcc);
  await expect(page.locator('[data-testid="sweep.trial"]')).toHaveCount(6);
  const sizes = await studio
    .id('runs.compare')
    .locator('[data-testid="runs.row"]:not([data-sweep-trial=""]) [data-testid="runs.cell.imageSize"]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-value')));
  expect(new Set(sizes)).toEqual(new Set(['96', '128']));

  // The default run and the six trials, each a row of the comparison view.
  await expect(studio.id('runs.compare').locator('[data-testid="runs.row"]')).toHaveCount(7, { timeout: 30_000 });
  await page.locator('#step-train').screenshot({ path: '/tmp/shots/sweep-textures.png' });

  await studio.id('sweep.apply').click();
  const files = await studio.exportZip();
  const meta = JSON.parse(strFromU8(files['metadata.json'] as Uint8Array)) as {
    labels: string[];
    imageSize: number;
    inputRange: [number, number];
    metrics: { history: { valAccuracy: number }[] };
  };
  const model = await loadExportedModel(files);
  const unseen = makeTextures({ perClass: 25, size: 64, seed: 9031 });
  const [lo, hi] = meta.inputRange;
  let correct = 0;
  for (const img of unseen.images) {
    const p = tf.tidy(() => {
      const x = tf.image.resizeBilinear(tf.tensor3d(img.rgb, [64, 64, 3]).toFloat().div(255) as tf.Tensor3D, [
        meta.imageSize,
        meta.imageSize,
      ]);
      return (
        model.predict(
          x
            .mul(hi - lo)
            .add(lo)
            .expandDims(0),
        ) as tf.Tensor
      )
        .argMax(-1)
        .dataSync()[0];
    });
    if (meta.labels[p ?? -1] === img.label) correct++;
  }
  const unseenAcc = correct / unseen.images.length;
  info.annotations.push({
    type: 'accuracy',
    description: `default ${defaultAcc}, sweep best ${best}, best trial's export on unseen ${unseenAcc}`,
  });
  expect(unseenAcc).toBeGreaterThanOrEqual(0.8);
  model.dispose();
});
