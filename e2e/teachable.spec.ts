import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { strFromU8, unzipSync } from 'fflate';
import { saveFiles } from '../src/test/model-files';
import { test, expect } from './fixtures';

const FIXTURES = join(process.cwd(), 'e2e/fixtures');

interface ModelJson {
  modelTopology: { config: { layers: { class_name: string; name: string }[] } };
  weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
}

/** model.json + weights.bin of an unzipped export, loaded with plain tf.loadLayersModel. */
function loadZipModel(files: Record<string, Uint8Array>): Promise<tf.LayersModel> {
  const json = JSON.parse(strFromU8(files['model.json'] as Uint8Array)) as ModelJson;
  const w = files['weights.bin'] as Uint8Array;
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology as unknown as tf.io.ModelJSON['modelTopology'],
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer,
    }),
  );
}

/** The weights of layer `name` (looking inside nested models), as plain arrays. */
async function weightsOf(model: tf.LayersModel, name: string): Promise<Float32Array[]> {
  for (const l of model.layers) {
    if (l.name === name) return Promise.all(l.getWeights().map(async (t) => (await t.data()) as Float32Array));
    const inner = (l as unknown as { layers?: unknown }).layers;
    if (Array.isArray(inner)) {
      const found = await weightsOf(l as unknown as tf.LayersModel, name).catch(() => null);
      if (found) return found;
    }
  }
  throw new Error(`no layer ${name}`);
}

function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let max = 0;
  a.forEach((w, i) => w.forEach((v, j) => (max = Math.max(max, Math.abs(v - (b[i]?.[j] ?? NaN))))));
  return max;
}

test.beforeAll(async () => {
  await tf.setBackend('cpu');
});

test('a Teachable Machine zip opens into its real layers: one inner layer trains, and the ONNX download agrees with the TF.js one', async ({
  studio,
  page,
}) => {
  await studio.open('?backend=wasm&seed=3');
  await studio.waitForModel();
  await studio.addFiles([join(FIXTURES, 'tiny-shapes.zip')]);
  await expect(studio.summary).toHaveAttribute('data-images', '32', { timeout: 60_000 });

  await studio.id('model.import').locator('summary').click();
  await studio.id('model.import-files').setInputFiles(join(FIXTURES, 'teachable-mobilenet-v2.zip'));
  await expect(studio.id('model.loaded')).toHaveAttribute('data-model', /^import-/, { timeout: 120_000 });
  await expect(studio.page.getByTestId('model.note').filter({ hasText: /sequential_1, sequential_3\) were opened/ })).toBeVisible();

  // The truncated MobileNet's own layers, by their model.json names — not one "sequential_1" row.
  for (const inner of ['Conv1', 'block_1_project_BN', 'block_16_project', 'Conv_1', 'Conv_1_bn', 'dense_Dense1']) {
    await expect(studio.id(`freeze.layer.${inner}`)).toBeAttached();
  }
  await expect(studio.id('freeze.layer.sequential_1')).toHaveCount(0);
  await expect(studio.id('freeze.layer.dense_Dense2')).toHaveCount(0); // TM's softmax Dense is the head
  await expect(studio.id('freeze.block.block_16')).toBeAttached();
  await expect(studio.id('freeze.preset.top-blocks')).toBeEnabled();
  await expect(studio.id('hp.image-size')).toHaveValue('96'); // from TM's metadata.json
  await expect(studio.id('model.loaded')).toHaveAttribute('data-params', /^[1-9]\d{5,}$/);
  await page.locator('#step-model').screenshot({ path: '/tmp/shots/teachable-model.png' });

  // One inner layer on: Conv_1_bn (after the last convolution, so WASM can train it).
  await studio.headOnly();
  const headOnly = await studio.trainableParams();
  await studio.id('freeze.layer.Conv_1_bn').check();
  await expect.poll(() => studio.trainableParams()).toBe(headOnly + 2 * 1280); // gamma and beta

  await studio.setNumber('hp.epochs', 1);
  await studio.startTraining();
  await studio.waitForState('done');
  await expect(studio.id('metrics.epoch')).toHaveAttribute('data-value', '1');

  const files = await studio.exportZip();
  const [download] = await Promise.all([page.waitForEvent('download'), studio.id('export.onnx').click()]);
  const onnxBytes = new Uint8Array(readFileSync(await download.path()));

  const modelJson = JSON.parse(strFromU8(files['model.json'] as Uint8Array)) as ModelJson;
  const metadata = JSON.parse(strFromU8(files['metadata.json'] as Uint8Array)) as {
    labels: string[];
    imageSize: number;
    settings: { trainableLayers?: string[] };
  };
  expect(metadata.settings.trainableLayers).toEqual(['Conv_1_bn']);
  const classes = modelJson.modelTopology.config.layers.map((l) => l.class_name);
  expect(classes).not.toContain('Sequential');
  expect(classes).not.toContain('Model');
  expect(classes.filter((c) => c === 'Conv2D' || c === 'DepthwiseConv2D')).toHaveLength(52);

  const tfjsModel = await loadZipModel(files);
  // Against the imported package: the inner layer that was on trained, the convolution below it did not.
  const imported = await loadZipModel(unzipSync(new Uint8Array(readFileSync(join(FIXTURES, 'teachable-mobilenet-v2.zip')))));
  expect(maxAbsDiff(await weightsOf(tfjsModel, 'Conv_1_bn'), await weightsOf(imported, 'Conv_1_bn'))).toBeGreaterThan(1e-6);
  expect(maxAbsDiff(await weightsOf(tfjsModel, 'Conv_1'), await weightsOf(imported, 'Conv_1'))).toBe(0);
  imported.dispose();
  const session = await ort.InferenceSession.create(onnxBytes, { executionProviders: ['wasm'] });
  const size = metadata.imageSize;
  const n = 4;
  const k = metadata.labels.length;
  const pixels = Float32Array.from({ length: n * size * size * 3 }, (_, j) => ((j * 29 + ((j * j) % 31)) % 255) / 127.5 - 1);
  const theirs = (
    (await session.run({ [session.inputNames[0] ?? 'input']: new ort.Tensor('float32', pixels, [n, size, size, 3]) }))[
      session.outputNames[0] ?? 'probabilities'
    ] as ort.Tensor
  ).data as Float32Array;
  const ours = await (tfjsModel.predict(tf.tensor4d(pixels, [n, size, size, 3])) as tf.Tensor).data();
  let maxDiff = 0;
  for (let i = 0; i < n; i++) {
    const a = Array.from(ours.subarray(i * k, (i + 1) * k));
    const b = Array.from(theirs.subarray(i * k, (i + 1) * k));
    expect(b.indexOf(Math.max(...b)), `top class of picture ${i}`).toBe(a.indexOf(Math.max(...a)));
    a.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - (b[j] ?? 0)))));
  }
  console.log(`TM import, fine-tuned: ONNX vs TF.js download on ${n} pictures, max |Δp| ${maxDiff.toExponential(2)}`);
  expect(maxDiff).toBeLessThan(1e-3);
  await session.release();
  tfjsModel.dispose();
});

