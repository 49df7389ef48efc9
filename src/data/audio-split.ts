/**
 * The seeded, group-aware train/validation split of audio clips. A group is a speaker or a session
 * (`audioGroupOf`): all its clips land on one side, in every class, so validation measures the
 * model on voices it never trained on. Within that rule each class gets about `validationSplit` of
 * its clips in validation, and a class whose clips come from two or more groups gets clips on both
 * sides whenever the groups allow it. With every clip its own group (no key) this is the image
 * split (`splitDataset`), clip by clip.
 */
import { createRng, deriveSeed, shuffled } from '../lib/random';
import { splitDataset } from './split';

interface Group {
  name: string;
  /** Clips of the group per class (by class index). */
  counts: Map<number, number>;
  ids: string[];
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Clips a class puts in validation: as the image split does (one at least, never all). */
function valTarget(n: number, fraction: number): number {
  if (fraction <= 0 || n < 2) return 0;
  return Math.min(Math.max(Math.round(n * fraction), 1), n - 1);
}

/**
 * Splits clip ids into train and validation. Deterministic for the inputs whatever their order
 * (clips are sorted by id, groups by name, then shuffled with the seed).
 */
export function audioSplitOf<T extends { id: string; label: string }>(
  clips: readonly T[],
  validationSplit: number,
  seed: number,
  groupOf: (c: T) => string,
): { train: string[]; val: string[] } {
  const fraction = Number.isFinite(validationSplit) ? Math.min(Math.max(validationSplit, 0), 1) : 0;
  const unique = new Map<string, T>();
  for (const c of clips) if (!unique.has(c.id)) unique.set(c.id, c);
  const sorted = [...unique.values()].sort((a, b) => compare(a.id, b.id));
  const labels = [...new Set(sorted.map((c) => c.label))].sort(compare);
  const classOf = new Map(labels.map((l, i) => [l, i]));
  const byName = new Map<string, Group>();
  for (const c of sorted) {
    const name = groupOf(c);
    const g: Group = byName.get(name) ?? { name, counts: new Map<number, number>(), ids: [] };
    const k = classOf.get(c.label) ?? 0;
    g.counts.set(k, (g.counts.get(k) ?? 0) + 1);
    g.ids.push(c.id);
    byName.set(name, g);
  }
  // No group holds two clips: the clip-by-clip split of images (per class, seeded by class name).
  if ([...byName.values()].every((g) => g.ids.length === 1)) return splitDataset(sorted, fraction, seed);

  const groups = shuffled(
    [...byName.values()].sort((a, b) => compare(a.name, b.name)),
    createRng(deriveSeed(seed, 'audio-split')),
  );
  const size = labels.map(() => 0);
  const groupsOf = labels.map(() => 0);
  for (const g of groups) {
    for (const [k, n] of g.counts) {
      size[k] = (size[k] ?? 0) + n;
      groupsOf[k] = (groupsOf[k] ?? 0) + 1;
    }
  }
  const target = size.map((n) => valTarget(n, fraction));
  const inVal = labels.map(() => 0);
  // A class's cost: how far its share in validation is from the target, plus a large penalty when a
  // class that could be on both sides is not.
  const classCost = (k: number, v: number): number => {
    const n = size[k] ?? 1;
    const miss = (v - (target[k] ?? 0)) / n;
    const bothSidesPossible = fraction > 0 && (groupsOf[k] ?? 0) >= 2;
    return miss * miss + (bothSidesPossible && (v === 0 || v === n) ? 10 : 0);
  };
  /** How the total cost changes when `g` moves to validation (sign +1) or back to train (−1). */
  const delta = (g: Group, sign: 1 | -1): number => {
    let d = 0;
    for (const [k, n] of g.counts) {
      const v = inVal[k] ?? 0;
      d += classCost(k, v + sign * n) - classCost(k, v);
    }
    return d;
  };
  const move = (g: Group, sign: 1 | -1) => {
    for (const [k, n] of g.counts) inVal[k] = (inVal[k] ?? 0) + sign * n;
  };
  const val = new Set<Group>();
  if (fraction > 0) {
    // Greedy in the seeded order, then single moves while any lowers the cost.
    for (const g of groups) {
      if (delta(g, 1) < 0) {
        move(g, 1);
        val.add(g);
      }
    }
    for (let pass = 0, improved = true; improved && pass < 20; pass++) {
      improved = false;
      for (const g of groups) {
        const sign = val.has(g) ? -1 : 1;
        if (delta(g, sign) < -1e-12) {
          move(g, sign);
          if (sign === 1) val.add(g);
          else val.delete(g);
          improved = true;
        }
      }
    }
  }
  const train: string[] = [];
  const valIds: string[] = [];
  for (const g of groups) (val.has(g) ? valIds : train).push(...g.ids);
  return { train: train.sort(compare), val: valIds.sort(compare) };
}
