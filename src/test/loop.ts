/**
 * Driving the training loop directly in tests: a tiny seeded classifier, one call of `runTraining`,
 * weight snapshots, and seams that record what a layer received or returned while the loop ran.
 * Test code: reads back with dataSync (the engine itself never does).
 */
import * as tf from '@tensorflow/tfjs';
import { applyFreezing, composeClassifier } from '../models/head';
import { runTraining } from '../tasks/image-classification/runner';
import type { EngineEvent } from '../engine/engine';
import type { SampleSource } from '../engine/sources';
import { DEFAULT_SETTINGS, type TrainResult, type TrainSettings } from '../engine/types';
import { tinyBackbone } from './tiny';

export const LOOP_SIZE = 8;

/** The tiny backbone with a fresh head: the same weights every call (seeded initialisers). */
export function tinyClassifier(numClasses = 3, seed = 3): tf.LayersModel {
  return composeClassifier(tf, tinyBackbone(LOOP_SIZE), { numClasses, dropout: 0, seed });
}

export function loopSettings(over: Partial<TrainSettings> = {}): TrainSettings {
  return { ...DEFAULT_SETTINGS, imageSize: LOOP_SIZE, epochs: 1, batchSize: 8, learningRate: 0.05, dropout: 0, seed: 3, ...over };
}

/** Freezes `model` as the engine does and runs the loop once on it. */
export async function trainLoop(
  model: tf.LayersModel,
  settings: TrainSettings,
  train: SampleSource,
  val: SampleSource,
  onEvent: (e: EngineEvent) => void = () => {},
): Promise<TrainResult> {
  applyFreezing(model, new Set(settings.mode === 'fine-tune' ? settings.trainableLayers : []));
  return runTraining({
    tf,
    model,
    settings,
    numClasses: model.outputs[0]!.shape[1] as number,
    inputRange: [0, 1],
    train,
    val,
    onEvent,
    shouldStop: () => false,
  });
}

/** Every weight of every layer (moving statistics included), copied, keyed `layer/index`. */
export function weightsOf(model: tf.LayersModel): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const layer of model.layers)
    layer.weights.forEach((w, i) => out.set(`${layer.name}/${i}`, (w.read().dataSync() as Float32Array).slice()));
  return out;
}

/** after − before, per weight. */
export function deltas(before: Map<string, Float32Array>, after: Map<string, Float32Array>): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [k, b] of before)
    out.set(
      k,
      Float32Array.from(after.get(k)!, (x, i) => x - b[i]!),
    );
  return out;
}

export function bitEqual(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}

export interface Recorded {
  shape: number[];
  values: Float32Array;
  /** The `training` flag the loop passed (true only in a training step, for layers that act differently then). */
  training?: boolean;
}

/**
 * Records, per call, the first input `layer` receives (or, with `what: 'output'`, what it returns)
 * while the loop runs it. The loop calls `layer.apply` for every segment it runs, so this sees
 * exactly what reached (or left) that layer.
 */
export function recordLayer(layer: tf.layers.Layer, what: 'input' | 'output' = 'input', sink?: (r: Recorded) => void): Recorded[] {
  const seen: Recorded[] = [];
  const original = layer.apply.bind(layer);
  const keep = (t: unknown, training: unknown) => {
    if (!(t instanceof tf.Tensor)) return;
    const r = { shape: t.shape.slice(), values: (t.dataSync() as Float32Array).slice(), training: training === true };
    seen.push(r);
    sink?.(r);
  };
  layer.apply = ((inputs: Parameters<typeof original>[0], kwargs?: Parameters<typeof original>[1]) => {
    if (what === 'input') keep(Array.isArray(inputs) ? inputs[0] : inputs, kwargs?.training);
    const out = original(inputs, kwargs);
    if (what === 'output') keep(out, kwargs?.training);
    return out;
  }) as typeof layer.apply;
  return seen;
}

/** Rows of a recorded batch: `shape[0]` arrays of the per-example size. */
export function rowsOf(r: Recorded): Float32Array[] {
  const per = r.values.length / (r.shape[0] ?? 1);
  return Array.from({ length: r.shape[0] ?? 0 }, (_, i) => r.values.slice(i * per, (i + 1) * per));
}

export interface Decoded {
  indices: number[];
  pixels: Float32Array;
}

/** A source that logs every decode: which examples, and the pixels it handed out. */
export function loggingSource(inner: SampleSource, sink?: (d: Decoded) => void): SampleSource & { log: Decoded[] } {
  const log: Decoded[] = [];
  return {
    ids: inner.ids,
    labels: inner.labels,
    log,
    async pixels(indices, size) {
      const pixels = await inner.pixels(indices, size);
      const d = { indices: [...indices], pixels: pixels.slice() };
      log.push(d);
      sink?.(d);
      return pixels;
    },
  };
}

/** A byte-exact key for a row of floats. */
export function keyOf(row: Float32Array): string {
  return Buffer.from(row.buffer, row.byteOffset, row.byteLength).toString('base64');
}

export function maxAbs(a: Float32Array): number {
  return a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
}
