/**
 * Segmentation metrics from a pixel confusion matrix: per-class IoU and Dice (dataset level: the
 * pixels of every image counted together), their means over the foreground classes, pixel accuracy,
 * and each image's own foreground IoU for the worst-first gallery. Pure: plain arrays, no tfjs.
 * Pixels whose truth is `IGNORE_CLASS` (255) are left out everywhere.
 */
import { IGNORE_CLASS } from '../../data/segmentation';

export interface ClassScores {
  /** TP / (TP + FP + FN); null when the class is in neither the truth nor the prediction. */
  iou: number | null;
  /** 2·TP / (2·TP + FP + FN); null likewise. */
  dice: number | null;
  /** TP / (TP + FP); null when never predicted. */
  precision: number | null;
  /** TP / (TP + FN); null when never in the truth. */
  recall: number | null;
  /** Pixels of the class in the truth. */
  support: number;
}

export interface SegScores {
  perClass: ClassScores[];
  /** Mean IoU over the foreground classes (1…) that have one; NaN when none has. */
  meanIou: number;
  /** Mean Dice over the same classes. */
  meanDice: number;
  /** Correct pixels over all counted pixels. */
  pixelAccuracy: number;
  /** Pixels counted. */
  pixels: number;
}

/** Adds one image's pixels to `confusion[truth][predicted]` (a numClasses² row-major array); 255 in `truth` is skipped. */
export function addToConfusion(confusion: Float64Array, truth: ArrayLike<number>, predicted: ArrayLike<number>, numClasses: number): void {
  if (truth.length !== predicted.length)
    throw new RangeError(`addToConfusion: ${truth.length} truth pixels, ${predicted.length} predicted`);
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i] as number;
    if (t === IGNORE_CLASS || t >= numClasses) continue;
    const p = predicted[i] as number;
    confusion[t * numClasses + p] = (confusion[t * numClasses + p] ?? 0) + 1;
  }
}

/** The matrix as rows (confusion[truth][predicted]). */
export function confusionRows(confusion: ArrayLike<number>, numClasses: number): number[][] {
  return Array.from({ length: numClasses }, (_, t) => Array.from({ length: numClasses }, (_, p) => confusion[t * numClasses + p] ?? 0));
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

function mean(values: readonly (number | null)[]): number {
  const v = values.filter((x): x is number => x !== null);
  return v.length ? v.reduce((s, x) => s + x, 0) / v.length : Number.NaN;
}

/** Scores of a confusion matrix given as rows (confusion[truth][predicted]). */
export function segScores(confusion: readonly (readonly number[])[]): SegScores {
  const k = confusion.length;
  const rowSum = confusion.map((r) => r.reduce((s, x) => s + x, 0));
  const colSum = Array.from({ length: k }, (_, p) => confusion.reduce((s, r) => s + (r[p] ?? 0), 0));
  const perClass: ClassScores[] = confusion.map((row, c) => {
    const tp = row[c] ?? 0;
    const fn = (rowSum[c] ?? 0) - tp;
    const fp = (colSum[c] ?? 0) - tp;
    return {
      iou: ratio(tp, tp + fp + fn),
      dice: ratio(2 * tp, 2 * tp + fp + fn),
      precision: ratio(tp, tp + fp),
      recall: ratio(tp, tp + fn),
      support: rowSum[c] ?? 0,
    };
  });
  const pixels = rowSum.reduce((s, x) => s + x, 0);
  const correct = confusion.reduce((s, r, c) => s + (r[c] ?? 0), 0);
  const fg = perClass.slice(1);
  return {
    perClass,
    meanIou: mean(fg.map((c) => c.iou)),
    meanDice: mean(fg.map((c) => c.dice)),
    pixelAccuracy: pixels > 0 ? correct / pixels : Number.NaN,
    pixels,
  };
}

/**
 * One image's foreground mean IoU (the gallery sorts by it, worst first): over the foreground classes
 * in its truth or its prediction; 1 when neither holds any foreground (nothing to find, nothing found).
 */
export function imageForegroundIou(truth: ArrayLike<number>, predicted: ArrayLike<number>, numClasses: number): number {
  const confusion = new Float64Array(numClasses * numClasses);
  addToConfusion(confusion, truth, predicted, numClasses);
  const m = segScores(confusionRows(confusion, numClasses)).meanIou;
  return Number.isNaN(m) ? 1 : m;
}
