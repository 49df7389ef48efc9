import { describe, expect, it } from 'vitest';
import { clipMetrics, clipProbabilities } from './metrics';

describe('clip-level audio metrics', () => {
  it('averages windows per clip', () => {
    const probs = clipProbabilities(
      [
        [1, 0],
        [0, 1],
        [0.2, 0.8],
      ],
      [0, 0, 1],
      2,
      2,
    );
    expect(probs).toEqual([
      [0.5, 0.5],
      [0.2, 0.8],
    ]);
  });

  it('matches a hand count: accuracy, per-class P/R/F1, macro-F1 and UAR', () => {
    // Truth: a a a b c ; predicted: a a b b a
    const rows = [
      [0.9, 0.05, 0.05],
      [0.6, 0.3, 0.1],
      [0.2, 0.7, 0.1],
      [0.1, 0.8, 0.1],
      [0.5, 0.2, 0.3],
    ];
    const r = clipMetrics(rows, [0, 0, 0, 1, 2], ['1', '2', '3', '4', '5'], ['a', 'b', 'c'], 7);
    expect(r.accuracy).toBeCloseTo(3 / 5);
    expect(r.confusion).toEqual([
      [2, 1, 0],
      [0, 1, 0],
      [1, 0, 0],
    ]);
    // a: P 2/3, R 2/3; b: P 1/2, R 1; c: P null (never predicted), R 0.
    expect(r.perClass[0]!.precision).toBeCloseTo(2 / 3);
    expect(r.perClass[1]!.recall).toBe(1);
    expect(r.perClass[2]!.precision).toBeNull();
    expect(r.perClass[2]!.f1).toBeNull();
    expect(r.uar).toBeCloseTo((2 / 3 + 1 + 0) / 3);
    expect(r.macroF1).toBeCloseTo((2 / 3 + 2 / 3 + 0) / 3);
    const ce = -(Math.log(0.9) + Math.log(0.6) + Math.log(0.2) + Math.log(0.8) + Math.log(0.3)) / 5;
    expect(r.loss).toBeCloseTo(ce);
    expect(r.windows).toBe(7);
  });

  it('leaves classes without clips out of UAR', () => {
    const r = clipMetrics(
      [
        [0.9, 0.1],
        [0.8, 0.2],
      ],
      [0, 0],
      ['x', 'y'],
      ['a', 'b'],
      2,
    );
    expect(r.uar).toBe(1);
    expect(r.perClass[1]!.support).toBe(0);
  });
});
