/**
 * A run handed to PyTorch (export.job), as one process and as two, side by side on this machine
 * (after `npm run build`: `node bench/job-scaling.mjs`; writes bench/job-results.json).
 *
 * The browser half drives the BUILT studio through its UI: `/?backend=wasm&seed=1`, image
 * classification, e2e/fixtures/digits.zip (scripts/make-digits.mjs, 4 classes × 40, 96 px, seed 5),
 * input 96 px, `--epochs` epochs, the top two blocks of MobileNetV2 and the head training (so every
 * step all-reduces real gradients), then `export.job`. The Node half runs the downloaded job with
 * Debian's python3 and torch (scripts/job-runner.mjs: K ranks with the variables torchrun sets, gloo
 * on loopback, one thread each), alternating 1 and 2 processes `--repeats` times, and reads each
 * OUT/metrics.jsonl: seconds per epoch (median over epochs and repeats), final validation accuracy and
 * training loss. Then it scores each 2-process model.zip on 60 digits no run saw (seed 9001) in plain
 * tfjs, and each last checkpoint's validation accuracy with the trained batch-norm layers on their
 * moving statistics and on the batch's own. On a CPU the two processes share the cores one process
 * would use, so the ratio measures what DDP costs here, not what GPUs gain.
 *
 *   node bench/job-scaling.mjs [--epochs 4] [--repeats 2]
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { id, nodeTfWasm, openDownload, waitAttr, waitEnabled, withBuiltStudio } from './ui-harness.mjs';
import { PYTHON, readMetrics, runJob, unpackJob } from '../scripts/job-runner.mjs';
import { makeDigits } from '../scripts/make-digits.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const EPOCHS = arg('--epochs', 4);
const REPEATS = arg('--repeats', 2);
const SIZE = 96;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function exportThroughUi(browser, origin, root) {
  const page = await browser.newPage({ acceptDownloads: true });
  try {
    await page.goto(`${origin}/?backend=wasm&seed=1`);
    await id(page, 'freeze.trainable-params').waitFor({ state: 'visible', timeout: 180_000 });
    await id(page, 'dataset.file-input').setInputFiles(join(root, 'e2e/fixtures/digits.zip'));
    await waitAttr(page, 'dataset.summary', 'data-images', '160', 120_000);
    await id(page, 'hp.image-size').selectOption(String(SIZE));
    await id(page, 'hp.epochs').fill(String(EPOCHS));
    await id(page, 'freeze.preset.top-blocks').click();
    await waitEnabled(page, 'export.job', 120_000);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 300_000 }), id(page, 'export.job').click()]);
    return new Uint8Array(readFileSync(await download.path()));
  } finally {
    await page.close();
  }
}

/**
 * Validation accuracy of a run's last checkpoint with the batch-norm layers that trained normalising
 * by their moving statistics (inference, as the studio and the export run them) and by the validation
 * batch's own statistics: a gap says the moving averages lag the weights (Keras' momentum 0.999).
 */
