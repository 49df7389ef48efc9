/**
 * Image segmentation's quality with every default, measured the way a person would get it (part of
 * `npm run bench` as case `seg-quality`; alone: `node bench/seg-quality.mjs` after `npm run build`).
 *
 * The browser half drives the BUILT studio through its UI: `/?backend=wasm&seed=1`, the segmentation
 * task, the built-in cells sample (200 image–mask pairs at 128 px, scripts/make-seg-sample.mjs seed 1),
 * every setting left at its default, Train, then the TF.js download. The Node half unzips that download
 * (fflate), loads model.json with plain `tf.loadLayersModel` (tfjs' WASM backend in Node), runs it on
 * 50 held-out pairs the studio never saw (the same generator, seed 1001) and counts, over every pixel
 * of the set, each class's IoU from the arg-max, the foreground mean IoU (classes 1…) and the pixel
 * accuracy. The arithmetic is written here, independent of the studio's metrics code. Beside them it
 * records what the studio itself showed (`metrics.val-iou`, `eval.mean-iou`) and the wall time, and
 * writes bench/seg-results.json.
 *
 *   node bench/seg-quality.mjs              the measurement (writes bench/seg-results.json; keeps the
 *                                           download as bench/out/seg-quality.zip, git-ignored)
 *   node bench/seg-quality.mjs --zip FILE   only the Node half, on a download you have (prints, writes nothing)
 */
import { readFileSync } from 'node:fs';
import { id, nodeTfWasm, numberAttr, openDownload, trainThroughUi, waitNumber, withBuiltStudio } from './ui-harness.mjs';

/** The held-out set: pictures from another seed than the built-in sample's (seed 1). */
export const HELD_OUT = { count: 50, size: 128, seed: 1001 };
const TRAIN_TIMEOUT = 40 * 60_000;
const PREDICT_CHUNK = 10;

/**
 * The browser half: the studio's UI from the address bar to the TF.js download, every default.
 * @param {import('@playwright/test').Browser} browser @param {string} origin
 */
export function trainSegThroughUi(browser, origin) {
  return trainThroughUi(browser, origin, {
    task: 'image-segmentation',
    items: 200,
    timeout: TRAIN_TIMEOUT,
    shown: async (page) => {
      await waitNumber(page, 'eval.mean-iou', 180_000);
      return {
        backend: await id(page, 'train.backend').getAttribute('data-value'),
        epochs: await numberAttr(page, 'metrics.epoch'),
        val_iou: await numberAttr(page, 'metrics.val-iou'),
        eval_mean_iou: await numberAttr(page, 'eval.mean-iou'),
      };
    },
  });
}

/** Pixels per [truth][predicted] over every pixel of every image (k × k, rows: the truth). */
export function confusionOf(truths, predicted, k) {
  const m = Array.from({ length: k }, () => new Array(k).fill(0));
  truths.forEach((t, i) => {
    const p = predicted[i];
    for (let j = 0; j < t.length; j++) m[t[j]][p[j]] += 1;
  });
  return m;
}

/**
 * From a set's confusion matrix: per class IoU = TP / (TP + FP + FN) (null when the class is neither in
 * the truth nor predicted), the foreground mean IoU over classes 1… that have one, and pixel accuracy.
 */
export function scoresOf(confusion) {
  const k = confusion.length;
  let right = 0;
  let total = 0;
  const iou = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c][c];
    let truth = 0;
    let pred = 0;
    for (let j = 0; j < k; j++) {
      truth += confusion[c][j];
      pred += confusion[j][c];
      total += confusion[c][j];
    }
    right += tp;
    const union = truth + pred - tp;
    iou.push(union > 0 ? tp / union : null);
  }
  const fg = iou.slice(1).filter((v) => v !== null);
  return {
    per_class_iou: iou,
    foreground_mean_iou: fg.length ? fg.reduce((s, v) => s + v, 0) / fg.length : null,
    pixel_accuracy: total ? right / total : null,
  };
}

const round4 = (x) => (x === null ? null : Math.round(x * 1e4) / 1e4);

/**
 * The Node half: a studio download (zip bytes) loaded with plain tf.loadLayersModel on tfjs' WASM
 * backend in Node, run on the held-out pairs; the scores from the arg-max.
 */
export async function evaluateZip(zipBytes, heldOut = HELD_OUT) {
  const { makeSegSample } = await import('../scripts/make-seg-sample.mjs');
  const tf = await nodeTfWasm();
  const { metadata, model } = await openDownload(tf, zipBytes);

  const size = heldOut.size;
  const [lo, hi] = metadata.inputRange ?? [0, 1];
  const inputSide = model.inputs[0]?.shape[1];
  if (metadata.imageSize !== size || inputSide !== size) {
    throw new Error(`the model takes ${inputSide} px (metadata: ${metadata.imageSize}); the held-out set is ${size} px`);
  }
  const labels = metadata.labels;
  const set = makeSegSample({ count: heldOut.count, size, seed: heldOut.seed });
  if (set.classes.join() !== labels.join())
    throw new Error(`the model's classes are ${labels.join(', ')}, the held-out set's ${set.classes.join(', ')}`);
  const k = labels.length;
  const per = size * size;
  const predicted = [];
  const t0 = performance.now();
  for (let start = 0; start < set.items.length; start += PREDICT_CHUNK) {
    const items = set.items.slice(start, start + PREDICT_CHUNK);
    const pixels = new Float32Array(items.length * per * 3);
    items.forEach((it, j) => {
      for (let q = 0; q < per * 3; q++) pixels[j * per * 3 + q] = (it.rgb[q] / 255) * (hi - lo) + lo;
    });
    const classes = tf.tidy(() => tf.argMax(model.predict(tf.tensor4d(pixels, [items.length, size, size, 3])), -1));
    const data = await classes.data();
    classes.dispose();
    items.forEach((_, j) => predicted.push(Uint8Array.from(data.subarray(j * per, (j + 1) * per))));
  }
  const predictMs = performance.now() - t0;
  model.dispose();
  const confusion = confusionOf(
    set.items.map((it) => it.mask),
    predicted,
    k,
  );
  const scores = scoresOf(confusion);
  return {
    metadata,
    held_out: {
      ...heldOut,
      generator: 'scripts/make-seg-sample.mjs',
      pixels: heldOut.count * per,
      per_class_iou: Object.fromEntries(labels.map((l, c) => [l, round4(scores.per_class_iou[c])])),
      foreground_mean_iou: round4(scores.foreground_mean_iou),
      pixel_accuracy: round4(scores.pixel_accuracy),
      confusion,
      predict_ms: Math.round(predictMs),
      backend: 'tfjs wasm in Node',
    },
  };
}

