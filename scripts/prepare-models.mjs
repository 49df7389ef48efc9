#!/usr/bin/env node
// Turns the MobileNetV2 that the npm package `nsfwjs` ships (JS-wrapped TF.js Layers files)
// into a standard TF.js Layers model (model.json + weights.bin) served by the studio, without
// its original 5-class head. Also copies the tfjs WASM binaries next to it. No network.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync, readFileSync, existsSync, copyFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const NSFWJS_VERSION = '4.2.1';

function findPackageDir(name) {
  const dir = join(root, 'node_modules', name);
  if (!existsSync(join(dir, 'package.json'))) {
    throw new Error(`${name} is not installed; run npm install first`);
  }
  return dir;
}

/** Bytes one weight entry takes in the packed buffer. */
function entryBytes(w) {
  const n = w.shape.reduce((a, b) => a * b, 1);
  if (w.quantization) return n * (w.quantization.dtype === 'uint8' ? 1 : 2);
  return n * 4;
}

export function convertMobileNetV2(outDir) {
  const pkgDir = findPackageDir('nsfwjs');
  const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
  if (version !== NSFWJS_VERSION) {
    throw new Error(`nsfwjs ${version} found; the studio is pinned to ${NSFWJS_VERSION}`);
  }
  const src = join(pkgDir, 'dist/models/mobilenet_v2');
  const model = require(join(src, 'model.min.js'));
  const shard = require(join(src, 'group1-shard1of1.min.js'));
  const buffer = Buffer.from(shard, 'base64');

  const topology = model.modelTopology;
  const config = topology.model_config.config;
  const cutName = 'out_relu';
  const cutIndex = config.layers.findIndex((l) => l.name === cutName);
  if (cutIndex < 0) throw new Error(`layer ${cutName} not found in the nsfwjs MobileNetV2`);
  const kept = config.layers.slice(0, cutIndex + 1);
  const keptNames = new Set(kept.map((l) => l.name));
  // Every layer starts trainable; the studio's freezing policy decides what trains.
  for (const l of kept) l.config.trainable = true;
  config.layers = kept;
  config.output_layers = [[cutName, 0, 0]];
  config.name = 'mobilenet_v2_backbone';

  const manifest = model.weightsManifest[0];
  const weights = [];
  const chunks = [];
  let offset = 0;
  for (const w of manifest.weights) {
    const size = entryBytes(w);
    const layerName = w.name.split('/')[0];
    if (keptNames.has(layerName)) {
      weights.push(w);
      chunks.push(buffer.subarray(offset, offset + size));
    }
    offset += size;
  }
  if (offset !== buffer.length) {
    throw new Error(`weight manifest (${offset} bytes) does not match the shard (${buffer.length} bytes)`);
  }
  const data = Buffer.concat(chunks);
  const modelJson = {
    format: 'layers-model',
    generatedBy: `keras ${topology.keras_version}`,
    convertedBy: `finetune-studio scripts/prepare-models.mjs from nsfwjs@${version}`,
    modelTopology: {
      keras_version: topology.keras_version,
      backend: topology.backend,
      model_config: topology.model_config,
    },
    weightsManifest: [{ paths: ['weights.bin'], weights }],
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'model.json'), JSON.stringify(modelJson));
  writeFileSync(join(outDir, 'weights.bin'), data);
  return { layers: kept.length, weightBytes: data.length, weights: weights.length };
}

export function copyWasm(outDir) {
  const dir = join(findPackageDir('@tensorflow/tfjs-backend-wasm'), 'dist');
  mkdirSync(outDir, { recursive: true });
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    copyFileSync(join(dir, f), join(outDir, f));
  }
}

/** The bundled segmentation sample's generator options (scripts/make-seg-sample.mjs). */
export const CELLS_SAMPLE = { count: 200, size: 128, seed: 1 };
/** The generator's source files: a change to any of them makes the sample again. */
const CELLS_SOURCES = ['scripts/make-seg-sample.mjs', 'scripts/make-fixtures.mjs', 'scripts/png.mjs'];

/**
 * Writes the segmentation sample (images/NNN.png, masks/NNN.png, classes.txt, LICENSE.txt and
 * manifest.json) to `outDir`, only when it is missing, incomplete, or was made with other options
 * or another version of the generator; the manifest records both. Returns what it did.
 */
export async function prepareCellsSample(outDir = join(root, 'public/samples/cells'), options = CELLS_SAMPLE) {
  const started = performance.now();
  const source = createHash('sha256');
  for (const file of CELLS_SOURCES) source.update(readFileSync(join(root, file)));
  const generator = { script: CELLS_SOURCES[0], ...options, source: source.digest('hex').slice(0, 16) };
  const manifestPath = join(outDir, 'manifest.json');
  try {
    const old = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const same = JSON.stringify(old.generator) === JSON.stringify(generator);
    if (same && Array.isArray(old.files) && old.files.every((f) => existsSync(join(outDir, f)))) {
      return { written: false, manifest: old, ms: Math.round(performance.now() - started) };
    }
  } catch {
    // No manifest, or not one this step wrote: make the sample.
  }
  const { writeSegSample, LICENCE } = await import('./make-seg-sample.mjs');
  rmSync(outDir, { recursive: true, force: true });
  const written = writeSegSample(outDir, options);
  const manifest = { name: 'Cells (microscopy-like)', licence: LICENCE, classes: written.classes, files: written.files, generator };
  // Written last, so an interrupted run is made again next time.
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { written: true, manifest, ms: Math.round(performance.now() - started) };
}

