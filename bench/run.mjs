#!/usr/bin/env node
/* global window -- used inside page.evaluate, which runs in the browser */
/**
 * npm run bench: serves the built studio, drives headless Chromium (system /usr/bin/chromium) through
 * bench.html, and compares the studio's training with a plain model.fit baseline on the same data,
 * model, frozen layers, batch size and backend. Prints a table and writes bench/results.json.
 * Options: --cases head-only,top-blocks,full  --skip-build
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { chromiumPath } from '../scripts/browser.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const PORT = 4179;

// name, backend, image size, batch size, epochs, images. On WASM, tfjs 4.22's model.fit of a frozen
// MobileNetV2 aborts ("memory access out of bounds": no convolution gradients), so the baseline cannot
// run there; every case runs on WebGL (SwiftShader here: a software renderer, hence small sizes).
const BACKEND = opt('backend', 'webgl');
const CASES = {
  'head-only': ['head-only', BACKEND, 96, 8, 4, 32],
  'top-blocks': ['top-blocks', BACKEND, 224, 8, 3, 16],
  'top-blocks-96': ['top-blocks', BACKEND, 96, 8, 3, 32],
  full: ['full', BACKEND, 96, 8, 3, 32],
};
const wanted = opt('cases', 'head-only,top-blocks,full').split(',');

if (!args.includes('--skip-build') || !existsSync(join(root, 'dist/bench.html'))) {
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
  args: [
    '--no-sandbox',
    '--enable-unsafe-webgpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
const results = [];
try {
  for (const name of wanted) {
    const c = CASES[name];
    if (!c) throw new Error(`unknown case ${name}`);
    const page = await browser.newPage();
    page.on('console', (m) => process.env.BENCH_VERBOSE && console.log(`[page] ${m.text()}`));
    await page.goto(`http://127.0.0.1:${PORT}/bench.html`);
    await page.waitForFunction(() => typeof window.runBenchCase === 'function');
    process.stdout.write(`bench: ${name} on ${c[1]} at ${c[2]} px … `);
    try {
      const r = await page.evaluate((a) => window.runBenchCase(...a), c);
      console.log(`studio ${r.studio_ms_per_epoch} ms/epoch, baseline ${r.baseline_ms_per_epoch} ms/epoch`);
      results.push(r);
    } catch (err) {
      console.log(`failed: ${err.message.split('\n')[0]}`);
      results.push({ name, backend: c[1], error: err.message.split('\n')[0] });
    }
    await page.close();
  }
} finally {
  await browser.close();
  server.kill();
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, headless Chromium (${process.platform})`;
const out = { machine, date: new Date().toISOString(), cases: results };
writeFileSync(join(root, 'bench/results.json'), `${JSON.stringify(out, null, 2)}\n`);
const cols = [
  'name',
  'backend',
  'imageSize',
  'studio_ms_per_epoch',
  'baseline_ms_per_epoch',
  'speedup',
  'tensor_growth_per_epoch',
  'main_thread_long_tasks',
];
console.log(`\n| ${cols.join(' | ')} |\n|${cols.map(() => ' --- ').join('|')}|`);
for (const r of results) console.log(`| ${cols.map((c) => r[c]).join(' | ')} |`);
console.log(`\nmachine: ${machine}\nwrote bench/results.json`);
