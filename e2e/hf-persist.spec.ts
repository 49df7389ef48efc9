/**
 * Issue 13, after a reload: an imported Hugging Face model (the committed tiny GPT-2 of
 * src/test/fixtures/hf/tiny-gpt2) is kept in browser storage with the project and imported again on
 * its own when the page comes back. A LoRA run trained on it is listed, made current again, and
 * writes what it wrote before the reload (the pre-trained model, back alone, writes something
 * else); a run a reload interrupted resumes on it. Kept files that are gone or damaged are an alert,
 * and the bundled model loads instead.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import type { StudioPage } from './pages/StudioPage';
import { recipes } from './text-data';

const DIR = fileURLToPath(new URL('../src/test/fixtures/hf/tiny-gpt2', import.meta.url));
const FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'model.safetensors'];
const PROMPT = 'Recipe 3: mix';

/** The imported models kept in IndexedDB (src/storage/imported-models.ts): each one's name and file names. */
function keptModels(page: Page): Promise<{ name: string; files: string[] }[]> {
  return page.evaluate(
    () =>
      new Promise<{ name: string; files: string[] }[]>((resolve) => {
        const open = indexedDB.open('finetune-studio-imported-models');
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('models')) return resolve([]);
          const all = db.transaction('models').objectStore('models').getAll();
          all.onsuccess = () => {
            resolve(
              (all.result as { name: string; files: { name: string }[] }[]).map((m) => ({
                name: m.name,
                files: m.files.map((f) => f.name),
              })),
            );
            db.close();
          };
          all.onerror = () => resolve([]);
        };
        open.onerror = () => resolve([]);
      }),
  );
}

/** Opens the studio for text generation with the recipes, imports the tiny GPT-2 and waits until its files are kept; resolves with its name. */
async function importTinyGpt2(studio: StudioPage, corpus: string): Promise<string> {
  await studio.open('?backend=wasm&seed=2');
  await studio.id('task.text-generation').click();
  await studio.waitForModel();
  await expect(studio.id('model.loaded')).toHaveAttribute('data-source', 'bundled');
  await studio.addFiles([corpus]);
  await studio.id('model.import-files').setInputFiles(FILES.map((n) => path.join(DIR, n)));
  await expect(studio.id('model.loaded')).toHaveAttribute('data-source', 'hf');
  await expect(studio.id('lora.enabled')).toBeChecked();
  const name = (await studio.id('model.loaded').getAttribute('data-value')) ?? '';
  expect(name).not.toBe('');
  await expect.poll(() => keptModels(studio.page), { timeout: 30_000 }).toEqual([{ name, files: FILES }]);
  return name;
}

/** The greedy continuation of PROMPT (12 tokens) from the model the studio holds now. */
async function greedy(studio: StudioPage): Promise<string> {
  await studio.id('generate.prompt').fill(PROMPT);
  await studio.setNumber('generate.temperature', 0);
  await studio.setNumber('generate.max-tokens', 12);
  await studio.id('generate.run').click();
  await expect(studio.id('generate.run')).toBeEnabled({ timeout: 60_000 });
  await expect(studio.id('generate.output')).toContainText(PROMPT);
  return ((await studio.id('generate.output').textContent()) ?? '').slice(PROMPT.length);
}

test('an imported GPT-2 comes back after a reload: its LoRA run is listed, made current, and writes what it wrote', async ({
  studio,
  page,
}, testInfo) => {
  const corpus = testInfo.outputPath('recipes.txt');
  writeFileSync(corpus, recipes(80));
  const name = await importTinyGpt2(studio, corpus);
  await studio.setNumber('hp.epochs', 2);
  await studio.setNumber('hp.learning-rate', 0.01);
  await studio.startTraining();
  await studio.waitForState('done', 5 * 60_000);
  const trained = await greedy(studio);
  const rows = studio.id('runs.compare').getByTestId('runs.row');
  await expect(rows.first()).toHaveAttribute('data-status', 'done', { timeout: 60_000 });

  await page.reload();
  // The imported model is read back from browser storage and imported again, with no step from the person.
  await expect(studio.id('task.text-generation')).toHaveAttribute('aria-checked', 'true', { timeout: 60_000 });
  await expect(studio.id('model.loaded')).toHaveAttribute('data-source', 'hf', { timeout: 60_000 });
  await expect(studio.id('model.loaded')).toHaveAttribute('data-value', name);
  await expect(studio.id('model.loaded')).toHaveAttribute('data-params', '11968');
  await expect(studio.id('model.option.imported')).toBeVisible();
  await expect(studio.id('lora.enabled')).toBeChecked();
  await expect(page.getByRole('alert')).toHaveCount(0);
  // Back alone, the pre-trained model writes something else than the fine-tuned one did.
  const pretrained = await greedy(studio);
  expect(pretrained).not.toBe(trained);

  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-status', 'done');
  await rows.first().getByTestId('runs.use').click();
  await expect(rows.first()).toHaveAttribute('data-current', 'true', { timeout: 120_000 });
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(studio.id('metrics.epoch')).toHaveAttribute('data-value', '2');
  // The run's adapters on the imported model, restored: the same greedy text as before the reload.
  expect(await greedy(studio)).toBe(trained);
  await expect(studio.id('model.loaded')).toHaveAttribute('data-source', 'hf');

  // Back to the bundled model, and a reload: the bundled one comes back, as chosen, and the import
  // stays kept, so its run is made current again on it (a fresh worker: the worker cannot yet restore
  // a LoRA run over another LoRA model it holds, see the report of issue 13).
  await studio.id('model.use-bundled').click();
  await expect(studio.id('model.loaded')).toHaveAttribute('data-source', 'bundled', { timeout: 60_000 });
  await expect(rows.first()).toHaveAttribute('data-current', 'false');
  await page.reload();
  await expect(studio.id('model.loaded')).toHaveAttribute('data-source', 'bundled', { timeout: 60_000 });
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect.poll(() => keptModels(page)).toEqual([{ name, files: FILES }]);
  await rows.first().getByTestId('runs.use').click();
  await expect(rows.first()).toHaveAttribute('data-current', 'true', { timeout: 120_000 });
  await expect(studio.id('model.loaded')).toHaveAttribute('data-source', 'hf');
  await expect(studio.id('model.loaded')).toHaveAttribute('data-value', name);
  await expect(studio.id('lora.enabled')).toBeChecked();
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(await greedy(studio)).toBe(trained);
});

