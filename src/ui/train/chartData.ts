import type { BatchMetrics, EpochMetrics } from '../../engine/types';

/** At most `max` points, evenly picked (the last one always kept). */
export function thin<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return items.slice();
  const out: T[] = [];
  const stride = items.length / max;
  for (let i = 0; i < max - 1; i++) out.push(items[Math.floor(i * stride)] as T);
  out.push(items[items.length - 1] as T);
  return out;
}

/** Batch losses with x in epochs (step / batches per epoch: batch b of epoch e sits just before x = e). */
export function batchLossPoints(
  items: readonly Pick<BatchMetrics, 'step' | 'batches' | 'loss'>[],
  max = 400,
): { x: number; batchLoss: number }[] {
  return thin(items, max).map((m) => ({ x: m.step / Math.max(1, m.batches), batchLoss: m.loss }));
}

export function epochPoints(history: readonly EpochMetrics[]) {
  return history.map((h) => ({
    x: h.epoch,
    trainLoss: h.loss,
    valLoss: h.valLoss,
    trainAcc: h.accuracy,
    valAcc: h.valAccuracy,
    /** Segmentation runs only: validation foreground mean IoU. */
    valIou: h.valIou ?? null,
  }));
}
