/* global document -- used inside page.waitForFunction, which runs in the browser */
/**
 * What the UI-driven measurements (bench/seg-quality.mjs, bench/audio-quality.mjs) share: locating
 * test ids, waiting on their attributes, and — for a measurement run alone — serving the built studio
 * and launching the system Chromium, with the machine and commit the results record.
 */

/** @param {import('@playwright/test').Page} page @param {string} testId */
export const id = (page, testId) => page.locator(`[data-testid="${testId}"]`);

/** Waits until the element with `testId` has `attr` equal to `value`. @param {import('@playwright/test').Page} page */
export async function waitAttr(page, testId, attr, value, timeout) {
  await page.waitForFunction(([t, a, v]) => document.querySelector(`[data-testid="${t}"]`)?.getAttribute(a) === v, [testId, attr, value], {
    timeout,
  });
}

/** Waits until the element with `testId` carries a number in `data-value`. @param {import('@playwright/test').Page} page */
export async function waitNumber(page, testId, timeout) {
  await page.waitForFunction((t) => /\d/.test(document.querySelector(`[data-testid="${t}"]`)?.getAttribute('data-value') ?? ''), testId, {
    timeout,
  });
}

/** Waits until the element with `testId` is not disabled. @param {import('@playwright/test').Page} page */
export async function waitEnabled(page, testId, timeout) {
  await page.waitForFunction((t) => !document.querySelector(`[data-testid="${t}"]`)?.hasAttribute('disabled'), testId, { timeout });
}

/** `data-value` of `testId` as a number, or null. @param {import('@playwright/test').Page} page */
export const numberAttr = async (page, testId) => {
  const v = await id(page, testId).getAttribute('data-value');
  return v === null || v === '' ? null : Number(v);
};

/**
 * A run through the studio's UI on WASM from the address bar to the TF.js download: `task` chosen, its
 * built-in sample (`items` examples), `prepare(page)` (a model, a preset), Train; once done,
 * `shown(page)` reads what the studio showed. Returns the zip's bytes, what was shown, and the times
 * (train_ms: from clicking Train to the done state; wall_ms: from opening the page to the download).
 * @param {import('@playwright/test').Browser} browser @param {string} origin
 */
export async function trainThroughUi(browser, origin, { task, items, prepare = async () => {}, shown, timeout }) {
  const { readFileSync } = await import('node:fs');
  const page = await browser.newPage({ acceptDownloads: true });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const t0 = performance.now();
  try {
    await page.goto(`${origin}/?backend=wasm&seed=1`);
    await id(page, `task.${task}`).click({ timeout: 60_000 });
    await id(page, 'freeze.trainable-params').waitFor({ state: 'visible', timeout: 180_000 });
    await prepare(page);
    await id(page, 'dataset.sample').click();
    await waitAttr(page, 'dataset.summary', 'data-items', String(items), 180_000);
    await waitEnabled(page, 'train.start', 120_000);
    const t1 = performance.now();
    await id(page, 'train.start').click();
    await waitAttr(page, 'train.status', 'data-state', 'done', timeout);
    const trainMs = performance.now() - t1;
    const seen = await shown(page);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), id(page, 'export.tfjs').click()]);
    const zip = new Uint8Array(readFileSync(await download.path()));
    return { zip, shown: seen, train_ms: Math.round(trainMs), wall_ms: Math.round(performance.now() - t0) };
  } catch (err) {
    const extra = errors.length ? ` (page errors: ${errors.slice(0, 3).join('; ')})` : '';
    throw new Error(`${err.message.split('\n')[0]}${extra}`, { cause: err });
  } finally {
    await page.close();
  }
}

/**
 * Serves the built studio (vite preview on `port`), launches the system Chromium, and calls
 * `measure(browser, origin, about)`; `about` says what ran it (command, commit, machine, browser).
 */
export async function withBuiltStudio(port, script, args, measure) {
  const { spawn, spawnSync } = await import('node:child_process');
  const { cpus, totalmem } = await import('node:os');
  const { dirname, join } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const { chromium } = await import('@playwright/test');
  const { CHROMIUM_FLAGS, chromiumPath } = await import('../scripts/browser.mjs');
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const server = spawn(
    process.execPath,
    [join(root, 'node_modules/vite/bin/vite.js'), 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  process.on('exit', () => server.kill());
  await new Promise((resolve) => server.stdout.on('data', (d) => String(d).includes(String(port)) && resolve()));
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_FLAGS] });
  const git = (...a) => spawnSync('git', a, { cwd: root, encoding: 'utf8' }).stdout?.trim() ?? '';
  try {
    return await measure(browser, `http://127.0.0.1:${port}`, {
      root,
      command: `node ${script}${args.length ? ` ${args.join(' ')}` : ''}`,
      commit: git('rev-parse', 'HEAD'),
      dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
      machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${process.platform}`,
      browser: `headless Chromium ${browser.version()}`,
    });
  } finally {
    await browser.close();
    server.kill();
  }
}

/** tfjs in Node on its WASM backend (as the quality measurements score downloads). */
export async function nodeTfWasm() {
  const tf = await import('@tensorflow/tfjs');
  const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
  const { fileURLToPath } = await import('node:url');
  setWasmPaths(fileURLToPath(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url)));
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!(await tf.setBackend('wasm'))) throw new Error("tfjs' WASM backend did not start in Node");
  await tf.ready();
  return tf;
}

/** A zip's entries by base name (entries may sit in one folder), and its model.json's model loaded with plain tf.loadLayersModel. */
export async function openDownload(tf, zipBytes) {
  const { strFromU8, unzipSync } = await import('fflate');
  const entries = unzipSync(zipBytes);
  const file = (name) => {
    const key = Object.keys(entries).find((k) => k === name || k.endsWith(`/${name}`));
    if (!key) throw new Error(`the download holds no ${name} (it has ${Object.keys(entries).join(', ')})`);
    return entries[key];
  };
  const metadata = JSON.parse(strFromU8(file('metadata.json')));
  const modelJson = JSON.parse(strFromU8(file('model.json')));
  const weightSpecs = modelJson.weightsManifest.flatMap((g) => g.weights);
  const chunks = modelJson.weightsManifest.flatMap((g) => g.paths.map((p) => file(p)));
  const weightData = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    weightData.set(c, offset);
    offset += c.length;
  }
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData: weightData.buffer }),
  );
  return { file, metadata, model };
}
