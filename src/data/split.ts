/** Seeded, stratified train/validation split. */
import { createRng, deriveSeed, shuffled } from '../lib/random';
import type { DatasetSplit } from './types';

export interface Labelled {
  id: string;
  label: string;
}

export interface SplitCount {
  train: number;
  val: number;
}

/**
 * Splits each class on its own, so every class keeps its share in validation. Deterministic for a
 * seed whatever the input order (ids are sorted first); each class is shuffled with a seed derived
 * from its name, so adding a class leaves the other classes' splits alone. When valFraction > 0,
 * a class of two or more images keeps at least one in train and one in validation.
 */
export function splitDataset(images: readonly Labelled[], valFraction: number, seed: number): DatasetSplit {
  const fraction = Number.isFinite(valFraction) ? Math.min(Math.max(valFraction, 0), 1) : 0;
  const train: string[] = [];
  const val: string[] = [];
  for (const [label, ids] of groupIds(images)) {
    const order = shuffled(ids, createRng(deriveSeed(seed, `split:${label}`)));
    const nVal = valCount(order.length, fraction);
    val.push(...order.slice(0, nVal));
    train.push(...order.slice(nVal));
  }
  return { train, val };
}

function valCount(n: number, fraction: number): number {
  if (fraction <= 0 || n < 2) return 0;
  return Math.min(Math.max(Math.round(n * fraction), 1), n - 1);
}

/** Unique ids per label, both sorted, so the result does not depend on input order. */
function groupIds(images: readonly Labelled[]): Array<[string, string[]]> {
  const groups = new Map<string, Set<string>>();
  for (const { id, label } of images) {
    const ids = groups.get(label) ?? new Set<string>();
    ids.add(id);
    groups.set(label, ids);
  }
  return [...groups.entries()].sort(([a], [b]) => compare(a, b)).map(([label, ids]) => [label, [...ids].sort(compare)]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Train and validation counts per class; classes with no image in the split are absent. */
export function splitCounts(split: DatasetSplit, images: readonly Labelled[]): Map<string, SplitCount> {
  const labelOf = new Map(images.map((i) => [i.id, i.label]));
  const counts = new Map<string, SplitCount>();
  const add = (ids: readonly string[], key: keyof SplitCount): void => {
    for (const id of ids) {
      const label = labelOf.get(id);
      if (label === undefined) continue;
      const c = counts.get(label) ?? { train: 0, val: 0 };
      c[key]++;
      counts.set(label, c);
    }
  };
  add(split.train, 'train');
  add(split.val, 'val');
  return counts;
}
