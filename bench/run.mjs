#!/usr/bin/env node
/* global window -- used inside page.evaluate, which runs in the browser */
/**
 * npm run bench: serves the built studio, drives headless Chromium (system /usr/bin/chromium) through
 * bench.html, and compares the studio's training with a plain model.fit baseline on the same data,
 * model, frozen layers, batch size and backend, side by side in one page. Runs every case of
 * bench/cases.mjs, writes bench/results.json and prints the Markdown table the README shows.
 * Also the sweep (bench/sweep.mjs), segmentation quality (bench/seg-quality.mjs → bench/seg-results.json)
 * and LoRA (bench/lora.ts).
 * Options: --cases a,b (a subset; results.json then says so)  --skip-build  --backend webgl|webgpu|wasm|cpu
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { CHROMIUM_FLAGS, chromiumPath } from '../scripts/browser.mjs';
import { CASES, DEFAULT_BACKEND } from './cases.mjs';
import { isComplete, markdown, summarizeCase } from './table.mjs';
import { benchSweep, sweepMarkdown, writeSweepResults } from './sweep.mjs';
import { benchSegQuality, segQualityMarkdown, writeSegResults } from './seg-quality.mjs';
import { makeSegSample } from '../scripts/make-seg-sample.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const PORT = 4179;

const backend = opt('backend', DEFAULT_BACKEND);
const skipBuild = args.includes('--skip-build');
// `sweep` and `seg-quality` are measured through the studio's UI (bench/sweep.mjs, bench/seg-quality.mjs),
// not bench.html; `lora` in Node (bench/lora.ts).
const allIds = [...CASES.map((c) => c.id), 'sweep', 'seg-quality', 'lora'];
const wanted = opt('cases', allIds.join(',')).split(',').filter(Boolean);
const unknown = wanted.filter((id) => !allIds.includes(id));
if (unknown.length) {
  console.error(`bench: unknown case ${unknown.join(', ')}; the cases are ${allIds.join(', ')}`);
  process.exit(2);
}
const command =
  process.env.npm_lifecycle_event === 'bench'
    ? `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`
    : `node bench/run.mjs ${args.join(' ')}`.trim();

const git = (...a) => spawnSync('git', a, { cwd: root, encoding: 'utf8' }).stdout?.trim() ?? '';
// The commit measured; "dirty" when tracked code differs from it (results.json, this script's output, aside).
const commit = git('rev-parse', 'HEAD');
const dirty = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)bench/results.json') !== '';

if (!skipBuild || !existsSync(join(root, 'dist/bench.html'))) {
  const b = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

const server = spawn(
  process.execPath,
  [join(root, 'node_modules/vite/bin/vite.js'), 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
process.on('exit', () => server.kill());
await new Promise((resolve, reject) => {
  const t = setTimeout(() => reject(new Error('vite preview did not start')), 30_000);
  server.stdout.on('data', (d) => {
    if (String(d).includes(String(PORT))) {
      clearTimeout(t);
      resolve();
    }
  });
});

const browser = await chromium.launch({
  executablePath: chromiumPath(),
  args: [...CHROMIUM_FLAGS],
});
const browserName = `headless Chromium ${browser.version()}`;
const cases = [];
let sweep = null;
let segQuality = null;

/** A segmentation case's image–mask pairs, made here (the generator needs Node): PNG files and class maps, base64. */
function segPairs(c) {
  const sample = makeSegSample({ count: c.images, size: c.imageSize, seed: 1 });
  const b64 = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return { classes: sample.classes, pairs: sample.items.map((it) => ({ image: b64(it.imagePng), mask: b64(it.mask) })) };
}
try {
  for (const id of wanted) {
    const c = CASES.find((x) => x.id === id);
    if (!c) continue;
    const spec = { ...c, backend: c.backend ?? backend, ...(c.task === 'image-segmentation' ? segPairs(c) : {}) };
    const page = await browser.newPage();
    page.on('console', (m) => process.env.BENCH_VERBOSE && console.log(`[page] ${m.text()}`));
    await page.goto(`http://127.0.0.1:${PORT}/bench.html`);
    await page.waitForFunction(() => typeof window.runBenchCase === 'function');
    process.stdout.write(`bench: ${id} on ${spec.backend} at ${spec.imageSize} px … `);
    let raw;
    try {
      raw = await page.evaluate((s) => window.runBenchCase(s), spec);
    } catch (err) {
      const error = err.message.split('\n')[0];
      raw = { ...spec, pairs: undefined, preset: spec.preset.kind, trainable_blocks: [], studio: { error }, baseline: { error } };
    }
    const r = summarizeCase(raw);
    const side = (perEpoch, total, error) => (error ? `failed (${error})` : `${perEpoch} ms/epoch, ${total} ms in all`);
    console.log(
      `studio ${side(r.studio_ms_per_epoch, r.studio_total_ms, r.studio_error)}; baseline ${side(r.baseline_ms_per_epoch, r.baseline_total_ms, r.baseline_error)}`,
    );
    cases.push(r);
    await page.close();
  }
  if (wanted.includes('sweep')) {
    process.stdout.write('bench: sweep of 6 trials against one full run, WASM … ');
    try {
      sweep = await benchSweep(browser, `http://127.0.0.1:${PORT}`);
      writeSweepResults(writeFileSync, join(root, 'bench/sweep-results.json'), sweep, {
        command,
        commit,
        machine: cpus()[0]?.model ?? 'cpu',
        browser: browserName,
      });
      console.log(`${sweep.sweep_ms} ms against 6 × ${sweep.full_run_ms} ms (${sweep.sweep_vs_trials_times_full}×)`);
    } catch (err) {
      sweep = { error: err.message.split('\n')[0] };
      console.log(`failed (${sweep.error})`);
    }
  }
  if (wanted.includes('seg-quality')) {
    process.stdout.write('bench: seg-quality, the studio UI with every default on the cells sample (WASM), its download scored in Node … ');
    try {
      segQuality = await benchSegQuality(browser, `http://127.0.0.1:${PORT}`, join(root, 'bench/out/seg-quality.zip'));
      writeSegResults(writeFileSync, join(root, 'bench/seg-results.json'), segQuality, {
        command,
        commit,
        dirty,
        machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${process.platform}`,
        browser: browserName,
      });
      console.log(`foreground mean IoU ${segQuality.held_out.foreground_mean_iou} on ${segQuality.held_out.count} held-out pairs`);
    } catch (err) {
      segQuality = { error: err.message.split('\n')[0] };
      console.log(`failed (${segQuality.error})`);
    }
  }
} finally {
  await browser.close();
  server.kill();
}

let lora = null;
if (wanted.includes('lora')) {
  console.log('bench: LoRA against full fine-tuning of one GPT-2-format model, WASM in Node (bench/lora.ts) …');
  const run = spawnSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'bench/lora.ts')], {
    cwd: root,
    encoding: 'utf8',
  });
  if (run.status === 0) {
    lora = JSON.parse(readFileSync(join(root, 'bench/lora-results.json'), 'utf8'));
    console.log(
      run.stdout
        .split('\n')
        .filter((l) => l.startsWith('|'))
        .join('\n'),
    );
  } else {
    lora = { error: (run.stderr || run.stdout).trim().split('\n').pop() };
    console.log(`failed (${lora.error})`);
  }
}

const tfjs = JSON.parse(readFileSync(join(root, 'node_modules/@tensorflow/tfjs/package.json'), 'utf8')).version;
const results = {
  generated_by: 'bench/run.mjs',
  command,
  options: { cases: wanted, backend, skip_build: skipBuild },
  cases_run: wanted,
  all_cases: allIds,
  complete: isComplete(wanted, allIds),
  date: new Date().toISOString(),
  git: { commit, dirty },
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${process.platform}`,
  browser: browserName,
  tfjs,
  node: process.version,
  measures: {
    ms_per_epoch: 'mean milliseconds of the epochs after the first (the first also compiles shaders)',
    speedup: 'baseline_ms_per_epoch / studio_ms_per_epoch',
    studio_total_ms: 'from sending the train command until it resolves: resizing, decoding, the frozen-prefix cache, every epoch',
    baseline_total_ms:
      'in the baseline worker, from right after the model is loaded to the end of its last epoch: resizing, decoding, the pixel tensors, every epoch',
    total_speedup: 'baseline_total_ms / studio_total_ms',
    studio_prepare_ms: 'from sending the train command until the first training step; studio_cache_ms is the cache part of it',
    baseline_prepare_ms: 'from right after the model is loaded until model.fit starts',
  },
  cases,
  sweep,
  seg_quality: segQuality,
  lora,
};
writeFileSync(join(root, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
const wrote = ['bench/results.json', ...(segQuality && !segQuality.error ? ['bench/seg-results.json'] : [])];
console.log(`\n${markdown(results)}\n\n${sweepMarkdown(sweep)}\n\n${segQualityMarkdown(segQuality)}\n\nwrote ${wrote.join(', ')}`);
