/**
 * Clip-level evaluation of an audio classifier: a clip's class probabilities are the mean of its
 * windows'; from them accuracy, the cross-entropy, the confusion matrix, per-class precision, recall
 * and F1, macro-F1, and the unweighted average recall (the mean of the classes' recalls — the
 * speech-emotion standard, blind to how many clips each class has). Plain arithmetic, no tfjs.
 */
import type { AudioClassMetrics, AudioEvalResult } from './types';

/** The mean of each clip's window rows: `windowProbs[i]` belongs to clip `clipOf[i]`. */
export function clipProbabilities(windowProbs: readonly number[][], clipOf: ArrayLike<number>, clips: number, classes: number): number[][] {
  const sums = Array.from({ length: clips }, () => new Array<number>(classes).fill(0));
  const counts = new Array<number>(clips).fill(0);
  windowProbs.forEach((row, i) => {
    const c = clipOf[i] ?? 0;
    const sum = sums[c] as number[];
    row.forEach((p, k) => (sum[k] = (sum[k] ?? 0) + p));
    counts[c] = (counts[c] ?? 0) + 1;
  });
  return sums.map((sum, c) => sum.map((v) => v / Math.max(1, counts[c] ?? 0)));
}

const argMax = (row: readonly number[]) => row.reduce((best, v, i) => (v > (row[best] ?? -Infinity) ? i : best), 0);
const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/** Everything the evaluate step shows, from each clip's probabilities and true class. */
export function clipMetrics(
  probabilities: number[][],
  actual: readonly number[],
  ids: readonly string[],
  labels: readonly string[],
  windows: number,
): AudioEvalResult {
  const k = labels.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let lossSum = 0;
  const predictions = probabilities.map((row, i) => {
    const a = actual[i] ?? 0;
    const predicted = argMax(row);
    (confusion[a] as number[])[predicted]! += 1;
    lossSum += -Math.log(Math.max(row[a] ?? 0, 1e-7));
    return { id: ids[i] ?? String(i), actual: a, predicted, confidence: row[predicted] ?? 0 };
  });
  const n = predictions.length;
  const perClass: AudioClassMetrics[] = labels.map((_, c) => {
    const tp = confusion[c]?.[c] ?? 0;
    const support = (confusion[c] ?? []).reduce((x, y) => x + y, 0);
    const predictedAs = confusion.reduce((x, row) => x + (row[c] ?? 0), 0);
    const precision = ratio(tp, predictedAs);
    const recall = ratio(tp, support);
    const f1 = precision === null || recall === null ? null : precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support };
  });
  const present = perClass.filter((m) => m.support > 0);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
  return {
    accuracy: n ? predictions.filter((p) => p.actual === p.predicted).length / n : Number.NaN,
    loss: n ? lossSum / n : Number.NaN,
    confusion,
    labels: [...labels],
    predictions,
    perClass,
    // A class with clips that nothing was predicted as has precision 0 (not "n/a") in the macro mean.
    macroF1: mean(present.map((m) => m.f1 ?? 0)),
    uar: mean(present.map((m) => m.recall ?? 0)),
    windows,
    probabilities,
  };
}
