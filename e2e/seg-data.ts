/**
 * Segmentation fixtures for the e2e tests, made on the fly by the sample generator
 * (scripts/make-seg-sample.mjs): a zip of images/ + masks/ + classes.txt, and held-out pictures with
 * their masks to check a downloaded model on. Also the foreground mean IoU, written here from its
 * definition (independent of the studio's own metrics code).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { makeSegSample } from '../scripts/make-seg-sample.mjs';

export const segDir = mkdtempSync(join(tmpdir(), 'studio-seg-'));

/** Writes `data` under the fixture folder and returns its path. */
export function segFile(name: string, data: Uint8Array): string {
  const path = join(segDir, name);
  writeFileSync(path, data);
  return path;
}

/** A zip of `count` generated pairs at `size` px (seed `seed`) under cells/images, cells/masks, with classes.txt. */
export function cellsZip(name: string, count: number, size: number, seed: number): string {
  const set = makeSegSample({ count, size, seed });
  const entries: Record<string, Uint8Array> = { 'cells/classes.txt': new TextEncoder().encode(`${set.classes.join('\n')}\n`) };
  for (const item of set.items) {
    entries[`cells/images/${item.name}.png`] = item.imagePng;
    entries[`cells/masks/${item.name}.png`] = item.maskPng;
  }
  return segFile(name, zipSync(entries, { level: 0 }));
}

/** Held-out pictures ([0, 1] RGB floats, HWC) and their class maps, from another seed than any training set. */
export function heldOut(count: number, size: number, seed: number): { pixels: Float32Array[]; masks: Uint8Array[]; classes: string[] } {
  const set = makeSegSample({ count, size, seed });
  return {
    pixels: set.items.map((it) => Float32Array.from(it.rgb, (v) => v / 255)),
    masks: set.items.map((it) => it.mask),
    classes: set.classes,
  };
}

/** Foreground mean IoU over a set: per class TP / (TP + FP + FN) counted over every pixel of every image, averaged over classes 1…. */
export function foregroundMeanIou(truth: readonly Uint8Array[], predicted: readonly Uint8Array[], classes: number): number {
  const tp = new Array<number>(classes).fill(0);
  const fp = new Array<number>(classes).fill(0);
  const fn = new Array<number>(classes).fill(0);
  truth.forEach((t, i) => {
    const p = predicted[i] as Uint8Array;
    for (let k = 0; k < t.length; k++) {
      const a = t[k] as number;
      const b = p[k] as number;
      if (a === b) tp[a] = (tp[a] ?? 0) + 1;
      else {
        fn[a] = (fn[a] ?? 0) + 1;
        fp[b] = (fp[b] ?? 0) + 1;
      }
    }
  });
  const ious: number[] = [];
  for (let c = 1; c < classes; c++) {
    const d = (tp[c] ?? 0) + (fp[c] ?? 0) + (fn[c] ?? 0);
    if (d > 0) ious.push((tp[c] ?? 0) / d);
  }
  return ious.reduce((s, v) => s + v, 0) / Math.max(1, ious.length);
}

/** The arg-max class of every pixel of a [n·h·w·C] probability array. */
export function argMaxClasses(probs: Float32Array | number[], pixels: number, classes: number): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let p = 0; p < pixels; p++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if ((probs[p * classes + c] ?? 0) > (probs[p * classes + best] ?? 0)) best = c;
    out[p] = best;
  }
  return out;
}
