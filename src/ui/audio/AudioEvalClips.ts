/** Pure helpers of the audio evaluation views: a confusion cell's clips, and the top class of a prediction. */
import type { AudioClipItem, EvalPrediction } from '../../state';

export interface CellClip {
  id: string;
  /** The clip's file name; its id when the clip has left the dataset since the evaluation. */
  name: string;
  /** The file to play; null when the clip is no longer loaded. */
  file: Blob | null;
  /** Class indices: the truth and the model's answer. */
  actual: number;
  predicted: number;
  /** The model's probability for the predicted class (the mean over the clip's windows). */
  confidence: number;
}

/** The clips behind predictions (a cell's, or the worst mistakes), in the same order, found by id. */
export function clipsOf(predictions: readonly EvalPrediction[], clips: readonly Pick<AudioClipItem, 'id' | 'name' | 'file'>[]): CellClip[] {
  const byId = new Map(clips.map((c) => [c.id, c]));
  return predictions.map((p) => {
    const clip = byId.get(p.id);
    return {
      id: p.id,
      name: clip?.name ?? p.id,
      file: clip?.file ?? null,
      actual: p.actual,
      predicted: p.predicted,
      confidence: p.confidence,
    };
  });
}

export interface TopClass {
  index: number;
  label: string;
  p: number;
}

/** The most probable class (the first on a tie); null for no probabilities. */
export function topClass(probabilities: readonly number[], labels: readonly string[]): TopClass | null {
  let best = -1;
  probabilities.forEach((p, i) => {
    if (best < 0 || p > (probabilities[best] ?? -Infinity)) best = i;
  });
  if (best < 0) return null;
  return { index: best, label: labels[best] ?? `class ${best}`, p: probabilities[best] ?? 0 };
}
