/**
 * How the image defaults do on the built-in sample, and on what alternatives: trains the bundled
 * MobileNetV2 in Node on WASM (the same engine as the studio's worker) on public/samples/shapes
 * with the studio's split, for each configuration named on the command line (or all), and prints
 * validation accuracy. `npx tsx scripts/defaults-study.ts [--data=sample,sample2,grey] [--seeds=42,1,2] [name ...]`
 * (each seed is also the split's: several seeds average over validation splits of 20 images).
 *
 * Head-only only: WASM (and Node) has no convolution gradients, and the cpu backend is far too slow
 * for fine-tuning MobileNetV2 blocks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createTrainingEngine } from '../src/engine/engine';
import { arraySource } from '../src/engine/sources';
import { DEFAULT_SETTINGS, type TrainSettings } from '../src/engine/types';
import { autoInputSize } from '../src/engine/autosize';
import { splitDataset } from '../src/data/split';
import { loadBundledBackbone } from '../src/test/bundled';
import { rebuildAtInputSize } from '../src/models/resize';
import { drawSample } from './make-sample-data.mjs';
import { createRng, makeGreyShapes } from './make-fixtures.mjs';

const root = join(import.meta.dirname, '..');
const SAMPLE = join(root, 'public/samples/shapes');

/** Our own PNGs (scripts/png.mjs): 8-bit, filter 0 on every row. */
function decodePng(bytes: Buffer): { width: number; height: number; rgb: Uint8Array } {
  let at = 8;
  let width = 0;
  let height = 0;
  let channels = 3;
  const idat: Buffer[] = [];
  while (at < bytes.length) {
    const len = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const data = bytes.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      channels = { 0: 1, 2: 3, 6: 4 }[data[9] as 0 | 2 | 6];
    } else if (type === 'IDAT') idat.push(data);
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    if (raw[y * (stride + 1)] !== 0) throw new Error('only filter 0 is read here');
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) rgb[(y * width + x) * 3 + c] = raw[y * (stride + 1) + 1 + x * channels + Math.min(c, channels - 1)]!;
  }
  return { width, height, rgb };
}

const AUG = { flip: true, cropScale: 0.8, rotationDeg: 15, brightness: 0.1, contrast: 0.1, variants: 4 };

const CONFIGS: Record<string, Partial<TrainSettings> & { size?: number; cut?: string }> = {
  defaults: {},
  'head-output': { headLayer: 'output' },
  'old-defaults': { headLayer: 'output', learningRate: 0.003, epochs: 10 },
  'head-block_12_add': { headLayer: 'block_12_add' },
  'size-224': { size: 224 },
  'size-160': { size: 160 },
  'size-128': { size: 128 },
  'lr-0.03': { learningRate: 0.03 },
  'lr-0.01': { learningRate: 0.01 },
  'lr-0.003': { learningRate: 0.003 },
  'lr-0.001': { learningRate: 0.001 },
  'lr-0.0003': { learningRate: 0.0003 },
  'epochs-20': { epochs: 20 },
  augment: { augmentation: AUG },
  'cut-block_13_expand_relu': { cut: 'block_13_expand_relu' },
  'cut-block_12_add': { cut: 'block_12_add' },
  'cut-block_9_add': { cut: 'block_9_add' },
  'cut-block_6_expand_relu': { cut: 'block_6_expand_relu' },
  'cut-block_13_expand_relu-160': { cut: 'block_13_expand_relu', size: 160 },
  'cut-block_12_add-160': { cut: 'block_12_add', size: 160 },
  'size-224-augment': { size: 224, augmentation: AUG },
};

/**
 * Not the studio's head: a linear softmax probe (Adam 0.003, dropout 0.2, 30 epochs, batch 16) on the
 * concatenated global-average-pooled outputs of several backbone layers (`probe:<size>:<layer>,<layer>…`),
 * to see whether multi-scale frozen features separate the sample better than the top layer alone.
 */