/** What a run's results file holds beside the numbers: the settings and the run as the download's metadata.json says. */
function fromMetadata(m) {
  return {
    settings: m.settings,
    loss: m.loss,
    backend: m.backend,
    trainable_params: m.run?.trainableParams ?? null,
    train_pairs: m.run?.data?.train?.count ?? null,
    val_pairs: m.run?.data?.val?.count ?? null,
    epochs_completed: m.metrics?.epochsCompleted ?? null,
    best_epoch: m.metrics?.bestEpoch ?? null,
    metadata_val_mean_iou: m.metrics?.valMeanIou ?? null,
  };
}

/**
 * The whole measurement: the browser half, then the Node half. `saveZipTo`: where to keep the
 * download (bench/out/, git-ignored), so `--zip` can score it again.
 * @param {import('@playwright/test').Browser} browser @param {string} origin @param {string | null} saveZipTo
 */
export async function benchSegQuality(browser, origin, saveZipTo = null) {
  const trained = await trainSegThroughUi(browser, origin);
  if (saveZipTo) {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const { dirname } = await import('node:path');
    mkdirSync(dirname(saveZipTo), { recursive: true });
    writeFileSync(saveZipTo, trained.zip);
  }
  const { metadata, held_out } = await evaluateZip(trained.zip);
  return {
    via: 'the studio UI',
    data: 'the built-in cells sample: 200 image–mask pairs at 128 px (scripts/make-seg-sample.mjs, seed 1), every setting at its default',
    run: fromMetadata(metadata),
    studio_showed: trained.shown,
    train_ms: trained.train_ms,
    wall_ms: trained.wall_ms,
    held_out,
    measures: {
      train_ms: 'from clicking Train to the done state (the cache, every epoch, the evaluation)',
      wall_ms: 'from opening the studio to the download saved',
      per_class_iou: 'TP / (TP + FP + FN) of the arg-max, counted over every pixel of the 50 held-out pictures',
      foreground_mean_iou: 'the mean of the per-class IoU over the foreground classes (all but background)',
      pixel_accuracy: 'pixels whose arg-max is their class, over every pixel of the held-out pictures',
      studio_showed:
        "metrics.val-iou (the last epoch's validation IoU) and eval.mean-iou (the evaluation of the validation split), as the studio's UI showed them",
    },
  };
}

/** The line(s) `npm run bench` prints under its table. */
export function segQualityMarkdown(r) {
  if (!r) return '';
  if (r.error) return `Segmentation quality: failed (${r.error})`;
  const h = r.held_out;
  const iou = Object.entries(h.per_class_iou)
    .map(([l, v]) => `${l} ${v}`)
    .join(', ');
  const shown = r.studio_showed;
  const four = (v) => (v === null || v === undefined ? '—' : String(Math.round(v * 1e4) / 1e4));
  return (
    `Segmentation quality (${r.data}; trained through ${r.via} on ${r.run.backend}, ${r.run.epochs_completed} epochs, ${(r.train_ms / 1000).toFixed(1)} s to train, ` +
    `${(r.wall_ms / 1000).toFixed(1)} s in all): on ${h.count} held-out pairs (seed ${h.seed}), the downloaded model in plain tfjs in Node scores ` +
    `foreground mean IoU **${h.foreground_mean_iou}**, pixel accuracy ${h.pixel_accuracy}; IoU per class: ${iou}. ` +
    `The studio showed validation mean IoU ${four(shown.val_iou)} (metrics.val-iou) and ${four(shown.eval_mean_iou)} (eval.mean-iou).`
  );
}

/** Writes the results with what produced them. */
export function writeSegResults(writeFileSync, path, result, about) {
  const out = { generated_by: 'bench/seg-quality.mjs', ...about, date: new Date().toISOString(), ...result };
  writeFileSync(path, `${JSON.stringify(out, null, 2)}\n`);
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const zipPath = opt('zip');
  if (zipPath) {
    const { held_out, metadata } = await evaluateZip(new Uint8Array(readFileSync(zipPath)));
    console.log(JSON.stringify({ zip: zipPath, run: fromMetadata(metadata), held_out }, null, 2));
    return;
  }
  await withBuiltStudio(4187, 'bench/seg-quality.mjs', args, async (browser, origin, about) => {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { root, ...rest } = about;
    const result = await benchSegQuality(browser, origin, join(root, 'bench/out/seg-quality.zip'));
    const path = join(root, 'bench/seg-results.json');
    writeSegResults(writeFileSync, path, result, rest);
    console.log(`${segQualityMarkdown(result)}\n\nwrote ${path.slice(root.length + 1)}`);
  });
}

if (process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href) await main();
