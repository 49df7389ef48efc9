/**
 * Language-model training windows: a token sequence cut into windows of contextLength + 1 ids
 * (inputs and next-token targets), with per-target weights so every target token counts exactly once
 * and padding counts zero. Pure typed-array code.
 */

export interface Windows {
  /** Row-major [count, T + 1]; `pad` past the end of the text. */
  ids: Int32Array;
  /** Row-major [count, T]: 1 where the target at that position is a real token counted by this window. */
  weights: Float32Array;
  count: number;
  /** T: inputs per window. */
  length: number;
  /** The padding id (weighted 0): the tokenizer's. */
  pad: number;
}

/**
 * Windows over `ids` with T inputs each. With `offset` r > 0 (a per-epoch shift of the cut points)
 * the first window covers targets 1..r and the others start at r, r + T, …; with r = 0 they start at
 * 0, T, 2T, …. Targets 1..n−1 are each weighted once. A sequence of 2+ ids always gives ≥ 1 window
 * (the last one padded); fewer than 2 ids give none.
 */
export function makeWindows(ids: Int32Array, T: number, offset: number, pad: number): Windows {
  const n = ids.length;
  const spans: Array<{ start: number; limit: number }> = [];
  if (n >= 2) {
    const r = Math.max(0, Math.min(Math.floor(offset), T - 1, n - 2));
    if (r > 0) spans.push({ start: 0, limit: r + 1 });
    for (let s = r; s < n - 1; s += T) spans.push({ start: s, limit: n });
  }
  const out = new Int32Array(spans.length * (T + 1)).fill(pad);
  const weights = new Float32Array(spans.length * T);
  spans.forEach(({ start, limit }, w) => {
    const end = Math.min(n, start + T + 1);
    out.set(ids.subarray(start, end), w * (T + 1));
    for (let j = 0; j < T && start + j + 1 < limit; j++) weights[w * T + j] = 1;
  });
  return { ids: out, weights, count: spans.length, length: T, pad };
}

/** At most `max` windows, evenly spaced (deterministic); all of them when `max` is absent or larger. */
export function sampleWindows(windows: Windows, max?: number): Windows {
  if (max === undefined || max >= windows.count) return windows;
  const keep = Math.max(1, Math.floor(max));
  const T = windows.length;
  const ids = new Int32Array(keep * (T + 1));
  const weights = new Float32Array(keep * T);
  for (let k = 0; k < keep; k++) {
    const i = Math.floor((k * windows.count) / keep);
    ids.set(windows.ids.subarray(i * (T + 1), (i + 1) * (T + 1)), k * (T + 1));
    weights.set(windows.weights.subarray(i * T, (i + 1) * T), k * T);
  }
  return { ids, weights, count: keep, length: T, pad: windows.pad };
}

/**
 * One fixed-shape batch [rows, T + 1] of the windows at `indices`; rows past the indices are all
 * PAD with weight 0. Returns the real target count too (for token-weighted means).
 */
export function windowBatch(
  windows: Windows,
  indices: readonly number[],
  rows: number,
): { ids: Int32Array; weights: Float32Array; targets: number } {
  const T = windows.length;
  const ids = new Int32Array(rows * (T + 1)).fill(windows.pad);
  const weights = new Float32Array(rows * T);
  let targets = 0;
  indices.forEach((i, r) => {
    ids.set(windows.ids.subarray(i * (T + 1), (i + 1) * (T + 1)), r * (T + 1));
    const w = windows.weights.subarray(i * T, (i + 1) * T);
    weights.set(w, r * T);
    for (let j = 0; j < T; j++) targets += w[j] as number;
  });
  return { ids, weights, targets };
}
