#!/usr/bin/env node
// Seeded, generated image fixtures for tests and e2e: a grey-scale 4-class shapes set that looks
// hand drawn (outline or filled, wobbly edges, rotation, gradients, noise, some blur), and zips of it.
// Run directly to write e2e/fixtures/{grey-shapes,bad-files,tiny-shapes,teachable-mobilenet-v2}.zip.
// No network.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { encodePng } from './png.mjs';
import { makeDigits } from './make-digits.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** mulberry32, the same generator as src/lib/random.ts. */
export function createRng(seed) {
  let a = seed >>> 0 || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const uniform = (rng, lo, hi) => lo + (hi - lo) * rng();

/** A standard normal sample (Box–Muller). */
export function gaussian(rng) {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

function regularPolygon(n, r, phase = -Math.PI / 2) {
  return Array.from({ length: n }, (_, i) => {
    const a = phase + (2 * Math.PI * i) / n;
    return [r * Math.cos(a), r * Math.sin(a)];
  });
}

function starPolygon(points, r, inner) {
  return Array.from({ length: points * 2 }, (_, i) => {
    const a = -Math.PI / 2 + (Math.PI * i) / points;
    const rr = i % 2 === 0 ? r : r * inner;
    return [rr * Math.cos(a), rr * Math.sin(a)];
  });
}

/** Signed distance from (x, y) to a closed polygon: negative inside. */
function polygonDistance(poly, x, y) {
  let d = Infinity;
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    const ex = xi - xj;
    const ey = yi - yj;
    const t = Math.min(Math.max(((x - xj) * ex + (y - yj) * ey) / (ex * ex + ey * ey), 0), 1);
    d = Math.min(d, Math.hypot(x - xj - ex * t, y - yj - ey * t));
    if (yi > y !== yj > y && x < (xj * (y - yi) - xi * (y - yj)) / (yj - yi)) inside = !inside;
  }
  return inside ? -d : d;
}

function boxDistance(x, y, hw, hh) {
  const dx = Math.abs(x) - hw;
  const dy = Math.abs(y) - hh;
  return Math.hypot(Math.max(dx, 0), Math.max(dy, 0)) + Math.min(Math.max(dx, dy), 0);
}

/** Signed distance functions of the shapes, in a frame centred on the shape, `r` its outer radius. */
export const SHAPES = {
  circle: (r) => (x, y) => Math.hypot(x, y) - r,
  square: (r) => (x, y) => boxDistance(x, y, r * 0.78, r * 0.78),
  triangle: (r) => {
    const poly = regularPolygon(3, r);
    return (x, y) => polygonDistance(poly, x, y - r * 0.2);
  },
  star: (r) => {
    const poly = starPolygon(5, r, 0.45);
    return (x, y) => polygonDistance(poly, x, y);
  },
  cross: (r) => (x, y) => Math.min(boxDistance(x, y, r, r * 0.28), boxDistance(x, y, r * 0.28, r)),
};

/**
 * Random pose and style of one shape on a size×size canvas. Returns coverage(x, y) in [0, 1],
 * anti-aliased, with a low-frequency wobble so edges look drawn by hand.
 */
export function shapeCoverage(shape, size, rng, { scale = [0.55, 0.9], outlineChance = 0.25 } = {}) {
  const make = SHAPES[shape];
  if (!make) throw new Error(`unknown shape "${shape}"; known: ${Object.keys(SHAPES).join(', ')}`);
  const r = (uniform(rng, scale[0], scale[1]) * size) / 2;
  const cx = size / 2 + uniform(rng, -1, 1) * Math.max(0, size / 2 - r) * 0.8;
  const cy = size / 2 + uniform(rng, -1, 1) * Math.max(0, size / 2 - r) * 0.8;
  const angle = uniform(rng, 0, 2 * Math.PI);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const sdf = make(r);
  const outline = rng() < outlineChance;
  const stroke = uniform(rng, 1.2, Math.max(1.6, r * 0.25));
  const wobbleAmp = uniform(rng, 0.01, 0.05) * r;
  const wobbleK = 2 + Math.floor(rng() * 4);
  const wobblePhase = uniform(rng, 0, 2 * Math.PI);
  return (px, py) => {
    const dx = px + 0.5 - cx;
    const dy = py + 0.5 - cy;
    const x = cos * dx + sin * dy;
    const y = -sin * dx + cos * dy;
    let d = sdf(x, y) + wobbleAmp * Math.sin(wobbleK * Math.atan2(y, x) + wobblePhase);
    if (outline) d = Math.abs(d) - stroke / 2;
    return Math.min(Math.max(0.5 - d, 0), 1);
  };
}

/** 3×3 box blur of a single-channel float image, in place. */
export function blur(img, size) {
  const src = img.slice();
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sum = 0;
      let n = 0;
      for (let j = -1; j <= 1; j++) {
        for (let i = -1; i <= 1; i++) {
          const xx = x + i;
          const yy = y + j;
          if (xx < 0 || yy < 0 || xx >= size || yy >= size) continue;
          sum += src[yy * size + xx];
          n++;
        }
      }
      img[y * size + x] = sum / n;
    }
  }
}

