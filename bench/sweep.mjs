/* global document -- used inside page.waitForFunction, which runs in the browser */
/**
 * The sweep's cost, measured through the studio's own UI in one page (part of `npm run bench`): the
 * built-in sample on WASM, head only. One run with every default, timed from Train to done; then a
 * 6-trial sweep (learning rate and dropout vary, successive halving), timed from Start to done; then
 * the learning-rate test. Reports total sweep time against 6 × the one full run, the epochs the trials
 * trained against 6 × the full run's, and whether the test's suggestion lies inside the learning rates
 * the sweep found good (trials whose first-rung accuracy is within 0.1 of the best first rung (two of its 20 validation images)).
 */

const TRIALS = 6;
const TIMEOUT = 20 * 60_000;

/** @param {import('@playwright/test').Page} page @param {string} testId */
const id = (page, testId) => page.locator(`[data-testid="${testId}"]`);

/** @param {import('@playwright/test').Page} page @param {string} testId @param {string} attr @param {string} value */
async function waitAttr(page, testId, attr, value) {
  await page.waitForFunction(([t, a, v]) => document.querySelector(`[data-testid="${t}"]`)?.getAttribute(a) === v, [testId, attr, value], {
    timeout: TIMEOUT,
  });
}

/** @param {import('@playwright/test').Browser} browser @param {string} origin */
export async function benchSweep(browser, origin) {
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/?backend=wasm`);
    await id(page, 'freeze.trainable-params').waitFor({ timeout: 120_000 });
    await id(page, 'dataset.sample').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="dataset.summary"]')?.getAttribute('data-images')) > 0);
    const images = Number(await id(page, 'dataset.summary').getAttribute('data-images'));

    await page.waitForFunction(() => !document.querySelector('[data-testid="train.start"]')?.hasAttribute('disabled'), null, {
      timeout: 120_000,
    });
    let t0 = performance.now();
    await id(page, 'train.start').click();
    await waitAttr(page, 'train.status', 'data-state', 'done');
    const fullMs = performance.now() - t0;
    const fullEpochs = Number(await id(page, 'metrics.epoch').getAttribute('data-value'));
    const fullAccuracy = Number(await id(page, 'metrics.val-accuracy').getAttribute('data-value'));

    await id(page, 'sweep.trials').fill(String(TRIALS));
    await page.waitForFunction(() => !document.querySelector('[data-testid="sweep.start"]')?.hasAttribute('disabled'), null, {
      timeout: 60_000,
    });
    t0 = performance.now();
    await id(page, 'sweep.start').click();
    await waitAttr(page, 'sweep.status', 'data-state', 'done');
    const sweepMs = performance.now() - t0;
    const trials = await page.locator('[data-testid="sweep.trial"]').evaluateAll((rows) =>
      rows.map((r) => ({
        trial: Number(r.getAttribute('data-trial')),
        state: r.getAttribute('data-state'),
        epochs: Number(r.getAttribute('data-epochs')),
        lr: Number(r.getAttribute('data-lr')),
        metrics: JSON.parse(r.getAttribute('data-metrics') ?? '[]'),
      })),
    );
    const best = Number(await id(page, 'sweep.best').getAttribute('data-value'));

    await id(page, 'lr-finder.run').click();
    await id(page, 'lr-finder.suggestion').waitFor({ timeout: TIMEOUT });
    const suggestion = Number(await id(page, 'lr-finder.suggestion').getAttribute('data-value'));

    const lrMin = Number(await id(page, 'sweep.lr.min').inputValue());
    const lrMax = Number(await id(page, 'sweep.lr.max').inputValue());
    const range = goodRange(trials, lrMin, lrMax);
    const trialEpochs = trials.reduce((n, t) => n + t.epochs, 0);
    return {
      data: `built-in sample, ${images} images`,
      backend: 'wasm',
      trials: TRIALS,
      full_run_ms: Math.round(fullMs),
      full_run_epochs: fullEpochs,
      full_run_val_accuracy: fullAccuracy,
      sweep_ms: Math.round(sweepMs),
      sweep_vs_trials_times_full: Number((sweepMs / (TRIALS * fullMs)).toFixed(3)),
      trial_epochs: trialEpochs,
      trial_epochs_vs_trials_times_full: Number((trialEpochs / (TRIALS * fullEpochs)).toFixed(3)),
      sweep_best_val_accuracy: best,
      trial_states: trials.map((t) => t.state),
      lr_suggestion: suggestion,
      good_trial_lrs: range.good,
      good_lr_range: range.bracket,
      lr_suggestion_in_good_range: suggestion > range.bracket[0] && suggestion < range.bracket[1],
      measures: {
        full_run_ms: 'one run with every default, from clicking Train to the done state (caching, 20 epochs, evaluation)',
        sweep_ms: 'from clicking Start sweep to the done state, every trial included',
        good_trial_lrs:
          'learning rates of the trials whose first-rung validation accuracy is within 0.1 of the best first rung (two of its 20 validation images)',
        good_lr_range:
          "the open interval around the good trials that holds no other trial: from the highest-rate trial below them to the lowest-rate one above them (the sweep's own bounds where there is none)",
      },
    };
  } finally {
    await page.close();
  }
}

/**
 * The learning rates a sweep found good: the trials whose first-rung accuracy (every trial has one) is
 * within 0.1 of the best, and the interval around them that no other trial falls in.
 */
export function goodRange(trials, lrMin, lrMax) {
  const scored = trials.filter((t) => typeof t.metrics[0] === 'number');
  const top = Math.max(...scored.map((t) => t.metrics[0]));
  const isGood = (t) => t.metrics[0] >= top - 0.1 - 1e-9;
  const good = scored.filter(isGood).map((t) => t.lr);
  const bad = scored.filter((t) => !isGood(t)).map((t) => t.lr);
  const [gLo, gHi] = [Math.min(...good), Math.max(...good)];
  if (bad.some((lr) => lr > gLo && lr < gHi)) return { good, bracket: [gLo, gHi] };
  const below = bad.filter((lr) => lr < gLo);
  const above = bad.filter((lr) => lr > gHi);
  return { good, bracket: [below.length ? Math.max(...below) : lrMin, above.length ? Math.min(...above) : lrMax] };
}

/** Markdown lines for the README. */
export function sweepMarkdown(s) {
  if (!s) return '';
  if (s.error) return `Sweep: failed (${s.error})`;
  return [
    `Sweep (${s.data}, ${s.backend}, head only): ${s.trials} trials in ${(s.sweep_ms / 1000).toFixed(1)} s against ${s.trials} × one full run ` +
      `(${(s.full_run_ms / 1000).toFixed(1)} s) = **${s.sweep_vs_trials_times_full}×**; the trials trained ${s.trial_epochs} epochs against ` +
      `${s.trials} × ${s.full_run_epochs} (${s.trial_epochs_vs_trials_times_full}×). Best trial ${s.sweep_best_val_accuracy}, the default run ${s.full_run_val_accuracy}.`,
    `Learning-rate test: suggests ${s.lr_suggestion}; the sweep's good trials ran at ${s.good_trial_lrs.map((x) => x.toPrecision(2)).join(', ')}, ` +
      `and no worse trial lies between ${s.good_lr_range.map((x) => x.toPrecision(2)).join(' and ')}: the suggestion is ${s.lr_suggestion_in_good_range ? 'inside' : 'outside'} that range.`,
  ].join('\n');
}

