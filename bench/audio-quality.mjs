/**
 * Audio classification's quality on voices never heard, measured the way a person would get it, for
 * the pre-trained MobileNetV2 reading spectrograms and for a small network trained from scratch on the
 * same data (after `npm run build`: `node bench/audio-quality.mjs`; writes bench/audio-results.json).
 *
 * The browser half drives the BUILT studio through its UI: `/?backend=wasm&seed=1`, the audio task,
 * the built-in voices sample (12 synthetic voices × 4 emotions × 6 clips, scripts/make-audio-sample.mjs
 * seed 1; its speaker key holds whole voices out for validation), then Train and the TF.js download —
 *   - `mobilenet-v2`: every setting at its default (the head on the frozen, cached MobileNetV2);
 *   - `small-cnn`: the catalog's from-scratch CNN, every layer trained (freeze.preset.full), the other
 *     settings at their defaults.
 * The Node half unzips each download, imports its own frontend.js, loads model.json with plain
 * `tf.loadLayersModel` (WASM in Node), and classifies 6 voices the sample never had (voice ids from
 * v101, seed 7: 144 clips), each clip the mean of its windows. It counts accuracy, per-class recall and
 * the unweighted average recall (UAR) itself, independent of the studio's metrics code.
 *
 *   node bench/audio-quality.mjs [--models mobilenet-v2,small-cnn]
 *   node bench/audio-quality.mjs --zip FILE     only the Node half, on a download you have (prints)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { id, nodeTfWasm, numberAttr, openDownload, trainThroughUi, waitAttr, waitNumber, withBuiltStudio } from './ui-harness.mjs';

/** The held-out voices: ids from v101, another seed than the sample's (seed 1, voices v01–v12). */
export const HELD_OUT = { voices: 6, clipsPerVoice: 6, seed: 7, firstVoice: 101 };
const TRAIN_TIMEOUT = 60 * 60_000;

export const MODELS = {
  'mobilenet-v2': { label: 'MobileNetV2 (pre-trained on ImageNet), head only, every default', preset: null },
  'small-cnn': {
    label: 'Small CNN from scratch (246k parameters), every layer trained, other settings default',
    preset: 'freeze.preset.full',
  },
};

/**
 * The browser half for one model: the studio's UI from the address bar to the TF.js download.
 * @param {import('@playwright/test').Browser} browser @param {string} origin @param {keyof typeof MODELS} modelId
 */
export function trainAudioThroughUi(browser, origin, modelId) {
  return trainThroughUi(browser, origin, {
    task: 'audio-classification',
    items: 288,
    timeout: TRAIN_TIMEOUT,
    prepare: async (page) => {
      if (modelId !== 'mobilenet-v2') {
        await id(page, `model.option.${modelId}`).click();
        await waitAttr(page, 'model.loaded', 'data-model', modelId, 180_000);
      }
      const preset = MODELS[modelId].preset;
      if (preset) await id(page, preset).click();
    },
    shown: async (page) => {
      await waitNumber(page, 'eval.uar', 180_000);
      return {
        backend: await id(page, 'train.backend').getAttribute('data-value'),
        epochs: await numberAttr(page, 'metrics.epoch'),
        val_accuracy_windows: await numberAttr(page, 'metrics.val-accuracy'),
        eval_accuracy: await numberAttr(page, 'eval.accuracy'),
        eval_uar: await numberAttr(page, 'eval.uar'),
        eval_macro_f1: await numberAttr(page, 'eval.macro-f1'),
      };
    },
  });
}

/** Accuracy, recall per class and their unweighted mean, from true and predicted class names. */
export function recallScores(labels, actual, predicted) {
  const confusion = labels.map((a) => labels.map((p) => actual.filter((x, i) => x === a && predicted[i] === p).length));
  const recall = labels.map((_, c) => {
    const n = confusion[c].reduce((s, v) => s + v, 0);
    return n ? confusion[c][c] / n : null;
  });
  const present = recall.filter((r) => r !== null);
  return {
    accuracy: actual.length ? actual.filter((a, i) => a === predicted[i]).length / actual.length : null,
    recall,
    uar: present.length ? present.reduce((s, v) => s + v, 0) / present.length : null,
    confusion,
  };
}

const round4 = (x) => (x === null ? null : Math.round(x * 1e4) / 1e4);