/** One grey picture of `shape` as bytes (size×size, 0–255). */
export function drawGreyShape(shape, size, rng) {
  const coverage = shapeCoverage(shape, size, rng);
  const bg0 = uniform(rng, 0.15, 0.85);
  const slope = uniform(rng, -0.3, 0.3);
  const dir = uniform(rng, 0, 2 * Math.PI);
  const contrast = uniform(rng, 0.25, 0.6) * (bg0 > 0.5 ? -1 : 1) * (rng() < 0.15 ? -1 : 1);
  const ink = Math.min(Math.max(bg0 + contrast, 0), 1);
  const noise = uniform(rng, 0.01, 0.08);
  const img = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const t = ((x - size / 2) * Math.cos(dir) + (y - size / 2) * Math.sin(dir)) / size;
      const bg = bg0 + slope * t;
      const a = coverage(x, y);
      img[y * size + x] = bg * (1 - a) + ink * a + noise * gaussian(rng);
    }
  }
  if (rng() < 0.3) blur(img, size);
  return Uint8Array.from(img, (v) => Math.round(Math.min(Math.max(v, 0), 1) * 255));
}

/**
 * A 4-class grey-scale shapes set, classes interleaved (circle, square, …, circle, …).
 * @returns {{ labels: string[], images: { label: string, png: Buffer, grey: Uint8Array }[] }}
 */
export function makeGreyShapes({ perClass = 50, size = 56, seed = 1, classes = ['circle', 'square', 'triangle', 'cross'] } = {}) {
  const rng = createRng(seed);
  const images = [];
  for (let n = 0; n < perClass; n++) {
    for (const label of classes) {
      const grey = drawGreyShape(label, size, rng);
      images.push({ label, png: encodePng(size, size, grey, 1), grey });
    }
  }
  return { labels: [...classes], images };
}

/** Zip entries `<class>/<n>.png` for labelled PNGs, numbered within each class. */
export function classFolderEntries(images) {
  const counters = new Map();
  const entries = {};
  for (const { label, png } of images) {
    const n = counters.get(label) ?? 0;
    counters.set(label, n + 1);
    entries[`${label}/${String(n).padStart(3, '0')}.png`] = png;
  }
  return entries;
}

/** Writes a zip of `<class>/<n>.png` from makeGreyShapes(opts); returns the number of images. */
export function writeGreyShapesZip(path, opts = {}) {
  const set = makeGreyShapes(opts);
  writeZip(path, classFolderEntries(set.images));
  return set.images.length;
}

/**
 * A zip with 3 good PNGs in each of a/ and b/, plus a/readme.txt (not an image), b/empty.jpg
 * (0 bytes) and a/broken.jpg (a JPEG signature then random bytes, with no frame header).
 */
export function writeBadZip(path) {
  const set = makeGreyShapes({ perClass: 3, size: 32, seed: 404, classes: ['circle', 'square'] });
  const entries = {};
  const names = { circle: 'a', square: 'b' };
  set.images.forEach(({ label, png }, i) => {
    entries[`${names[label]}/${Math.floor(i / 2)}.png`] = png;
  });
  entries['a/readme.txt'] = new TextEncoder().encode('This folder holds class a. This file is not an image.\n');
  entries['b/empty.jpg'] = new Uint8Array(0);
  const rng = createRng(405);
  // No 0xFF after the header: a decoder finds no further marker, so no start of frame.
  const noise = Uint8Array.from({ length: 600 }, () => Math.floor(rng() * 255));
  entries['a/broken.jpg'] = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, ...noise]);
  writeZip(path, entries);
}

const TM_CLASSES = ['circle', 'square', 'triangle', 'cross'];

/**
 * A Teachable Machine image package built from the bundled MobileNetV2 (public/models/mobilenet-v2,
 * prepared by npm install), with TM's layout and names: Sequential[ the truncated MobileNet as a
 * functional model `sequential_1` (…, out_relu, global average pooling), Sequential `sequential_3`[
 * Dense 100 relu `dense_Dense1`, Dense K softmax without bias `dense_Dense2` ] ]. The MobileNet keeps
 * its weights (uint8-quantised, as bundled); the head is seeded. Its input is `size` px, and
 * metadata.json says so (a real TM package says 224), so tests stay fast.
 * @returns {Record<string, Uint8Array>} model.json, weights.bin and metadata.json
 */
