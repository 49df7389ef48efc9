#!/usr/bin/env node
// Generates a microscopy-like segmentation sample: RGB pictures of round, grainy "nuclei" and
// elongated, smooth "cells" (bright rims) on a dark, noisy, hazy background, under uneven
// illumination (a tilted gradient and a vignette), blurred like optics, with touching and
// overlapping objects; and grey PNG masks whose value is the class (0 background, 1 nucleus, 2 cell).
// Seeded (the same files for the same options), dependency-free apart from scripts/png.mjs, no network.
//
//   node scripts/make-seg-sample.mjs --out DIR [--count 200] [--size 128] [--seed 1]
//
// Writes DIR/images/NNN.png, DIR/masks/NNN.png, DIR/classes.txt and DIR/LICENSE.txt (CC0-1.0).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blur, createRng, gaussian, uniform } from './make-fixtures.mjs';
import { encodePng } from './png.mjs';

export const SEG_CLASSES = ['background', 'nucleus', 'cell'];
export const NUCLEUS = 1;
export const CELL = 2;
export const LICENCE =
  'CC0-1.0: generated from random numbers by scripts/make-seg-sample.mjs; no photographs or real data are involved. ' +
  'Public domain dedication: https://creativecommons.org/publicdomain/zero/1.0/';

/**
 * An object as a signed distance (pixels, negative inside) over its bounding box.
 * Nuclei: near-round with a wobbly outline. Cells: long, slightly bent ellipses.
 */
function makeObject(kind, cx, cy, s, rng) {
  const angle = uniform(rng, 0, Math.PI);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  let a;
  let b;
  let bend = 0;
  const wobble = [];
  if (kind === NUCLEUS) {
    const r = uniform(rng, 5, 9) * s;
    a = r * uniform(rng, 1, 1.3);
    b = r;
    for (let k = 2; k <= 4; k++) wobble.push([k, uniform(rng, 0, 0.08), uniform(rng, 0, 2 * Math.PI)]);
  } else {
    a = (uniform(rng, 22, 38) * s) / 2;
    b = (uniform(rng, 8, 13) * s) / 2;
    bend = uniform(rng, -0.15, 0.15) / a;
    wobble.push([3, uniform(rng, 0, 0.04), uniform(rng, 0, 2 * Math.PI)]);
  }
  const reach = a + b * 0.5 + 2;
  const distance = (x, y) => {
    const dx = x - cx;
    const dy = y - cy;
    const u = dx * cos + dy * sin;
    const v = -dx * sin + dy * cos - bend * u * u;
    const theta = Math.atan2(v / b, u / a);
    let rho = 1;
    for (const [k, amp, phase] of wobble) rho += amp * Math.sin(k * theta + phase);
    return (Math.hypot(u / a, v / b) - rho) * Math.min(a, b);
  };
  return { kind, cx, cy, a, b, reach, distance, brightness: kind === NUCLEUS ? uniform(rng, 0.6, 1) : uniform(rng, 0.5, 0.85) };
}

/** A centre at distance `gap` × (sum of radii) from `other`, in a random direction: touching (gap ≈ 1) or overlapping (< 1). */
function besideCentre(other, radius, gap, rng) {
  const dir = uniform(rng, 0, 2 * Math.PI);
  const r = Math.min(other.a, other.b) + (other.kind === CELL ? uniform(rng, 0, other.a - other.b) : 0);
  return [other.cx + Math.cos(dir) * (r + radius) * gap, other.cy + Math.sin(dir) * (r + radius) * gap];
}

/** Smooth random field in about [-1, 1]: white noise blurred `passes` times, then normalised. */
function smoothNoise(size, rng, passes) {
  const f = new Float32Array(size * size);
  for (let i = 0; i < f.length; i++) f[i] = gaussian(rng);
  for (let p = 0; p < passes; p++) blur(f, size);
  let max = 1e-6;
  for (const v of f) max = Math.max(max, Math.abs(v));
  for (let i = 0; i < f.length; i++) f[i] /= max;
  return f;
}

/**
 * One picture: `rgb` (size×size×3 bytes), `mask` (class per pixel) and `instances` (object id per
 * pixel, 0 for background; the topmost object where two overlap). `flatLight` turns the uneven
 * illumination off (for tests that compare with and without it).
 */