/** The Node half: the download's own frontend.js and model on the held-out voices. */
export async function evaluateZip(zipBytes, heldOut = HELD_OUT) {
  const { writeAudioSample } = await import('../scripts/make-audio-sample.mjs');
  const { parseWav } = await import('../scripts/wav.mjs');
  const tf = await nodeTfWasm();
  const { file, metadata, model } = await openDownload(tf, zipBytes);
  // frontend.js as a person gets it: an ES module of its own, in a package that says so.
  const dir = mkdtempSync(join(tmpdir(), 'audio-quality-'));
  writeFileSync(join(dir, 'frontend.js'), file('frontend.js'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const frontend = await import(pathToFileURL(join(dir, 'frontend.js')).href);
  const setDir = join(dir, 'held-out');
  const manifest = writeAudioSample({ out: setDir, ...heldOut });
  const labels = metadata.labels;
  const actual = [];
  const predicted = [];
  const t0 = performance.now();
  for (const f of manifest.files) {
    const wav = parseWav(new Uint8Array(readFileSync(join(setDir, f.path))));
    const { data, shape } = frontend.features(wav.channels[0], wav.sampleRate);
    const probs = tf.tidy(() => model.predict(tf.tensor(data, shape)).mean(0).dataSync());
    actual.push(f.label);
    predicted.push(labels[probs.indexOf(Math.max(...probs))]);
  }
  const predictMs = performance.now() - t0;
  model.dispose();
  const s = recallScores(labels, actual, predicted);
  return {
    metadata,
    held_out: {
      ...heldOut,
      generator: 'scripts/make-audio-sample.mjs',
      clips: manifest.files.length,
      voices_ids: [...new Set(manifest.files.map((f) => f.voice))],
      accuracy: round4(s.accuracy),
      uar: round4(s.uar),
      recall: Object.fromEntries(labels.map((l, c) => [l, round4(s.recall[c])])),
      confusion: s.confusion,
      predict_ms: Math.round(predictMs),
      backend: 'tfjs wasm in Node, with the download’s frontend.js',
    },
  };
}

function fromMetadata(m) {
  return {
    model: m.model?.id ?? null,
    settings: m.settings,
    backend: m.backend,
    trainable_params: m.run?.trainableParams ?? null,
    train_clips: m.run?.data?.train?.count ?? null,
    val_clips: m.run?.data?.val?.count ?? null,
    epochs_completed: m.metrics?.epochsCompleted ?? null,
    best_epoch: m.metrics?.bestEpoch ?? null,
    stopped_early: m.metrics?.stoppedEarly ?? null,
  };
}

/** One model's whole measurement: the browser half, then the Node half. */
export async function benchAudioModel(browser, origin, modelId, saveZipTo = null) {
  const trained = await trainAudioThroughUi(browser, origin, modelId);
  if (saveZipTo) writeFileSync(saveZipTo, trained.zip);
  const { metadata, held_out } = await evaluateZip(trained.zip);
  return {
    model: modelId,
    label: MODELS[modelId].label,
    run: fromMetadata(metadata),
    studio_showed: trained.shown,
    train_ms: trained.train_ms,
    wall_ms: trained.wall_ms,
    held_out,
  };
}

/** The Markdown table the README shows (one row per model). */
export function audioQualityMarkdown(results) {
  if (!results?.length) return '';
  const rows = results.map((r) =>
    r.error
      ? `| ${r.label ?? r.model} | failed: ${r.error} | | | | |`
      : `| ${r.label} | **${r.held_out.uar}** | ${r.held_out.accuracy} | ${r.studio_showed.eval_uar === null ? '—' : round4(r.studio_showed.eval_uar)} | ${r.run.epochs_completed} (${r.run.trainable_params?.toLocaleString('en')} trainable) | ${(r.train_ms / 1000).toFixed(0)} s |`,
  );
  return [
    '| Model | UAR, 6 unheard voices (144 clips) | accuracy there | UAR the studio showed (validation voices) | epochs | training time (WASM) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
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
  const models = (opt('models') ?? Object.keys(MODELS).join(',')).split(',');
  await withBuiltStudio(4188, 'bench/audio-quality.mjs', args, async (browser, origin, about) => {
    const { mkdirSync } = await import('node:fs');
    const { root, ...rest } = about;
    mkdirSync(join(root, 'bench/out'), { recursive: true });
    const results = [];
    for (const m of models) {
      process.stdout.write(`bench: audio-quality, ${m} through the studio UI on the voices sample (WASM) … `);
      try {
        const r = await benchAudioModel(browser, origin, m, join(root, `bench/out/audio-${m}.zip`));
        console.log(`UAR ${r.held_out.uar} on ${r.held_out.clips} clips of unheard voices (${(r.train_ms / 1000).toFixed(0)} s to train)`);
        results.push(r);
      } catch (err) {
        console.log(`failed (${err.message.split('\n')[0]})`);
        results.push({ model: m, label: MODELS[m]?.label, error: err.message.split('\n')[0] });
      }
    }
    const out = {
      generated_by: 'bench/audio-quality.mjs',
      ...rest,
      date: new Date().toISOString(),
      data: 'the built-in voices sample: 288 clips, 12 synthetic voices × 4 emotions (angry, happy, neutral, sad) × 6, 16 kHz (scripts/make-audio-sample.mjs, seed 1), split by voice',
      measures: {
        uar: 'unweighted average recall: the mean over the 4 classes of the share of their clips predicted as them, on the held-out voices, counted here',
        train_ms: 'from clicking Train to the done state (the frontend, the cache, every epoch, the evaluation)',
        studio_showed: 'what the studio’s evaluate step showed for its own validation voices (eval.uar, eval.accuracy, eval.macro-f1)',
      },
      results,
    };
    const path = join(root, 'bench/audio-results.json');
    writeFileSync(path, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`\n${audioQualityMarkdown(results)}\n\nwrote bench/audio-results.json`);
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