export function teachableMobilenetEntries({ size = 96, labels = TM_CLASSES, seed = 21 } = {}) {
  const dir = join(root, 'public/models/mobilenet-v2');
  const bundled = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const base = structuredClone(bundled.modelTopology.model_config.config);
  const input = base.layers.find((l) => l.class_name === 'InputLayer');
  input.config.batch_input_shape = [null, size, size, 3];
  const out = base.output_layers[0][0];
  const pool = 'global_average_pooling2d_GlobalAveragePooling2D1';
  base.layers.push({
    name: pool,
    class_name: 'GlobalAveragePooling2D',
    config: { data_format: 'channels_last', name: pool, trainable: true },
    inbound_nodes: [[[out, 0, 0, {}]]],
  });
  base.name = 'sequential_1';
  base.output_layers = [[pool, 0, 0]];
  const init = { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'uniform', seed: null } };
  const dense = (name, units, activation, useBias, extra = {}) => ({
    class_name: 'Dense',
    config: {
      units,
      activation,
      use_bias: useBias,
      kernel_initializer: init,
      bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
      name,
      trainable: true,
      ...extra,
    },
  });
  const features = 1280;
  const hidden = 100;
  const topology = {
    class_name: 'Sequential',
    config: {
      name: 'sequential_4',
      layers: [
        { class_name: 'Model', config: base },
        {
          class_name: 'Sequential',
          config: {
            name: 'sequential_3',
            layers: [
              dense('dense_Dense1', hidden, 'relu', true, { batch_input_shape: [null, features], dtype: 'float32' }),
              dense('dense_Dense2', labels.length, 'softmax', false),
            ],
          },
        },
      ],
    },
    keras_version: 'tfjs-layers 1.3.1',
    backend: 'tensor_flow.js',
  };
  // Glorot-uniform head weights from the seed: [1280, 100] kernel, [100] bias, [100, K] kernel.
  const rng = createRng(seed);
  const glorot = (fanIn, fanOut) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return Float32Array.from({ length: fanIn * fanOut }, () => (rng() * 2 - 1) * limit);
  };
  const head = [
    { name: 'dense_Dense1/kernel', shape: [features, hidden], values: glorot(features, hidden) },
    { name: 'dense_Dense1/bias', shape: [hidden], values: Float32Array.from({ length: hidden }, () => (rng() - 0.5) * 0.1) },
    { name: 'dense_Dense2/kernel', shape: [hidden, labels.length], values: glorot(hidden, labels.length) },
  ];
  const baseBytes = new Uint8Array(readFileSync(join(dir, 'weights.bin')));
  const headBytes = head.reduce((n, w) => n + w.values.byteLength, 0);
  const weights = new Uint8Array(baseBytes.byteLength + headBytes);
  weights.set(baseBytes, 0);
  let at = baseBytes.byteLength;
  for (const w of head) {
    weights.set(new Uint8Array(w.values.buffer), at);
    at += w.values.byteLength;
  }
  const manifest = [
    ...bundled.weightsManifest.flatMap((g) => g.weights),
    ...head.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })),
  ];
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'TensorFlow.js tfjs-layers v1.3.1',
    convertedBy: null,
    modelTopology: topology,
    weightsManifest: [{ paths: ['./weights.bin'], weights: manifest }],
  };
  const metadata = teachableMetadata(labels, size);
  const enc = new TextEncoder();
  return {
    'model.json': enc.encode(JSON.stringify(modelJson)),
    'weights.bin': weights,
    'metadata.json': enc.encode(JSON.stringify(metadata, null, 2)),
  };
}

function writeZip(path, entries) {
  mkdirSync(dirname(path), { recursive: true });
  // Fixed modification time keeps the zips byte-identical from run to run.
  writeFileSync(path, zipSync(entries, { level: 6, mtime: new Date('2024-01-01T00:00:00Z') }));
}

/** Teachable Machine's metadata.json for `labels` (imageSize: what the package's model takes). */
export function teachableMetadata(labels, imageSize) {
  return {
    tfjsVersion: '1.3.1',
    tmVersion: '2.4.7',
    packageVersion: '0.8.4',
    packageName: '@teachablemachine/image',
    timeStamp: '2024-01-01T00:00:00.000Z',
    userMetadata: {},
    modelName: 'tm-my-image-model',
    labels: [...labels],
    imageSize,
  };
}

export function main() {
  const dir = join(root, 'e2e/fixtures');
  const grey = writeGreyShapesZip(join(dir, 'grey-shapes.zip'), { perClass: 50, size: 56, seed: 11 });
  writeBadZip(join(dir, 'bad-files.zip'));
  const tiny = writeGreyShapesZip(join(dir, 'tiny-shapes.zip'), { perClass: 8, size: 32, seed: 7 });
  const digits = makeDigits({ perClass: 40, size: 96, seed: 5 }).images;
  writeZip(join(dir, 'digits.zip'), classFolderEntries(digits));
  const bundled = existsSync(join(root, 'public/models/mobilenet-v2/model.json'));
  if (bundled) writeZip(join(dir, 'teachable-mobilenet-v2.zip'), teachableMobilenetEntries());
  console.log(
    `make-fixtures: grey-shapes.zip (${grey} images), bad-files.zip, tiny-shapes.zip (${tiny} images), digits.zip (${digits.length} images)` +
      `${bundled ? ', teachable-mobilenet-v2.zip' : ' (no bundled MobileNetV2: run npm install for teachable-mobilenet-v2.zip)'} -> e2e/fixtures`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
