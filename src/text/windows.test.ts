import { describe, expect, it } from 'vitest';
/** Any id: the windows only copy it. */
const PAD_ID = 999;
import { makeWindows, sampleWindows, windowBatch } from './windows';

const seq = (n: number) => Int32Array.from({ length: n }, (_, i) => i % 200);

/** How often each target position 1..n-1 is weighted. */
function coverage(n: number, T: number, offset: number): number[] {
  const w = makeWindows(seq(n), T, offset, PAD_ID);
  const counts = new Array<number>(n).fill(0);
  const starts: number[] = [];
  // Recover each window's start from its first id (ids are i % 200, n < 200 here).
  for (let k = 0; k < w.count; k++) starts.push(w.ids[k * (T + 1)] as number);
  starts.forEach((s, k) => {
    for (let j = 0; j < T; j++) if (w.weights[k * T + j] === 1) counts[s + j + 1]!++;
  });
  return counts.slice(1);
}

describe('LM windows', () => {
  it('weights every target exactly once, for any offset', () => {
    for (const offset of [0, 1, 5, 7]) expect(coverage(50, 8, offset).every((c) => c === 1)).toBe(true);
  });

  it('a short text still gives one padded window; fewer than 2 bytes give none', () => {
    const w = makeWindows(seq(5), 16, 0, PAD_ID);
    expect(w.count).toBe(1);
    expect(Array.from(w.ids.subarray(0, 6))).toEqual([0, 1, 2, 3, 4, PAD_ID]);
    expect(w.weights.reduce((a, b) => a + b, 0)).toBe(4);
    expect(makeWindows(seq(1), 16, 0, PAD_ID).count).toBe(0);
  });

  it('batches pad to fixed rows with weight 0; sampling is evenly spaced', () => {
    const w = makeWindows(seq(100), 8, 0, PAD_ID);
    const b = windowBatch(w, [0, 2], 4);
    expect(b.ids.length).toBe(4 * 9);
    expect(b.targets).toBe(16);
    expect(b.ids[3 * 9]).toBe(PAD_ID);
    const s = sampleWindows(w, 3);
    expect(s.count).toBe(3);
    expect(sampleWindows(w).count).toBe(w.count);
  });
});
