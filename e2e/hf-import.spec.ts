/**
 * Issue 13: a Hugging Face GPT-2 folder imported through `model.import-files` (the committed tiny
 * checkpoint of src/test/fixtures/hf/tiny-gpt2). Before training it writes the PyTorch reference's
 * greedy continuation; LoRA adapters (the default for an import) fine-tune it on text of a new
 * style; `export.hf` downloads a Hugging Face folder whose merged weights, imported again in Node,
 * write the same greedy text as the studio after training. Bad folders get alerts, and the model
 * loaded before stays.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { test, expect } from './fixtures';
import { lmJsGenerate } from './lmjs';
import { recipes } from './text-data';
import { readHfModel } from '../src/models/hf/import';
import { createTextModel, disposeTextModel, generateText } from '../src/text/text-model';

const DIR = fileURLToPath(new URL('../src/test/fixtures/hf/tiny-gpt2', import.meta.url));
const FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'model.safetensors'];
const fixture = (names = FILES) => names.map((n) => path.join(DIR, n));

/** The text the PyTorch reference's greedy ids for `prompt` decode to (the first 12 tokens). */
async function referenceGreedy(prompt: string): Promise<string> {
  const reference = JSON.parse(readFileSync(path.join(DIR, 'reference.json'), 'utf8')) as {
    models: { 'model.safetensors': { cases: Array<{ ids: number[]; greedy: number[] }> } };
  };
  const hf = await readHfModel(FILES.map((n) => ({ name: n, blob: new Blob([readFileSync(path.join(DIR, n))]) })));
  const ids = Array.from(hf.tokenizer.encode(prompt));
  const c = reference.models['model.safetensors'].cases.find((x) => x.ids.join() === ids.join());
  if (!c) throw new Error(`no reference case for ${prompt}`);
  return hf.tokenizer.decode(c.greedy);
}