/**
 * `node bench/sweep.mjs` (after `npm run build`): serves dist/, runs the measurement above in headless
 * Chromium and writes bench/sweep-results.json. `npm run bench` runs it too, beside its other cases.
 */
async function main() {
  const { spawn, spawnSync } = await import('node:child_process');
  const { writeFileSync } = await import('node:fs');
  const { cpus } = await import('node:os');
  const { dirname, join } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const { chromium } = await import('@playwright/test');
  const { CHROMIUM_FLAGS, chromiumPath } = await import('../scripts/browser.mjs');
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const port = 4183;
  const server = spawn(
    process.execPath,
    [join(root, 'node_modules/vite/bin/vite.js'), 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  process.on('exit', () => server.kill());
  await new Promise((resolve) => server.stdout.on('data', (d) => String(d).includes(String(port)) && resolve()));
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_FLAGS] });
  try {
    const result = await benchSweep(browser, `http://127.0.0.1:${port}`);
    writeSweepResults(writeFileSync, join(root, 'bench/sweep-results.json'), result, {
      command: 'node bench/sweep.mjs',
      commit: spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim(),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
      browser: `headless Chromium ${browser.version()}`,
    });
    console.log(sweepMarkdown(result));
  } finally {
    await browser.close();
    server.kill();
  }
}

/** Writes the sweep's results with what produced them. */
export function writeSweepResults(writeFileSync, path, result, about) {
  const out = { generated_by: 'bench/sweep.mjs', ...about, date: new Date().toISOString(), ...result };
  writeFileSync(path, `${JSON.stringify(out, null, 2)}\n`);
}

if (process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href) await main();