test('a nested model without block names: its layers are listed, and "Top N blocks" is off with the reason shown', async ({
  studio,
}, testInfo) => {
  // Sequential[ functional 'model_1'[conv2d, batch_normalization, re_lu, conv2d_1, …, pooling], Dense softmax ]: Keras's own names.
  const input = tf.input({ shape: [32, 32, 3], name: 'input_1' });
  let x = input as tf.SymbolicTensor;
  for (const suffix of ['', '_1']) {
    x = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, name: `conv2d${suffix}` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ name: `batch_normalization${suffix}` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ name: `re_lu${suffix}` }).apply(x) as tf.SymbolicTensor;
  }
  x = tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(x) as tf.SymbolicTensor;
  const base = tf.model({ inputs: input, outputs: x, name: 'model_1' });
  const model = tf.sequential({ layers: [base, tf.layers.dense({ units: 3, activation: 'softmax', name: 'dense' })] });
  const files = await saveFiles(model, 'weights.bin');
  model.dispose();
  const jsonPath = testInfo.outputPath('model.json');
  const binPath = testInfo.outputPath('weights.bin');
  writeFileSync(jsonPath, files.json);
  writeFileSync(binPath, files.bin);

  await studio.open('?backend=wasm');
  await studio.waitForModel();
  await expect(studio.id('freeze.preset.top-blocks')).toBeEnabled(); // the bundled MobileNetV2 has blocks
  await studio.id('model.import').locator('summary').click();
  await studio.id('model.import-files').setInputFiles([jsonPath, binPath]);
  await expect(studio.id('model.loaded')).toHaveAttribute('data-model', /^import-/, { timeout: 60_000 });
  await expect(studio.id('freeze.layer.conv2d_1')).toBeAttached();
  await expect(studio.id('freeze.layer.model_1')).toHaveCount(0);
  await expect(studio.id('freeze.preset.top-blocks')).toBeDisabled();
  await expect(studio.id('freeze.preset.top-blocks-reason')).toBeVisible();
  await expect(studio.id('freeze.preset.top-blocks-reason')).toContainText('do not group into blocks');
  await expect(studio.id('freeze.preset.full')).toBeEnabled();
  await studio.page.locator('#step-model').screenshot({ path: '/tmp/shots/nested-no-blocks.png' });
});
