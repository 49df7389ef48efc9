import { describe, expect, it } from 'vitest';
import { cellPredictions, classMetrics, confidentMistakes, macroAverage, type EvalPrediction } from './evalMetrics';

describe('classMetrics', () => {
  it('computes precision, recall, F1 and support from confusion[actual][predicted]', () => {
    // cat: 8 right, 2 called dog; dog: 1 called cat, 4 right; bird: none, never predicted.
    const m = classMetrics(
      [
        [8, 2, 0],
        [1, 4, 0],
        [0, 0, 0],
      ],
      ['cat', 'dog', 'bird'],
    );
    const [cat, dog, bird] = m;
    expect(cat).toMatchObject({ label: 'cat', support: 10 });
    expect(cat!.precision).toBeCloseTo(8 / 9);
    expect(cat!.recall).toBeCloseTo(0.8);
    expect(cat!.f1).toBeCloseTo((2 * (8 / 9) * 0.8) / (8 / 9 + 0.8));
    expect(dog!.precision).toBeCloseTo(4 / 6);
    expect(dog!.recall).toBeCloseTo(0.8);
    expect(dog!.support).toBe(5);
    expect(bird).toEqual({ label: 'bird', precision: null, recall: null, f1: null, support: 0 });
  });

  it('gives F1 0 when a class is never right, and macro-averages only defined values', () => {
    const m = classMetrics(
      [
        [0, 3],
        [2, 0],
      ],
      ['a', 'b'],
    );
    expect(m.map((r) => [r.precision, r.recall, r.f1])).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(macroAverage([0.5, null, 1])).toBeCloseTo(0.75);
    expect(macroAverage([null])).toBeNull();
  });
});

describe('galleries', () => {
  const p = (id: string, actual: number, predicted: number, confidence: number): EvalPrediction => ({ id, actual, predicted, confidence });
  const preds = [p('a', 0, 0, 0.9), p('b', 0, 1, 0.6), p('c', 1, 0, 0.95), p('d', 0, 1, 0.8), p('e', 1, 1, 0.7)];

  it('lists a cell’s images, most confident first', () => {
    expect(cellPredictions(preds, 0, 1).map((q) => q.id)).toEqual(['d', 'b']);
    expect(cellPredictions(preds, 1, 1).map((q) => q.id)).toEqual(['e']);
    expect(cellPredictions(preds, 1, 2)).toEqual([]);
  });

  it('lists the most confident mistakes, capped', () => {
    expect(confidentMistakes(preds).map((q) => q.id)).toEqual(['c', 'd', 'b']);
    expect(confidentMistakes(preds, 2).map((q) => q.id)).toEqual(['c', 'd']);
  });
});
