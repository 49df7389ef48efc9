import { describe, expect, it } from 'vitest';
import type { EpochMetrics } from '../../engine/types';
import { batchLossPoints, epochPoints, thin } from './chartData';

const epoch = (n: number, valIou?: number | null): EpochMetrics => ({
  epoch: n,
  learningRate: 0.001,
  trainableParams: 10,
  loss: 1 / n,
  accuracy: 0.5,
  valLoss: null,
  valAccuracy: 0.4,
  valIou,
  ms: 1,
  numTensors: 0,
});

describe('chart points', () => {
  it('gives every chart of a run the same epoch points: losses, accuracies and (segmentation) IoU', () => {
    const points = epochPoints([epoch(1, 0.25), epoch(2), epoch(3, null)]);
    expect(points.map((p) => p.x)).toEqual([1, 2, 3]);
    expect(points[0]).toMatchObject({ trainLoss: 1, valLoss: null, trainAcc: 0.5, valAcc: 0.4, valIou: 0.25 });
    // An epoch without IoU (a classifier's, or a segmentation epoch not measured) is a gap, never 0.
    expect(points.map((p) => p.valIou)).toEqual([0.25, null, null]);
  });

  it('thins long series evenly and keeps the last point', () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const kept = thin(items, 300);
    expect(kept).toHaveLength(300);
    expect(kept[0]).toBe(0);
    expect(kept[kept.length - 1]).toBe(999);
    expect(thin([1, 2], 300)).toEqual([1, 2]);
  });

  it('places batch losses in epochs', () => {
    expect(batchLossPoints([{ step: 5, batches: 10, loss: 0.7 }])).toEqual([{ x: 0.5, batchLoss: 0.7 }]);
  });
});