test('import a GPT-2 folder: greedy text equals the reference, LoRA lowers the loss, export.hf writes what the studio wrote', async ({
  studio,
  page,
}, testInfo) => {
  const corpus = testInfo.outputPath('recipes.txt');
  writeFileSync(corpus, recipes(80));
  await studio.open('?backend=wasm&seed=2');
  await studio.id('task.text-generation').click();
  await studio.waitForModel();
  await studio.addFiles([corpus]);
  await studio.id('model.import-files').setInputFiles(fixture());
  await expect(studio.id('model.loaded')).toHaveAttribute('data-source', 'hf');
  await expect(studio.id('model.loaded')).toHaveAttribute('data-params', '11968');
  await expect(studio.id('model.option.imported')).toBeVisible();
  // LoRA on the fused attention projection by default: 2 blocks × rank 8 × (16 + 48).
  await expect(studio.id('lora.enabled')).toBeChecked();
  await expect(studio.id('lora.params')).toHaveAttribute('data-value', String(2 * 8 * (16 + 48)));
  await expect(studio.id('freeze.trainable-params')).toHaveAttribute('data-value', String(2 * 8 * (16 + 48)));
  await studio.setNumber('lora.rank', 4);
  await expect(studio.id('lora.params')).toHaveAttribute('data-value', String(2 * 4 * (16 + 48)));
  await studio.setNumber('lora.rank', 8);
  await studio.id('lora.target.mlp.fc').check();
  await expect(studio.id('lora.params')).toHaveAttribute('data-value', String(2 * 8 * (16 + 48) + 2 * 8 * (16 + 64)));
  await page.locator('#step-model').screenshot({ path: testInfo.outputPath('hf-model-step.png') });

  // Before training: the pre-trained model writes, greedy, exactly what PyTorch's GPT-2 wrote.
  await studio.id('generate.prompt').fill('Call me Ishmael.');
  await studio.setNumber('generate.temperature', 0);
  await studio.setNumber('generate.max-tokens', 12);
  await studio.id('generate.run').click();
  await expect(studio.id('generate.run')).toBeEnabled({ timeout: 60_000 });
  await expect(studio.id('generate.output')).toHaveText(`Call me Ishmael.${await referenceGreedy('Call me Ishmael.')}`);

  await studio.setNumber('hp.epochs', 6);
  await studio.setNumber('hp.learning-rate', 0.01);
  await studio.startTraining();
  await studio.waitForState('done', 5 * 60_000);
  const initial = Number(await studio.id('metrics.val-loss-initial').getAttribute('data-value'));
  const final = Number(await studio.id('metrics.val-loss').getAttribute('data-value'));
  // Random weights on a recipe style: adapters alone cut the held-out loss by a quarter (6.16 → 4.6 in Node); broken ones would not move it.
  expect(final).toBeLessThan(initial * 0.85);

  await studio.id('generate.prompt').fill('Recipe 3: mix');
  await studio.id('generate.run').click();
  await expect(studio.id('generate.run')).toBeEnabled({ timeout: 60_000 });
  const written = ((await studio.id('generate.output').textContent()) ?? '').slice('Recipe 3: mix'.length);
  await page.screenshot({ path: testInfo.outputPath('hf-after.png'), fullPage: true });

  const files = await studio.exportZip('export.hf');
  expect(Object.keys(files).sort()).toEqual(
    [
      'README.md',
      'adapter_config.json',
      'adapter_model.safetensors',
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'studio-run.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ].sort(),
  );
  const record = JSON.parse(new TextDecoder().decode(files['studio-run.json'])) as {
    settings: { epochs: number; lora: { rank: number } };
    model: { source: string };
  };
  expect(record.settings.lora.rank).toBe(8);
  expect(record.model.source).toBe('hf');
  // The download, imported again outside the browser, writes what the studio wrote.
  await tf.setBackend('cpu');
  const again = await readHfModel(
    Object.entries(files).map(([name, data]) => ({ name, blob: new Blob([data as Uint8Array<ArrayBuffer>]) })),
  );
  const model = createTextModel(tf, again.saved, { task: 'text-generation', tied: true }, again.tokenizer);
  try {
    expect(await generateText(tf, model, 'Recipe 3: mix', { maxTokens: 12, temperature: 0, topK: 0, seed: 2 })).toBe(written);
  } finally {
    disposeTextModel(model);
  }

  // The TF.js download too (adapters merged, the imported tokenizer.json): its lm.js writes the same text.
  const tfjs = await studio.exportZip('export.tfjs');
  expect(Object.keys(tfjs)).toEqual(expect.arrayContaining(['model.json', 'weights.bin', 'tokenizer.json', 'lm.js']));
  expect(await lmJsGenerate(tfjs, 'Recipe 3: mix', { maxTokens: 12, temperature: 0 })).toBe(written);
});

test('bad model folders: each gets an alert naming the problem, and the loaded model stays', async ({ studio }, testInfo) => {
  await studio.open('?backend=wasm');
  await studio.id('task.text-generation').click();
  await studio.waitForModel();
  const loaded = studio.id('model.loaded');
  await expect(loaded).toHaveAttribute('data-source', 'bundled');
  const alert = studio.page.locator('[data-testid="model.import"] [role="alert"]');

  await studio.id('model.import-files').setInputFiles(fixture(['config.json', 'tokenizer.json']));
  await expect(alert).toContainText('model.safetensors is missing');
  await expect(loaded).toHaveAttribute('data-source', 'bundled');

  await studio.id('model.import-files').setInputFiles(fixture(['tokenizer.json', 'model.safetensors']));
  await expect(alert).toContainText('config.json is missing');

  const bert = testInfo.outputPath('config.json');
  writeFileSync(bert, JSON.stringify({ model_type: 'llama', hidden_size: 32 }));
  await studio.id('model.import-files').setInputFiles([bert, ...fixture(['tokenizer.json', 'model.safetensors'])]);
  await expect(alert).toContainText('model_type “llama”');

  const broken = testInfo.outputPath('model.safetensors');
  writeFileSync(broken, readFileSync(path.join(DIR, 'model.safetensors')).subarray(0, 4000));
  await studio.id('model.import-files').setInputFiles([...fixture(['config.json', 'tokenizer.json']), broken]);
  await expect(alert).toContainText('safetensors');
  await expect(loaded).toHaveAttribute('data-source', 'bundled');
  await expect(studio.id('model.option.text-lm')).toHaveAttribute('data-selected', 'true');
});

test('the image task’s model import takes a Hugging Face folder too, and opens text generation with it', async ({ studio }) => {
  await studio.open('?backend=wasm');
  await studio.waitForModel();
  await studio.id('model.import-files').setInputFiles(fixture());
  await expect(studio.id('model.loaded')).toHaveAttribute('data-source', 'hf', { timeout: 60_000 });
  await expect(studio.id('task.text-generation')).toHaveAttribute('aria-checked', 'true');
  await expect(studio.id('lora.enabled')).toBeChecked();
});

test('import a BERT folder: a 3-class classifier on its pooled output, evaluated, exported as a BertForSequenceClassification', async ({
  studio,
  page,
}, testInfo) => {
  const BERT = fileURLToPath(new URL('../src/test/fixtures/hf/tiny-bert', import.meta.url));
  const words = [
    ['sea', 'water', 'deep', 'voyage', 'winds'],
    ['land', 'city', 'country', 'stand', 'crowds'],
    ['money', 'purse', 'paying', 'passenger', 'passengers'],
  ];
  const filler = ['the', 'and', 'that', 'all', 'you', 'this', 'for', 'there', 'but', 'with', 'they', 'from'];
  const rows = ['text,label'];
  for (let i = 0; i < 40; i++) {
    words.forEach((w, label) => {
      const at = (k: number) => filler[(i * 7 + k * 3 + label) % filler.length];
      rows.push(`${at(0)} ${w[i % 5]} ${at(1)} ${at(2)} ${w[(i * 3 + 1) % 5]} ${at(3)},${['sea', 'land', 'money'][label]}`);
    });
  }
  const csv = testInfo.outputPath('topics.csv');
  writeFileSync(csv, rows.join('\n'));
  await studio.open('?backend=wasm&seed=3');
  await studio.id('task.text-classification').click();
  await studio.waitForModel();
  await studio.addFiles([csv]);
  await studio
    .id('model.import-files')
    .setInputFiles(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors'].map((n) => path.join(BERT, n)));
  await expect(studio.id('model.loaded')).toHaveAttribute('data-source', 'hf');
  await expect(studio.id('task.text-classification')).toHaveAttribute('aria-checked', 'true');
  await expect(studio.id('freeze.layer.pooler')).toBeVisible();
  await studio.id('freeze.preset.full').click();
  await studio.setNumber('hp.epochs', 12);
  await studio.startTraining();
  await studio.waitForState('done', 5 * 60_000);
  // 24 validation texts, chance 1/3: the topic words decide the label.
  expect(Number(await studio.id('eval.accuracy').getAttribute('data-value'))).toBeGreaterThanOrEqual(0.9);
  await page.screenshot({ path: testInfo.outputPath('bert-after.png'), fullPage: true });
  const files = await studio.exportZip('export.hf');
  const config = JSON.parse(new TextDecoder().decode(files['config.json'])) as {
    architectures: string[];
    id2label: Record<string, string>;
  };
  expect(config.architectures).toEqual(['BertForSequenceClassification']);
  expect(Object.values(config.id2label).sort()).toEqual(['land', 'money', 'sea']);
  expect(Object.keys(files)).toEqual(expect.arrayContaining(['model.safetensors', 'tokenizer.json', 'README.md', 'studio-run.json']));
});

test('a Hugging Face folder’s files dropped on the import zone load too', async ({ studio, page }) => {
  await studio.open('?backend=wasm');
  await studio.id('task.text-generation').click();
  await studio.waitForModel();
  const files = FILES.map((name) => ({ name, bytes: Array.from(readFileSync(path.join(DIR, name))) }));
  const data = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([new Uint8Array(f.bytes)], f.name));
    return dt;
  }, files);
  await studio.id('model.import-drop').dispatchEvent('drop', { dataTransfer: data });
  await expect(studio.id('model.loaded')).toHaveAttribute('data-source', 'hf');
  await expect(studio.id('model.loaded')).toHaveAttribute('data-params', '11968');
});
