import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePng, type DecodedPng } from '../src/data/png-decode';
import { analyseSegmentation, pairImagesAndMasks } from '../src/data/segmentation';
import { CELL, makeSegSample, NUCLEUS, parseArgs, SEG_CLASSES, writeSegSample, type SegSampleItem } from './make-seg-sample.mjs';

const SIZE = 64;
const sample = makeSegSample({ count: 6, size: SIZE, seed: 3 });
const dir = mkdtempSync(join(tmpdir(), 'seg-sample-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Pairs of 4-neighbour pixels (right and down), as flat indices. */
function* neighbours(size: number): Generator<[number, number]> {
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (x + 1 < size) yield [y * size + x, y * size + x + 1];
      if (y + 1 < size) yield [y * size + x, (y + 1) * size + x];
    }
  }
}

/** Objects that touch: two different objects on 4-neighbouring pixels, split by whether their classes match. */
function contacts(item: SegSampleItem, size: number): { sameClass: number; otherClass: number } {
  let sameClass = 0;
  let otherClass = 0;
  for (const [i, j] of neighbours(size)) {
    const a = item.instances[i] ?? 0;
    const b = item.instances[j] ?? 0;
    if (a === 0 || b === 0 || a === b) continue;
    if (item.mask[i] === item.mask[j]) sameClass++;
    else otherClass++;
  }
  return { sameClass, otherClass };
}

/** The spread (max − min) of the mean brightness of background pixels in the four corner patches. */
function cornerSpread(item: SegSampleItem, size: number): number {
  const patch = size / 4;
  const means = [
    [0, 0],
    [size - patch, 0],
    [0, size - patch],
    [size - patch, size - patch],
  ].map(([x0 = 0, y0 = 0]) => {
    let sum = 0;
    let n = 0;
    for (let y = y0; y < y0 + patch; y++) {
      for (let x = x0; x < x0 + patch; x++) {
        const i = y * size + x;
        if (item.mask[i] !== 0) continue;
        sum += ((item.rgb[i * 3] ?? 0) + (item.rgb[i * 3 + 1] ?? 0) + (item.rgb[i * 3 + 2] ?? 0)) / 3;
        n++;
      }
    }
    return sum / Math.max(n, 1);
  });
  return Math.max(...means) - Math.min(...means);
}