function batchNormGap(job, out) {
  const code = [
    'import sys, json, torch',
    `sys.path.insert(0, ${JSON.stringify(job)})`,
    'import train',
    `job = train.Job(${JSON.stringify(job)}, verify=False)`,
    `job.model.load_state_dict(torch.load(${JSON.stringify(join(out, 'checkpoint.pt'))})['model'])`,
    "val = job.dataset('val')",
    'xs, ys = zip(*(val[i] for i in range(len(val))))',
    'x, y = job.to_input(torch.stack(xs)), torch.tensor(ys)',
    "trains = set(job.config['trainable'])",
    'def accuracy(batch_stats):',
    '    job.model.eval()',
    '    for name, m in job.model.layers.items():',
    '        if batch_stats and isinstance(m, train.BatchNorm) and name in trains: m.train()',
    '    with torch.no_grad(): return float((job.model(x).argmax(-1) == y).float().mean())',
    'print(json.dumps({"moving": accuracy(False), "batch": accuracy(True)}))',
  ].join('\n');
  const run = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

async function unseenAccuracy(tf, zipBytes) {
  const { model, metadata } = await openDownload(tf, zipBytes);
  const unseen = makeDigits({ perClass: 15, size: SIZE, seed: 9001 }).images;
  const [lo, hi] = metadata.inputRange;
  const px = new Float32Array(unseen.length * SIZE * SIZE * 3);
  unseen.forEach((img, n) =>
    img.grey.forEach((v, p) => px.fill(lo + ((hi - lo) * v) / 255, (n * SIZE * SIZE + p) * 3, (n * SIZE * SIZE + p) * 3 + 3)),
  );
  const probs = model.predict(tf.tensor4d(px, [unseen.length, SIZE, SIZE, 3]));
  const predicted = Array.from(await probs.argMax(-1).data());
  return predicted.filter((p, i) => metadata.labels[p] === unseen[i].label).length / unseen.length;
}

await withBuiltStudio(4191, 'bench/job-scaling.mjs', process.argv.slice(2), async (browser, origin, about) => {
  if (!existsSync(join(about.root, 'e2e/fixtures/digits.zip')))
    spawnSync(process.execPath, [join(about.root, 'scripts/make-fixtures.mjs')]);
  const zip = await exportThroughUi(browser, origin, about.root);
  const job = unpackJob(zip);
  const config = JSON.parse(readFileSync(join(job, 'config.json'), 'utf8'));
  const tf = await nodeTfWasm();
  const runs = [];
  for (let r = 0; r < REPEATS; r++) {
    for (const procs of r % 2 ? [2, 1] : [1, 2]) {
      const out = mkdtempSync(join(tmpdir(), `job-bench-${procs}-`));
      const t0 = performance.now();
      const ranks = await runJob(job, out, { procs });
      const wall = (performance.now() - t0) / 1000;
      const failed = ranks.find((x) => x.code !== 0);
      if (failed) throw new Error(`rank ${failed.rank} of ${procs} exited ${failed.code}:\n${failed.output}`);
      const epochs = readMetrics(out).filter((m) => m.epoch > 0);
      const last = epochs[epochs.length - 1];
      runs.push({
        procs,
        repeat: r,
        wall_s: Math.round(wall * 10) / 10,
        epoch_s: epochs.map((m) => m.seconds),
        final_val_accuracy: last.val_accuracy,
        final_train_loss: last.train_loss,
        unseen_accuracy: procs === 2 ? await unseenAccuracy(tf, new Uint8Array(readFileSync(join(out, 'model.zip')))) : null,
        val_accuracy_by_batch_norm_statistics: batchNormGap(job, out),
      });
      console.log(`${procs} process(es), repeat ${r + 1}: ${wall.toFixed(1)} s, epochs ${epochs.map((m) => m.seconds).join(', ')} s`);
    }
  }
  const of = (procs) => runs.filter((x) => x.procs === procs);
  const summary = Object.fromEntries(
    [1, 2].map((procs) => [
      procs,
      {
        median_epoch_s: median(of(procs).flatMap((x) => x.epoch_s)),
        final_val_accuracy: of(procs).map((x) => x.final_val_accuracy),
        final_train_loss: of(procs).map((x) => x.final_train_loss),
      },
    ]),
  );
  const result = {
    about: {
      ...about,
      python: spawnSync(PYTHON, ['-c', 'import torch, sys; print(f"torch {torch.__version__}, Python {sys.version.split()[0]}")'], {
        encoding: 'utf8',
      }).stdout.trim(),
      cores: cpus().length,
      data: 'e2e/fixtures/digits.zip (scripts/make-digits.mjs, 4 classes × 40, 96 px, seed 5); unseen: 60 digits of seed 9001',
      run: {
        epochs: EPOCHS,
        imageSize: config.input.imageSize,
        batchSize: config.settings.batchSize,
        trainable: config.trainable.length,
        trainableParams: config.trainableParams,
        headLayer: config.settings.headLayer,
      },
    },
    runs,
    summary,
    epoch_time_ratio_1_over_2: Math.round((summary[1].median_epoch_s / summary[2].median_epoch_s) * 100) / 100,
  };
  writeFileSync(join(about.root, 'bench/job-results.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result.summary), 'ratio', result.epoch_time_ratio_1_over_2);
});
