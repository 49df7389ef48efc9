#!/usr/bin/env node
/* global document -- used inside page.evaluate, which runs in the browser */
/**
 * Measures importing 10,000 small images from one generated zip in the built studio (headless
 * Chromium): wall time until the dataset summary shows them all, and the peak JS heap of the page
 * (sampled every 100 ms through the DevTools protocol). Run after `npm run build`:
 *   node bench/import-10k.mjs [count]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { chromium } from '@playwright/test';
import { CHROMIUM_FLAGS, chromiumPath } from '../scripts/browser.mjs';
import { encodePng } from '../scripts/png.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const COUNT = Number(process.argv[2] ?? 10_000);
const PORT = 4181;

// 10 classes of 32×32 grey pictures, each different (a gradient with a class-dependent stripe).
const entries = {};
for (let i = 0; i < COUNT; i++) {
  const cls = i % 10;
  const px = new Uint8Array(32 * 32);
  for (let y = 0; y < 32; y++)
    for (let x = 0; x < 32; x++) px[y * 32 + x] = (x * 8 + y * 3 + i * 13 + (Math.floor((x + cls * 3) / 4) % 2) * 90) & 255;
  entries[`class-${cls}/img-${String(i).padStart(5, '0')}.png`] = new Uint8Array(encodePng(32, 32, px, 1));
}
const zipPath = join(mkdtempSync(join(tmpdir(), 'studio-10k-')), `images-${COUNT}.zip`);
const zip = zipSync(entries, { level: 0 });
writeFileSync(zipPath, zip);
console.log(`zip: ${COUNT} PNGs, ${(zip.length / 1e6).toFixed(1)} MB`);

const server = spawn(
  process.execPath,
  [join(root, 'node_modules/vite/bin/vite.js'), 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
);
process.on('exit', () => server.kill());
await new Promise((resolve) => server.stdout.on('data', (d) => String(d).includes(String(PORT)) && resolve()));

const browser = await chromium.launch({
  executablePath: chromiumPath(),
  args: [...CHROMIUM_FLAGS, '--enable-precise-memory-info'],
});
const page = await browser.newPage();
const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');
await page.goto(`http://127.0.0.1:${PORT}/?backend=wasm`);
await page.getByTestId('dataset.file-input').waitFor({ state: 'attached' });
const heap = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
const before = await heap();
let peak = before;
const timer = setInterval(
  () =>
    heap()
      .then((h) => (peak = Math.max(peak, h)))
      .catch(() => {}),
  100,
);
const started = Date.now();
await page.getByTestId('dataset.file-input').setInputFiles(zipPath);
await page.waitForFunction(
  (n) => document.querySelector('[data-testid="dataset.summary"]')?.getAttribute('data-images') === String(n),
  COUNT,
  { timeout: 30 * 60_000, polling: 250 },
);
const seconds = (Date.now() - started) / 1000;
clearInterval(timer);
const after = await heap();
console.log(
  `imported ${COUNT} images in ${seconds.toFixed(1)} s; JS heap before ${(before / 2 ** 20).toFixed(0)} MiB, peak ${(peak / 2 ** 20).toFixed(0)} MiB, after ${(after / 2 ** 20).toFixed(0)} MiB`,
);
await browser.close();
server.kill();
process.exit(0);
