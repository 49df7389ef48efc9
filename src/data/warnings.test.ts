import { describe, expect, it } from 'vitest';
import type { DatasetWarning } from './types';
import { datasetWarnings, type WarningImage } from './warnings';

function images(counts: Record<string, number>): WarningImage[] {
  return Object.entries(counts).flatMap(([label, n]) =>
    Array.from({ length: n }, (_, i) => ({ label, path: `${label}/${i}.png`, hash: `${label}-${i}` })),
  );
}

const kinds = (ws: DatasetWarning[]): string[] => ws.map((w) => w.kind);
const none = { skipped: [], emptyClasses: [], largeImages: [] };

describe('datasetWarnings', () => {
  it('says there are no images', () => {
    const ws = datasetWarnings([], none);
    expect(kinds(ws)).toEqual(['no-images']);
  });

  it('asks for a second class', () => {
    const ws = datasetWarnings(images({ cat: 10 }), none);
    expect(ws).toEqual([
      { kind: 'single-class', message: 'Add at least one more class: a classifier needs two or more.', subjects: ['cat'] },
    ]);
  });

  it('is quiet for a healthy dataset', () => {
    expect(datasetWarnings(images({ cat: 20, dog: 25 }), none)).toEqual([]);
  });

  it('flags small classes and imbalance', () => {
    const ws = datasetWarnings(images({ cat: 60, dog: 3, owl: 20 }), none);
    expect(kinds(ws)).toEqual(['few-images', 'imbalance']);
    expect(ws[0]?.message).toBe('The class “dog” has only 3 images. Add at least 5 images to each class; 20 or more works better.');
    expect(ws[1]?.message).toContain('“cat” has 60 images and “dog” has 3 (about 20 to 1)');
    expect(ws[1]?.subjects).toEqual(['cat', 'dog']);
  });

  it('names both paths of a duplicate and notes when they sit in different classes', () => {
    const data = [...images({ cat: 6, dog: 6 }), { label: 'dog', path: 'dog/again.png', hash: 'cat-0' }];
    const [w] = datasetWarnings(data, none);
    expect(w?.kind).toBe('duplicate');
    expect(w?.message).toBe(
      '“cat/0.png” and “dog/again.png” are the same file but sit in different classes (“cat”, “dog”). Remove the copies so they do not count twice.',
    );
    expect(w?.subjects).toEqual(['cat/0.png', 'dog/again.png']);
  });

  it('lists skipped files, summarising many, and reports empty folders and large images', () => {
    const skipped = Array.from({ length: 8 }, (_, i) => ({ path: `x/${i}.txt`, reason: 'is not an image (JPEG, PNG, WebP, GIF or BMP)' }));
    const ws = datasetWarnings(images({ cat: 6, dog: 6 }), { skipped, emptyClasses: ['owl'], largeImages: ['cat/0.png'] });
    expect(kinds(ws)).toEqual(['empty-class', 'skipped', 'large-image']);
    expect(ws[0]?.message).toBe('The folder “owl” holds no usable images, so it is not a class yet.');
    expect(ws[1]?.message).toMatch(/^8 files were skipped: “x\/0.txt” is not an image \(JPEG, PNG, WebP, GIF or BMP\)\. /);
    expect(ws[1]?.message).toMatch(/3 other files were skipped too\.$/);
    expect(ws[1]?.subjects).toHaveLength(8);
    expect(ws[2]?.message).toBe('“cat/0.png” is larger than 40 megapixels; it will be downscaled before training.');
  });
});