export function drawSegSample(size, rng, { flatLight = false } = {}) {
  const s = size / 128;
  const n = size * size;
  const centre = () => uniform(rng, 0.15 * size, 0.85 * size);

  // Objects: cells below, nuclei above. At least one nucleus touches or overlaps another nucleus,
  // and one touches a cell, so the set has merging same-class objects and contacts between classes.
  const cells = [];
  const nuclei = [];
  const cellCount = 3 + Math.floor(rng() * 4);
  const nucleusCount = 5 + Math.floor(rng() * 6);
  for (let i = 0; i < cellCount; i++) {
    const beside = i > 0 && rng() < 0.4 ? cells[Math.floor(rng() * cells.length)] : undefined;
    const [cx, cy] = beside ? besideCentre(beside, 5 * s, uniform(rng, 0.8, 1), rng) : [centre(), centre()];
    cells.push(makeObject(CELL, cx, cy, s, rng));
  }
  for (let i = 0; i < nucleusCount; i++) {
    let at;
    if (i === 0) at = [centre(), centre()];
    else if (i === 1) at = besideCentre(nuclei[0], 7 * s, uniform(rng, 0.75, 0.95), rng);
    else if (i === 2) at = besideCentre(cells[0], 7 * s, uniform(rng, 0.8, 0.95), rng);
    else if (rng() < 0.5) at = besideCentre(nuclei[Math.floor(rng() * nuclei.length)], 7 * s, uniform(rng, 0.8, 1.05), rng);
    else at = [centre(), centre()];
    nuclei.push(makeObject(NUCLEUS, at[0], at[1], s, rng));
  }
  const objects = [...cells, ...nuclei];

  // Background: dark blue-grey, a faint low-frequency haze.
  const haze = smoothNoise(size, rng, 6);
  const grain = smoothNoise(size, rng, 1); // nuclear chromatin texture
  const bg = [uniform(rng, 0.18, 0.24), uniform(rng, 0.18, 0.24), uniform(rng, 0.22, 0.28)];
  const img = [0, 1, 2].map((c) => {
    const ch = new Float32Array(n);
    for (let i = 0; i < n; i++) ch[i] = bg[c] * (1 + 0.08 * (haze[i] ?? 0));
    return ch;
  });
  const mask = new Uint8Array(n);
  const instances = new Uint16Array(n);

  // A few unlabelled specks of debris.
  const specks = 3 + Math.floor(rng() * 6);
  for (let k = 0; k < specks; k++) {
    const [sx, sy, r] = [uniform(rng, 0, size), uniform(rng, 0, size), uniform(rng, 0.8, 2) * s];
    for (let y = Math.max(0, Math.floor(sy - r - 1)); y < Math.min(size, sy + r + 1); y++) {
      for (let x = Math.max(0, Math.floor(sx - r - 1)); x < Math.min(size, sx + r + 1); x++) {
        const cov = Math.min(Math.max(r - Math.hypot(x + 0.5 - sx, y + 0.5 - sy) + 0.5, 0), 1) * 0.5;
        for (let c = 0; c < 3; c++) img[c][y * size + x] += 0.12 * cov;
      }
    }
  }

  objects.forEach((o, index) => {
    const hue =
      o.kind === NUCLEUS
        ? [uniform(rng, 0.3, 0.45), uniform(rng, 0.4, 0.55), 0.95]
        : [uniform(rng, 0.35, 0.55), 0.85, uniform(rng, 0.25, 0.4)];
    for (let y = Math.max(0, Math.floor(o.cy - o.reach)); y < Math.min(size, Math.ceil(o.cy + o.reach)); y++) {
      for (let x = Math.max(0, Math.floor(o.cx - o.reach)); x < Math.min(size, Math.ceil(o.cx + o.reach)); x++) {
        const d = o.distance(x + 0.5, y + 0.5);
        const cov = Math.min(Math.max(0.5 - d, 0), 1);
        if (cov <= 0) continue;
        const i = y * size + x;
        let level;
        if (o.kind === NUCLEUS) {
          const depth = Math.min(-d / Math.min(o.a, o.b), 1); // 0 at the edge, 1 deep inside
          level = o.brightness * (0.8 + 0.25 * Math.max(depth, 0)) * (1 + 0.35 * (grain[i] ?? 0));
        } else {
          const rim = Math.exp(-(((d + 1.5 * s) / (1.5 * s)) ** 2));
          level = o.brightness * (0.7 + 0.35 * rim);
        }
        for (let c = 0; c < 3; c++) img[c][i] = img[c][i] * (1 - cov) + hue[c] * level * cov;
        if (d < 0) {
          mask[i] = o.kind;
          instances[i] = index + 1;
        }
      }
    }
  });

  // Uneven illumination: a tilted gradient (45–60% darker on one side) and a vignette.
  if (!flatLight) {
    const dir = uniform(rng, 0, 2 * Math.PI);
    const tilt = uniform(rng, 0.45, 0.6);
    const vignette = uniform(rng, 0.05, 0.2);
    const c0 = size / 2;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const dx = (x + 0.5 - c0) / c0;
        const dy = (y + 0.5 - c0) / c0;
        const proj = (dx * Math.cos(dir) + dy * Math.sin(dir)) / Math.SQRT2;
        const light = (1 - tilt * (0.5 + 0.5 * proj)) * (1 - (vignette * (dx * dx + dy * dy)) / 2);
        for (let c = 0; c < 3; c++) img[c][y * size + x] *= light;
      }
    }
  }

  // Optics blur, then sensor noise (read noise plus shot noise that grows with the signal).
  const passes = rng() < 0.4 ? 2 : 1;
  for (const ch of img) for (let p = 0; p < passes; p++) blur(ch, size);
  const read = uniform(rng, 0.015, 0.035);
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = img[c][i];
      const noisy = v + read * gaussian(rng) + 0.04 * Math.sqrt(Math.max(v, 0)) * gaussian(rng);
      rgb[i * 3 + c] = Math.round(Math.min(Math.max(noisy, 0), 1) * 255);
    }
  }
  return { rgb, mask, instances };
}