describe('make-seg-sample', () => {
  it('is deterministic for a seed, and another seed gives other pictures', () => {
    const again = makeSegSample({ count: 6, size: SIZE, seed: 3 });
    expect(again.items.map((i) => Buffer.from(i.imagePng).toString('base64'))).toEqual(
      sample.items.map((i) => Buffer.from(i.imagePng).toString('base64')),
    );
    expect(again.items.map((i) => Buffer.from(i.maskPng).toString('base64'))).toEqual(
      sample.items.map((i) => Buffer.from(i.maskPng).toString('base64')),
    );
    const other = makeSegSample({ count: 1, size: SIZE, seed: 4 });
    expect(Buffer.from(other.items[0]?.maskPng ?? []).equals(Buffer.from(sample.items[0]?.maskPng ?? []))).toBe(false);
  });

  it('masks hold only 0..2, every class in every picture, and the PNGs decode to the same pixels', () => {
    expect(sample.items.map((i) => i.name)).toEqual(['000', '001', '002', '003', '004', '005']);
    for (const item of sample.items) {
      expect(new Set(item.mask)).toEqual(new Set([0, NUCLEUS, CELL]));
      const mask = decodePng(item.maskPng, item.name);
      expect(mask.kind).toBe('grey');
      expect(mask.indices).toEqual(item.mask);
      const image = decodePng(item.imagePng, item.name);
      expect([image.kind, image.width, image.height]).toEqual(['rgb', SIZE, SIZE]);
      // The pixels under the mask are the mask's: nuclei are blue and cells green against the background.
      const mean = (cls: number, channel: number) => {
        let sum = 0;
        let n = 0;
        item.mask.forEach((m, i) => {
          if (m !== cls) return;
          sum += item.rgb[i * 3 + channel] ?? 0;
          n++;
        });
        return sum / n;
      };
      expect(mean(NUCLEUS, 2)).toBeGreaterThan(mean(0, 2) * 1.5);
      expect(mean(CELL, 1)).toBeGreaterThan(mean(0, 1) * 1.5);
      expect(mean(NUCLEUS, 2)).toBeGreaterThan(mean(CELL, 2));
      expect(mean(CELL, 1)).toBeGreaterThan(mean(NUCLEUS, 1));
    }
  });

  it('objects touch: nuclei merge with nuclei in every picture, and nuclei meet cells', () => {
    const found = sample.items.map((item) => contacts(item, SIZE));
    for (const c of found) expect(c.sameClass).toBeGreaterThan(0);
    expect(found.filter((c) => c.otherClass > 0).length).toBeGreaterThanOrEqual(sample.items.length / 2);
  });

  it('lights unevenly: background brightness differs between corners, unlike with flat light', () => {
    const uneven = sample.items.map((item) => cornerSpread(item, SIZE));
    const flat = makeSegSample({ count: 6, size: SIZE, seed: 3, flatLight: true }).items.map((item) => cornerSpread(item, SIZE));
    for (const spread of uneven) expect(spread).toBeGreaterThan(10);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(flat)).toBeLessThan(6);
    expect(mean(uneven)).toBeGreaterThan(3 * mean(flat));
  });

  it('writes images/, masks/, classes.txt and a licence that the studio reads as one clean 3-class set', () => {
    const out = join(dir, 'sample');
    const written = writeSegSample(out, { count: 4, size: 32, seed: 9 });
    expect(readdirSync(join(out, 'images'))).toEqual(['000.png', '001.png', '002.png', '003.png']);
    expect(readdirSync(join(out, 'masks'))).toEqual(['000.png', '001.png', '002.png', '003.png']);
    const classesTxt = readFileSync(join(out, 'classes.txt'), 'utf8');
    expect(classesTxt).toBe('background\nnucleus\ncell\n');
    expect(readFileSync(join(out, 'LICENSE.txt'), 'utf8')).toMatch(/CC0-1\.0/);
    expect(readFileSync(join(out, 'LICENSE.txt'), 'utf8')).toMatch(/generated from random numbers by scripts\/make-seg-sample\.mjs/);

    const pairing = pairImagesAndMasks(written.files.map((f) => `sample/${f}`));
    expect(pairing.pairs).toHaveLength(4);
    const decoded = new Map<string, DecodedPng | Error>();
    const imageSizes = new Map<string, { width: number; height: number }>();
    for (const p of pairing.pairs) {
      decoded.set(p.mask, decodePng(readFileSync(join(dir, p.mask)), p.mask));
      const image = decodePng(readFileSync(join(dir, p.image)), p.image);
      imageSizes.set(p.image, { width: image.width, height: image.height });
    }
    const { summary } = analyseSegmentation({ pairing, decoded, imageSizes, classesTxt });
    expect(summary.classNames).toEqual(SEG_CLASSES);
    expect(summary.issues).toEqual([]);
    expect(summary.pixelShare[0]).toBeGreaterThan(0.5); // background dominates, as in real microscopy
    expect(summary.pixelShare.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('CLI: writes the set, and refuses a bad command line with a sentence', () => {
    expect(parseArgs(['--out', 'x', '--count', '5', '--size', '32', '--seed', '7'])).toMatchObject({ count: 5, size: 32, seed: 7 });
    expect(() => parseArgs(['--count', '5'])).toThrow(/^Say where to write the sample with --out DIR\./);
    expect(() => parseArgs(['--out', 'x', '--size', '8'])).toThrow(/^--size must be a whole number of at least 16, not 8\./);
    expect(() => parseArgs(['--out', 'x', '--colour'])).toThrow(/^--colour is not an option here \(or it has no value\)\./);

    const script = join(process.cwd(), 'scripts/make-seg-sample.mjs');
    const out = join(dir, 'cli');
    const ok = spawnSync(process.execPath, [script, '--out', out, '--count', '2', '--size', '16'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^make-seg-sample: 2 image-mask pairs, 16x16, seed 1 -> /);
    expect(readdirSync(out).sort()).toEqual(['LICENSE.txt', 'classes.txt', 'images', 'masks']);
    const bad = spawnSync(process.execPath, [script, '--count', 'many'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^--count must be a whole number of at least 1, not many\./);
  });
});
