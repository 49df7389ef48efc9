import { describe, expect, it } from 'vitest';
import { confusionOf, scoresOf, segQualityMarkdown } from './seg-quality.mjs';

describe('segmentation quality arithmetic', () => {
  it('counts pixels over the whole set and scores IoU per class from the confusion matrix', () => {
    // Two 4-pixel images, classes 0 (background), 1, 2.
    const truth = [Uint8Array.from([0, 0, 1, 1]), Uint8Array.from([0, 2, 2, 2])];
    const predicted = [Uint8Array.from([0, 1, 1, 1]), Uint8Array.from([0, 2, 2, 0])];
    const m = confusionOf(truth, predicted, 3);
    expect(m).toEqual([
      [2, 1, 0],
      [0, 2, 0],
      [1, 0, 2],
    ]);
    const s = scoresOf(m);
    // background: TP 2, FP 1, FN 1 → 2/4; class 1: TP 2, FP 1 → 2/3; class 2: TP 2, FN 1 → 2/3.
    expect(s.per_class_iou).toEqual([0.5, 2 / 3, 2 / 3]);
    expect(s.foreground_mean_iou).toBeCloseTo(2 / 3, 12);
    expect(s.pixel_accuracy).toBe(6 / 8);
  });

  it('leaves a class that is neither in the truth nor predicted out of the foreground mean', () => {
    const s = scoresOf(confusionOf([Uint8Array.from([0, 1])], [Uint8Array.from([0, 1])], 3));
    expect(s.per_class_iou).toEqual([1, 1, null]);
    expect(s.foreground_mean_iou).toBe(1);
  });

  it('says a failed measurement failed', () => {
    expect(segQualityMarkdown({ error: 'no model' })).toBe('Segmentation quality: failed (no model)');
    expect(segQualityMarkdown(null)).toBe('');
  });
});
