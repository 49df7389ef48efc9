/** Pure summaries of an evaluation: per-class precision/recall/F1, a confusion cell's images, the worst mistakes. */
import type { EvalResult } from '../engine/types';

export type EvalPrediction = EvalResult['predictions'][number];

export interface ClassMetrics {
  label: string;
  /** Of the images predicted as this class, the fraction that are it; null when none were predicted as it. */
  precision: number | null;
  /** Of the images of this class, the fraction predicted as it; null when the class has no images. */
  recall: number | null;
  /** Harmonic mean of precision and recall; null when either is null, 0 when both are 0. */
  f1: number | null;
  /** Images of this class (the row's sum). */
  support: number;
}

/** From confusion[actual][predicted]. */
export function classMetrics(confusion: readonly (readonly number[])[], labels: readonly string[]): ClassMetrics[] {
  return labels.map((label, k) => {
    const tp = confusion[k]?.[k] ?? 0;
    const support = (confusion[k] ?? []).reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((sum, row) => sum + (row[k] ?? 0), 0);
    const precision = predicted > 0 ? tp / predicted : null;
    const recall = support > 0 ? tp / support : null;
    const f1 =
      precision === null || recall === null ? null : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support };
  });
}

/** Unweighted mean of the non-null values (macro average); null when there are none. */
export function macroAverage(values: readonly (number | null)[]): number | null {
  const xs = values.filter((v): v is number => v !== null);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

/** The predictions a confusion cell counts, most confident first. */
export function cellPredictions(predictions: readonly EvalPrediction[], actual: number, predicted: number): EvalPrediction[] {
  return predictions.filter((p) => p.actual === actual && p.predicted === predicted).sort((a, b) => b.confidence - a.confidence);
}

/** Wrong predictions, most confident first, at most `limit`. */
export function confidentMistakes(predictions: readonly EvalPrediction[], limit = 12): EvalPrediction[] {
  return predictions
    .filter((p) => p.actual !== p.predicted)
    .sort((a, b) => b.confidence - a.confidence || a.id.localeCompare(b.id))
    .slice(0, limit);
}