test('a run on an imported GPT-2 that a reload interrupted resumes on it from its checkpoint', async ({ studio, page }, testInfo) => {
  const corpus = testInfo.outputPath('recipes.txt');
  writeFileSync(corpus, recipes(80));
  const name = await importTinyGpt2(studio, corpus);
  // Many short batches, so the reload lands mid-run.
  const epochs = 40;
  await studio.setNumber('hp.epochs', epochs);
  await studio.setNumber('hp.batch-size', 1);
  await studio.startTraining();
  await expect(studio.id('runs.compare').getByTestId('runs.row').first()).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await expect.poll(() => studio.savedCheckpointEpochs(), { timeout: 5 * 60_000 }).toContainEqual(expect.any(Number));

  await page.reload();
  await expect(studio.id('model.loaded')).toHaveAttribute('data-source', 'hf', { timeout: 60_000 });
  await expect(studio.id('model.loaded')).toHaveAttribute('data-value', name);
  await studio.waitForState('paused', 60_000);
  const done = Number(await studio.id('metrics.epoch').getAttribute('data-value'));
  expect(done).toBeGreaterThanOrEqual(1);
  expect(done).toBeLessThan(epochs);

  await studio.id('train.resume').click();
  await studio.waitForState('running', 60_000);
  await expect(page.getByRole('alert')).toHaveCount(0);
  // It continues past the checkpoint (the run's epochs count on), on the imported model.
  await expect
    .poll(async () => Number(await studio.id('metrics.epoch').getAttribute('data-value')), { timeout: 120_000 })
    .toBeGreaterThan(done);
  await expect(studio.id('model.loaded')).toHaveAttribute('data-value', name);
  await studio.id('train.stop').click();
  await studio.waitForState('done', 120_000);
});

test('kept files that are gone or damaged: an alert says so, and the bundled model loads instead', async ({ studio, page }, testInfo) => {
  const corpus = testInfo.outputPath('recipes.txt');
  writeFileSync(corpus, recipes(20));
  const name = await importTinyGpt2(studio, corpus);

  // Damaged: the weights cut short (their recorded size too, so only the import itself can tell).
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('finetune-studio-imported-models');
        open.onsuccess = () => {
          const store = open.result.transaction('models', 'readwrite').objectStore('models');
          const all = store.getAll();
          all.onsuccess = () => {
            for (const m of all.result as { files: { name: string; blob: Blob; bytes: number }[] }[]) {
              for (const f of m.files) {
                if (f.name !== 'model.safetensors') continue;
                f.blob = f.blob.slice(0, 200);
                f.bytes = 200;
              }
              store.put(m);
            }
            store.transaction.oncomplete = () => resolve();
          };
        };
        open.onerror = () => reject(new Error('no database'));
      }),
  );
  await page.reload();
  await expect(page.getByRole('alert').filter({ hasText: name })).toContainText(
    /could not be loaded again.*bundled model is loaded instead/,
    {
      timeout: 60_000,
    },
  );
  await expect(studio.id('model.loaded')).toHaveAttribute('data-source', 'bundled', { timeout: 60_000 });
  // Nothing else is lost: the texts are still there.
  await expect(studio.summary).toHaveAttribute('data-images', '1');

  // Gone: imported again, then the kept copy deleted before the reload.
  await studio.id('model.import-files').setInputFiles(FILES.map((n) => path.join(DIR, n)));
  await expect(studio.id('model.loaded')).toHaveAttribute('data-source', 'hf');
  await expect.poll(() => keptModels(page), { timeout: 30_000 }).toEqual([{ name, files: FILES }]);
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const open = indexedDB.open('finetune-studio-imported-models');
        open.onsuccess = () => {
          const tx = open.result.transaction('models', 'readwrite');
          tx.objectStore('models').clear();
          tx.oncomplete = () => resolve();
        };
      }),
  );
  await page.reload();
  await expect(page.getByRole('alert').filter({ hasText: name })).toContainText(
    /no longer kept in this browser.*bundled model is loaded instead/,
    {
      timeout: 60_000,
    },
  );
  await expect(studio.id('model.loaded')).toHaveAttribute('data-source', 'bundled', { timeout: 60_000 });
  await expect(studio.summary).toHaveAttribute('data-images', '1');
});
