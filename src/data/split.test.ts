import { describe, expect, it } from 'vitest';
import { createRng, shuffled } from '../lib/random';
import { splitCounts, splitDataset, type Labelled } from './split';

function images(counts: Record<string, number>): Labelled[] {
  return Object.entries(counts).flatMap(([label, n]) =>
    Array.from({ length: n }, (_, i) => ({ id: `${label}-${String(i).padStart(3, '0')}`, label })),
  );
}

describe('splitDataset', () => {
  const data = images({ cat: 50, dog: 20, fox: 2, owl: 1 });

  it('is deterministic for a seed and independent of input order', () => {
    const a = splitDataset(data, 0.2, 7);
    const b = splitDataset(shuffled(data, createRng(99)), 0.2, 7);
    expect(b).toEqual(a);
    expect(splitDataset(data, 0.2, 8)).not.toEqual(a);
  });

  it('stratifies per class and keeps a class of two on both sides', () => {
    const split = splitDataset(data, 0.2, 1);
    const counts = splitCounts(split, data);
    expect(counts.get('cat')).toEqual({ train: 40, val: 10 });
    expect(counts.get('dog')).toEqual({ train: 16, val: 4 });
    expect(counts.get('fox')).toEqual({ train: 1, val: 1 });
    expect(counts.get('owl')).toEqual({ train: 1, val: 0 });
    expect(new Set([...split.train, ...split.val]).size).toBe(data.length);
  });

  it('keeps one image on each side even at extreme fractions, and none in val at 0', () => {
    const few = images({ a: 3, b: 10 });
    expect(splitCounts(splitDataset(few, 0.01, 3), few).get('a')).toEqual({ train: 2, val: 1 });
    expect(splitCounts(splitDataset(few, 0.99, 3), few).get('b')).toEqual({ train: 1, val: 9 });
    expect(splitDataset(few, 0, 3).val).toEqual([]);
  });

  it('leaves other classes alone when a class is added', () => {
    const before = splitDataset(images({ cat: 30 }), 0.25, 5);
    const after = splitDataset(images({ cat: 30, dog: 12 }), 0.25, 5);
    expect(after.val.filter((id) => id.startsWith('cat'))).toEqual(before.val);
  });
});