async function probe(spec: string, items: Item[], labels: string[], split: { train: string[]; val: string[] }) {
  const [, sizeText, layerText] = spec.split(':');
  const size = Number(sizeText);
  const layerNames = (layerText ?? 'out_relu').split(',');
  const full = await loadBundledBackbone();
  const bb = size === 224 ? full : await rebuildAtInputSize(tf, full, size);
  const fx = tf.model({ inputs: bb.inputs, outputs: layerNames.map((n) => bb.getLayer(n).output as tf.SymbolicTensor) });
  const byId = new Map(items.map((i) => [i.id, i]));
  const feats = (ids: string[]) =>
    tf.tidy(() => {
      const x = tf.stack(
        ids.map((id) => {
          const p = byId.get(id)!.png;
          return tf.image.resizeBilinear(
            tf.tensor3d(
              Float32Array.from(p.rgb, (v) => v / 255),
              [p.height, p.width, 3],
            ),
            [size, size],
          );
        }),
      );
      const out = fx.predict(x);
      return tf.concat(
        (Array.isArray(out) ? out : [out]).map((o) => tf.mean(o, [1, 2])),
        -1,
      );
    });
  const xTrain = feats(split.train);
  const xVal = feats(split.val);
  const yTrain = tf
    .oneHot(
      split.train.map((id) => labels.indexOf(byId.get(id)!.label)),
      labels.length,
    )
    .toFloat();
  const yVal = split.val.map((id) => labels.indexOf(byId.get(id)!.label));
  const m = tf.sequential();
  m.add(tf.layers.dropout({ rate: 0.2, inputShape: [xTrain.shape[1] as number], seed: 1 }));
  m.add(tf.layers.dense({ units: labels.length, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  m.compile({ optimizer: tf.train.adam(0.003), loss: 'categoricalCrossentropy' });
  await m.fit(xTrain, yTrain, { epochs: 30, batchSize: 16, verbose: 0, shuffle: false });
  const pred = (m.predict(xVal) as tf.Tensor).argMax(-1).dataSync();
  const acc = yVal.filter((y, i) => y === pred[i]).length / yVal.length;
  console.log(`${spec}: val acc ${acc.toFixed(3)}`);
}

type Item = { id: string; label: string; png: ReturnType<typeof decodePng> };

/**
 * The data a configuration is measured on: `sample` (the built-in sample), `sample2` (96 more pictures
 * from the sample's generator with another seed: same kind of data, other images) and `grey` (the
 * e2e fixtures' grey shapes with a cross instead of a star, 24 a class at 56 px).
 */
function dataset(name: string): { items: Item[]; labels: string[] } {
  if (name === 'sample') {
    const manifest = JSON.parse(readFileSync(join(SAMPLE, 'manifest.json'), 'utf8')) as { classes: string[]; files: string[] };
    const items = manifest.files.map((f) => ({ id: f, label: f.split('/')[0] as string, png: decodePng(readFileSync(join(SAMPLE, f))) }));
    return { items, labels: manifest.classes };
  }
  if (name === 'sample2') {
    const labels = ['circle', 'square', 'triangle', 'star'];
    const rng = createRng(777);
    const items = labels.flatMap((label) =>
      Array.from({ length: 24 }, (_, n) => ({
        id: `${label}/${n}`,
        label,
        png: { width: 64, height: 64, rgb: drawSample(label, 64, rng) },
      })),
    );
    return { items, labels };
  }
  if (name === 'grey') {
    const set = makeGreyShapes({ perClass: 24, size: 56, seed: 5 });
    const items = set.images.map((im, n) => ({
      id: `${im.label}/${n}`,
      label: im.label,
      png: { width: 56, height: 56, rgb: Uint8Array.from({ length: 56 * 56 * 3 }, (_, i) => im.grey[Math.floor(i / 3)] as number) },
    }));
    return { items, labels: set.labels };
  }
  throw new Error(`unknown dataset ${name} (sample, sample2, grey)`);
}

async function main() {
  setWasmPaths(join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/'));
  await tf.setBackend('wasm');
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string) => (args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback).split(',');
  const datasets = option('data', 'sample');
  const seeds = option('seeds', String(DEFAULT_SETTINGS.seed)).map(Number);
  const named = args.filter((a) => !a.startsWith('--'));
  const names = named.length ? named : Object.keys(CONFIGS);
  for (const data of datasets) {
    const { items, labels } = dataset(data);
    const byId = new Map(items.map((i) => [i.id, i]));
    for (const name of names) {
      const accs: number[] = [];
      for (const seed of seeds) {
        const split = splitDataset(items, DEFAULT_SETTINGS.validationSplit, seed);
        if (name.startsWith('probe:')) {
          await probe(name, items, labels, split);
          continue;
        }
        const { size: forced, cut, ...over } = CONFIGS[name] ?? {};
        const size = forced ?? autoInputSize(items.map((i) => Math.min(i.png.width, i.png.height)));
        const settings: TrainSettings = { ...DEFAULT_SETTINGS, imageSize: size, seed, ...over };
        const pixels = (id: string) =>
          tf.tidy(() => {
            const p = byId.get(id)!.png;
            const x = tf.tensor3d(
              Float32Array.from(p.rgb, (v) => v / 255),
              [p.height, p.width, 3],
            );
            return tf.image.resizeBilinear(x, [size, size]).dataSync() as Float32Array;
          });
        const source = (ids: string[]) =>
          arraySource(
            ids.map(pixels),
            ids.map((id) => labels.indexOf(byId.get(id)!.label)),
            size,
            ids,
          );
        const engine = createTrainingEngine(tf);
        await engine.loadModel(
          'mobilenet-v2',
          'MobileNetV2',
          async () => {
            const full = await loadBundledBackbone();
            return cut ? tf.model({ inputs: full.inputs, outputs: full.getLayer(cut).output as tf.SymbolicTensor }) : full;
          },
          [0, 1],
        );
        const t0 = Date.now();
        const r = await engine.train(settings, labels, source(split.train), source(split.val), () => {});
        const rec = engine.record();
        const h = r.history.at(-1)!;
        accs.push(h.valAccuracy ?? Number.NaN);
        console.log(
          `${data} ${name.padEnd(22)} seed ${seed} size ${size} head on ${rec?.settings.headLayer} val acc ${h.valAccuracy?.toFixed(3)} val loss ${h.valLoss?.toFixed(3)} train acc ${h.accuracy.toFixed(3)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
        );
        if (rec?.auto && process.env.SHOW_AUTO)
          console.log(`  auto: ${rec.auto.scores.map((s) => `${s.layer} ${s.accuracy.toFixed(2)}/${s.loss.toFixed(2)}`).join(', ')}`);
        else if (rec?.auto && seeds.length === 1) console.log(`  auto: ${rec.auto.reason}`);
        engine.dispose();
      }
      if (accs.length > 1)
        console.log(
          `${data} ${name.padEnd(22)} mean val acc ${(accs.reduce((a, b) => a + b, 0) / accs.length).toFixed(3)} over seeds ${seeds.join(',')}`,
        );
    }
  }
}

void main();