/** The sample in memory: `count` pictures of `size`×`size`, seeded, with their PNG bytes. */
export function makeSegSample({ count = 200, size = 128, seed = 1, flatLight = false } = {}) {
  const rng = createRng(seed);
  const digits = Math.max(3, String(count - 1).length);
  const items = [];
  for (let k = 0; k < count; k++) {
    const { rgb, mask, instances } = drawSegSample(size, rng, { flatLight });
    items.push({
      name: String(k).padStart(digits, '0'),
      rgb,
      mask,
      instances,
      imagePng: encodePng(size, size, rgb, 3),
      maskPng: encodePng(size, size, mask, 1),
    });
  }
  return { classes: [...SEG_CLASSES], size, items };
}

/** Writes the sample under `outDir`; returns the paths written, relative to it. */
export function writeSegSample(outDir, opts = {}) {
  const { count = 200, size = 128, seed = 1 } = opts;
  const sample = makeSegSample({ count, size, seed });
  mkdirSync(join(outDir, 'images'), { recursive: true });
  mkdirSync(join(outDir, 'masks'), { recursive: true });
  const files = [];
  for (const item of sample.items) {
    for (const [folder, png] of [
      ['images', item.imagePng],
      ['masks', item.maskPng],
    ]) {
      const file = `${folder}/${item.name}.png`;
      writeFileSync(join(outDir, file), png);
      files.push(file);
    }
  }
  writeFileSync(join(outDir, 'classes.txt'), `${SEG_CLASSES.join('\n')}\n`);
  writeFileSync(
    join(outDir, 'LICENSE.txt'),
    `Cells and nuclei: a generated segmentation sample (${count} image-mask pairs, ${size}x${size} px, seed ${seed}).\n` +
      `Generated by scripts/make-seg-sample.mjs. Masks hold the class index as their grey value: ${SEG_CLASSES.map((c, i) => `${i} ${c}`).join(', ')}.\n` +
      `Licence: ${LICENCE}\n`,
  );
  files.push('classes.txt', 'LICENSE.txt');
  return { count, size, seed, classes: [...SEG_CLASSES], files };
}

const USAGE = 'usage: node scripts/make-seg-sample.mjs --out DIR [--count 200] [--size 128] [--seed 1]';

/** Parses the command line; throws an Error with a sentence (and the usage) on a bad one. */
export function parseArgs(argv) {
  const opts = { count: 200, size: 128, seed: 1 };
  let out;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--out' && value !== undefined) out = value;
    else if ((flag === '--count' || flag === '--size' || flag === '--seed') && value !== undefined) {
      const v = Number(value);
      const min = flag === '--size' ? 16 : flag === '--count' ? 1 : 0;
      if (!Number.isInteger(v) || v < min) throw new Error(`${flag} must be a whole number of at least ${min}, not ${value}.\n${USAGE}`);
      opts[flag.slice(2)] = v;
    } else
      throw new Error(
        `${flag} is not an option here${value === undefined && flag?.startsWith('--') ? ' (or it has no value)' : ''}.\n${USAGE}`,
      );
    i++;
  }
  if (out === undefined) throw new Error(`Say where to write the sample with --out DIR.\n${USAGE}`);
  return { out: resolve(out), ...opts };
}

export function main(argv = process.argv.slice(2)) {
  let args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    console.error(e.message);
    process.exitCode = 2;
    return undefined;
  }
  const started = performance.now();
  const written = writeSegSample(args.out, args);
  const ms = Math.round(performance.now() - started);
  console.log(
    `make-seg-sample: ${written.count} image-mask pairs, ${written.size}x${written.size}, seed ${written.seed} -> ${args.out} (${ms} ms)`,
  );
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
