import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from './fixtures';

const SAMPLE_DIR = join(process.cwd(), 'public/samples/shapes');
const SHOTS = '/tmp/shots5';

test('evaluation: confusion cells open their images, try-it predicts, Explain draws a heat-map', async ({ studio, page }) => {
  mkdirSync(SHOTS, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(SAMPLE_DIR, 'manifest.json'), 'utf8')) as { classes: string[]; files: string[] };
  const classes = manifest.classes.length;

  await studio.open('?backend=wasm&seed=2');
  await studio.waitForModel();
  await studio.loadSample();
  await studio.setNumber('hp.epochs', 2);
  await studio.setImageSize(96);
  await studio.headOnly();
  await studio.startTraining();
  await studio.waitForState('done');
  await expect(studio.id('eval.confusion-matrix')).toBeVisible();
  await expect(studio.id('eval.class-metrics').locator('tbody tr')).toHaveCount(classes);
  await expect(studio.id('eval.curves')).toBeVisible();
  await expect(studio.id('eval.mistakes')).toBeVisible();

  // A non-empty cell (a mistake when there is one) opens exactly the images it counts.
  const cells = await studio.confusionCells();
  expect(cells).toHaveLength(classes * classes);
  const filled = cells.filter((c) => c.n > 0);
  const cell = filled.find((c) => c.row !== c.col) ?? filled[0];
  if (!cell) throw new Error('the confusion matrix is empty');
  const total = filled.reduce((n, c) => n + c.n, 0);
  expect(Number(await studio.id('eval.accuracy').getAttribute('data-value'))).toBeCloseTo(
    filled.filter((c) => c.row === c.col).reduce((n, c) => n + c.n, 0) / total,
    5,
  );
  await studio.id(`eval.cell.${cell.row}.${cell.col}`).click();
  const panel = studio.id('eval.cell-images');
  await expect(panel.getByTestId('eval.image')).toHaveCount(cell.n);
  await expect(panel.getByTestId('eval.image').first()).toContainText(manifest.classes[cell.row] as string);
  await expect(panel.getByTestId('eval.image').first()).toContainText(/\.png/);

  // Explain one of the cell's images.
  await panel.getByTestId('explain.toggle').first().click();
  const cellHeat = panel.getByTestId('explain.heatmap').first();
  await expect(cellHeat).toBeVisible({ timeout: 60_000 });
  const ink1 = await studio.canvasInk(cellHeat);
  expect(ink1.width).toBeGreaterThan(0);
  expect(ink1.painted).toBeGreaterThan(0);

  // Re-evaluating gives the same numbers (same model, same images).
  const acc = await studio.id('eval.accuracy').getAttribute('data-value');
  await studio.id('eval.rerun').click();
  await expect(studio.id('eval.rerun')).toBeEnabled();
  await expect(studio.id('eval.accuracy')).toHaveAttribute('data-value', acc ?? '');

  // Try it on a sample image, then explain it.
  await studio.id('predict.file-input').setInputFiles(join(SAMPLE_DIR, manifest.files[0] as string));
  const result = studio.id('predict.result');
  await expect(result).toBeVisible();
  const probs = JSON.parse((await result.getAttribute('data-probabilities')) ?? '[]') as number[];
  expect(probs).toHaveLength(classes);
  expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  await studio.id('predict.explain').click();
  const heat = page.locator('.tryit').getByTestId('explain.heatmap');
  await expect(heat).toBeVisible({ timeout: 60_000 });
  const ink = await studio.canvasInk(heat);
  expect(ink.width).toBeGreaterThan(0);
  expect(ink.height).toBeGreaterThan(0);
  expect(ink.painted).toBeGreaterThan(0);
  await page.locator('#step-evaluate').screenshot({ path: `${SHOTS}/evaluate.png` });

  // Pasting an image predicts it too.
  const pasted = manifest.files[manifest.files.length - 1] as string;
  await studio.pasteImage(`./samples/shapes/${pasted}`, 'pasted-shape.png');
  await expect(page.locator('.tryit')).toContainText('pasted-shape.png');
  await expect(result).toBeVisible();

  // The webcam (Chromium's fake camera here): one captured frame is predicted.
  await studio.id('predict.webcam').click();
  await expect(studio.id('predict.webcam-video')).toBeVisible();
  await expect.poll(() => studio.id('predict.webcam-video').evaluate((v) => (v as HTMLVideoElement).videoWidth)).toBeGreaterThan(0);
  await studio.id('predict.webcam-capture').click();
  await expect(page.locator('.tryit')).toContainText(/webcam-\d/);
});