/** The bundled audio sample's generator options (scripts/make-audio-sample.mjs). */
export const VOICES_SAMPLE = { voices: 12, clipsPerVoice: 6, seed: 1, firstVoice: 1 };
/** The generator's source files: a change to any of them makes the sample again. */
const VOICES_SOURCES = ['scripts/make-audio-sample.mjs', 'scripts/make-fixtures.mjs', 'scripts/wav.mjs'];

/**
 * Writes the speech-emotion sample (<class>/<voice>_<nn>.wav, LICENSE.txt, README.md and
 * manifest.json) to `outDir`, on the same terms as prepareCellsSample: only when it is missing,
 * incomplete, or was made with other options or another version of the generator.
 */
export async function prepareVoicesSample(outDir = join(root, 'public/samples/voices'), options = VOICES_SAMPLE) {
  const started = performance.now();
  const source = createHash('sha256');
  for (const file of VOICES_SOURCES) source.update(readFileSync(join(root, file)));
  const generator = { script: VOICES_SOURCES[0], ...options, source: source.digest('hex').slice(0, 16) };
  const manifestPath = join(outDir, 'manifest.json');
  const complete = (m) =>
    Array.isArray(m.files) && ['LICENSE.txt', 'README.md', ...m.files].every((f) => typeof f === 'string' && existsSync(join(outDir, f)));
  try {
    const old = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (JSON.stringify(old.generator) === JSON.stringify(generator) && complete(old)) {
      return { written: false, manifest: old, ms: Math.round(performance.now() - started) };
    }
  } catch {
    // No manifest, or not one this step wrote: make the sample.
  }
  const { writeAudioSample, AUDIO_CLASSES, LICENCE } = await import('./make-audio-sample.mjs');
  rmSync(outDir, { recursive: true, force: true });
  const written = writeAudioSample({ out: outDir, ...options });
  const manifest = {
    name: 'Voices (synthetic speech emotions)',
    licence: LICENCE,
    classes: AUDIO_CLASSES,
    // Paths, as the studio's sample loader reads them; each clip's voice and length beside.
    files: written.files.map((f) => f.path),
    clips: written.files,
    generator,
  };
  // Written last, so an interrupted run is made again next time.
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { written: true, manifest, ms: Math.round(performance.now() - started) };
}

/**
 * The from-scratch baseline network (scripts/make-scratch-cnn.mjs), built in a child process (it loads
 * tfjs) only when its files are missing or its generator changed.
 */
export function prepareScratchCnn(outDir = join(root, 'public/models/small-cnn')) {
  const source = createHash('sha256')
    .update(readFileSync(join(root, 'scripts/make-scratch-cnn.mjs')))
    .digest('hex')
    .slice(0, 16);
  const stamp = join(outDir, 'generator.txt');
  if (existsSync(join(outDir, 'weights.bin')) && existsSync(stamp)) {
    const [kept, params] = readFileSync(stamp, 'utf8').trim().split(' ');
    if (kept === source) return { params: Number(params), written: false };
  }
  const out = execFileSync(process.execPath, [join(root, 'scripts/make-scratch-cnn.mjs'), '--out', outDir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const params = Number(/(\d+) parameters/.exec(out)?.[1] ?? 0);
  writeFileSync(stamp, `${source} ${params}\n`);
  return { params, written: true };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const info = convertMobileNetV2(join(root, 'public/models/mobilenet-v2'));
  copyWasm(join(root, 'public/wasm'));
  console.log(
    `prepare-models: MobileNetV2 backbone, ${info.layers} layers, ${info.weights} weight tensors, ` +
      `${(info.weightBytes / 1e6).toFixed(2)} MB -> public/models/mobilenet-v2; tfjs WASM -> public/wasm`,
  );
  const sample = join(root, 'scripts/make-sample-data.mjs');
  if (existsSync(sample)) await import(sample).then((m) => m.main?.());
  const textSamples = join(root, 'scripts/make-text-samples.mjs');
  if (existsSync(textSamples)) await import(textSamples).then((m) => m.main?.());
  const cells = await prepareCellsSample();
  const { count, size, seed } = cells.manifest.generator;
  console.log(
    `prepare-models: segmentation sample, ${count} image-mask pairs, ${size}x${size}, seed ${seed} -> public/samples/cells ` +
      (cells.written ? `(${cells.ms} ms)` : '(up to date)'),
  );
  const scratch = prepareScratchCnn();
  console.log(`prepare-models: from-scratch small CNN, ${scratch.params} parameters (seeded, untrained) -> public/models/small-cnn`);
  const voices = await prepareVoicesSample();
  const audio = voices.manifest.generator;
  console.log(
    `prepare-models: audio sample, ${voices.manifest.files.length} clips (${audio.voices} voices × ${voices.manifest.classes.length} emotions × ` +
      `${audio.clipsPerVoice}), 16 kHz, seed ${audio.seed} -> public/samples/voices ` +
      (voices.written ? `(${voices.ms} ms)` : '(up to date)'),
  );
}
