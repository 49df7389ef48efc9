/**
 * How the image defaults do on the built-in sample, and on what alternatives: trains the bundled
 * MobileNetV2 in Node on WASM (the same engine as the studio's worker) on public/samples/shapes
 * with the studio's split, for each configuration named on the command line (or all), and prints
 * validation accuracy. `npx tsx scripts/defaults-study.ts [name ...]`
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
  'size-224': { size: 224 },
  'size-160': { size: 160 },
  'size-128': { size: 128 },
  'lr-0.01': { learningRate: 0.01 },
  'lr-0.001': { learningRate: 0.001 },
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
async function probe(
  spec: string,
  items: { id: string; label: string; png: ReturnType<typeof decodePng> }[],
  labels: string[],
  split: { train: string[]; val: string[] },
) {
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

async function main() {
  setWasmPaths(join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/'));
  await tf.setBackend('wasm');
  const manifest = JSON.parse(readFileSync(join(SAMPLE, 'manifest.json'), 'utf8')) as { classes: string[]; files: string[] };
  const items = manifest.files.map((f) => ({ id: f, label: f.split('/')[0] as string, png: decodePng(readFileSync(join(SAMPLE, f))) }));
  const labels = manifest.classes;
  const split = splitDataset(items, DEFAULT_SETTINGS.validationSplit, DEFAULT_SETTINGS.seed);
  const byId = new Map(items.map((i) => [i.id, i]));
  const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(CONFIGS);
  for (const name of names) {
    if (name.startsWith('probe:')) {
      await probe(name, items, labels, split);
      continue;
    }
    const { size: forced, cut, ...over } = CONFIGS[name] ?? {};
    const size = forced ?? autoInputSize(items.map((i) => Math.min(i.png.width, i.png.height)));
    const settings: TrainSettings = { ...DEFAULT_SETTINGS, imageSize: size, ...over };
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
    const h = r.history.at(-1)!;
    console.log(
      `${name.padEnd(20)} size ${size} val acc ${h.valAccuracy?.toFixed(3)} val loss ${h.valLoss?.toFixed(3)} train acc ${h.accuracy.toFixed(3)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
    );
    engine.dispose();
  }
}

void main();
