/** Segmentation metrics and loss against hand-computed values. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { addToConfusion, confusionRows, imageForegroundIou, segScores } from './metrics';
import { balancedClassWeights, batchConfusion, segLoss } from './runner';

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

describe('segScores', () => {
  it('gives IoU, Dice, precision and recall per class, foreground means and pixel accuracy', () => {
    // truth rows, predicted columns: background 8 right 2 called class 1; class 1: 3 right, 1 called 0; class 2: 4 right, 2 called 1.
    const s = segScores([
      [8, 2, 0],
      [1, 3, 0],
      [0, 2, 4],
    ]);
    expect(s.perClass[1]?.iou).toBeCloseTo(3 / (3 + 4 + 1), 10); // TP 3, FP 2+2, FN 1
    expect(s.perClass[1]?.dice).toBeCloseTo(6 / (6 + 4 + 1), 10);
    expect(s.perClass[2]?.iou).toBeCloseTo(4 / 6, 10);
    expect(s.perClass[2]?.precision).toBe(1);
    expect(s.perClass[2]?.recall).toBeCloseTo(4 / 6, 10);
    expect(s.meanIou).toBeCloseTo((3 / 8 + 4 / 6) / 2, 10);
    expect(s.pixelAccuracy).toBeCloseTo(15 / 20, 10);
    expect(s.pixels).toBe(20);
  });

  it('leaves a class out of the means when neither truth nor prediction has it', () => {
    const s = segScores([
      [5, 0, 0],
      [0, 5, 0],
      [0, 0, 0],
    ]);
    expect(s.perClass[2]?.iou).toBeNull();
    expect(s.meanIou).toBe(1);
  });

  it('counts pixels into the matrix, skipping the ignored ones, and scores one image', () => {
    const c = new Float64Array(9);
    addToConfusion(c, [0, 1, 1, 2, 255, 2], [0, 1, 2, 2, 1, 0], 3);
    expect(confusionRows(c, 3)).toEqual([
      [1, 0, 0],
      [0, 1, 1],
      [1, 0, 1],
    ]);
    expect(imageForegroundIou([0, 0, 0], [0, 0, 0], 3)).toBe(1);
    expect(imageForegroundIou([1, 1, 0, 0], [1, 0, 0, 0], 2)).toBeCloseTo(0.5, 10);
  });
});

describe('the loss', () => {
  it('is the mean pixel cross-entropy over counted pixels plus 1 − soft Dice, and the confusion of a batch', async () => {
    const probs = [
      [0.7, 0.2, 0.1],
      [0.1, 0.8, 0.1],
      [0.3, 0.3, 0.4],
      [0.5, 0.25, 0.25],
    ];
    const mask = [0, 1, 2, 255];
    const counted = [0, 1, 2];
    const ce = -counted.reduce((s, i) => s + Math.log((probs[i] as number[])[mask[i] as number] as number), 0) / 3;
    let diceSum = 0;
    for (let c = 0; c < 3; c++) {
      const inter = counted.reduce((s, i) => s + (mask[i] === c ? ((probs[i] as number[])[c] as number) : 0), 0);
      const p = counted.reduce((s, i) => s + ((probs[i] as number[])[c] as number), 0);
      const g = counted.filter((i) => mask[i] === c).length;
      diceSum += (2 * inter + 1) / (p + g + 1);
    }
    const expected = ce + (1 - diceSum / 3);
    const [loss, confusion] = tf.tidy(() => {
      const p = tf.tensor4d(probs.flat(), [1, 2, 2, 3]);
      const m = tf.tensor3d(mask, [1, 2, 2], 'int32');
      return [segLoss(tf, p, m, 3, { diceWeight: 1, classWeights: null }).loss, batchConfusion(tf, p, m, 3)];
    });
    expect((await (loss as tf.Tensor).data())[0]).toBeCloseTo(expected, 5);
    expect(Array.from(await (confusion as tf.Tensor).data())).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    tf.dispose([loss as tf.Tensor, confusion as tf.Tensor]);
  });

  it('weighs rare classes up with balanced weights, a pixel weighing 1 on average', () => {
    const w = balancedClassWeights([900, 90, 10, 0]);
    expect(w[3]).toBe(0);
    expect(w[2]).toBeGreaterThan(w[1] as number);
    expect(w[1]).toBeGreaterThan(w[0] as number);
    expect((900 * (w[0] as number) + 90 * (w[1] as number) + 10 * (w[2] as number)) / 1000).toBeCloseTo(1, 10);
    expect((w[2] as number) / (w[0] as number)).toBeCloseTo(Math.sqrt(90), 6);
  });
});
