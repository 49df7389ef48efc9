/**
 * Per-epoch checkpoints of a run: every piece of named state that can change (for images the weights
 * of the head and the chosen backbone layers, batch-norm statistics included; for text the trainable
 * variables) and the optimizers' moments, as one float32 ArrayBuffer and its specs. Enough to
 * continue the run from the next epoch exactly.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { concatFloat32 } from '../lib/arrays';
import type { FlatOptimizer } from './flat-optimizer';
import type { StateEntry } from './loop';

type Tf = typeof tfTypes;

export interface CheckpointSpec {
  /** A layer or variable name, or `#opt-head` / `#opt-backbone` for an optimizer's moment vectors. */
  layer: string;
  /** The weight's index in `layer.weights` (or the optimizer slot: 0 = m, 1 = v). */
  index: number;
  shape: number[];
}

export interface Checkpoint {
  /** Epochs completed when it was taken. */
  epoch: number;
  specs: CheckpointSpec[];
  /** float32 values of every spec, in order. */
  weights: ArrayBuffer;
  /** Optimizer step counts (Adam's bias correction needs them). */
  optimizerSteps: { head: number; backbone: number };
  /** Early stopping's state when it is on, so a resumed run stops (and restores) like an uninterrupted one. */
  stopping?: StoppingState;
  /**
   * The weights the model holds at the end of the run (after restoring the best epoch, or a stop
   * mid-epoch), with no optimizer moments: what makes a finished run's model current again.
   */
  final?: boolean;
}

export interface StoppingState {
  /** The best monitored value so far, and the epoch that reached it. */
  bestValue: number | null;
  bestEpoch: number | null;
  /** Epochs since the best one. */
  sinceBest: number;
  /** The layer weights (the checkpoint's layer specs, in order) at the best epoch, when "restore best" is on. */
  bestWeights: ArrayBuffer | null;
}

/** Every weight of `layers` (of one model) as named state, keyed like a checkpoint's specs: what an image run checkpoints and restores. */
export function layerState(layers: readonly tfTypes.layers.Layer[]): StateEntry[] {
  return layers.flatMap((l) =>
    l.weights.map(
      (w, index) => ({ layer: l.name, index, read: () => w.read(), write: (t: tfTypes.Tensor) => w.write(t) }) satisfies StateEntry,
    ),
  );
}

/** The layer weights of a checkpoint (its specs minus the optimizers' moments), in spec order. */
export function layerWeightsOf(cp: Checkpoint): Float32Array {
  const all = new Float32Array(cp.weights);
  const parts: Float32Array[] = [];
  let at = 0;
  for (const spec of cp.specs) {
    const n = sizeOf(spec.shape);
    if (!spec.layer.startsWith('#')) parts.push(all.subarray(at, at + n));
    at += n;
  }
  return concatFloat32(parts);
}

/** A checkpoint holding only `weights` for the layer specs of `cp` (to restore the best epoch's weights). */
export function withLayerWeights(cp: Checkpoint, weights: ArrayBuffer, epoch: number): Checkpoint {
  return { epoch, specs: cp.specs.filter((s) => !s.layer.startsWith('#')), weights, optimizerSteps: { head: 0, backbone: 0 } };
}

/**
 * The layer weights a finished run's model held, from its stored checkpoint: a `final` one as it is;
 * an older per-epoch one with the best epoch's weights when early stopping restored them
 * (`bestEpoch`: the epoch the run's record says the model holds).
 */
export function heldWeights(cp: Checkpoint, bestEpoch: number | null): Checkpoint {
  if (cp.final) return cp;
  const best = cp.stopping;
  if (best?.bestWeights && bestEpoch !== null && best.bestEpoch === bestEpoch && bestEpoch !== cp.epoch) {
    return withLayerWeights(cp, best.bestWeights, bestEpoch);
  }
  return cp;
}

const OPT = { head: '#opt-head', backbone: '#opt-backbone' } as const;

/** The values of `state` and the optimizers' moments after `epoch` completed epochs. */
export async function captureCheckpoint(
  state: readonly StateEntry[],
  epoch: number,
  optimizers: { head: FlatOptimizer | null; backbone: FlatOptimizer | null },
): Promise<Checkpoint> {
  const specs: CheckpointSpec[] = [];
  const tensors: tfTypes.Tensor[] = [];
  for (const entry of state) {
    const t = entry.read();
    specs.push({ layer: entry.layer, index: entry.index, shape: [...t.shape] });
    tensors.push(t);
  }
  const steps = { head: 0, backbone: 0 };
  for (const key of ['head', 'backbone'] as const) {
    const opt = optimizers[key];
    if (!opt) continue;
    const st = opt.state();
    steps[key] = st.t;
    st.slots.forEach((slot, index) => {
      if (!slot) return;
      specs.push({ layer: OPT[key], index, shape: [...slot.shape] });
      tensors.push(slot);
    });
  }
  const arrays = await Promise.all(tensors.map((t) => t.data() as Promise<Float32Array>));
  return { epoch, specs, weights: concatFloat32(arrays).buffer as ArrayBuffer, optimizerSteps: steps };
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Writes the checkpoint's values into the matching `state` entries (an entry whose shape differs is left alone). */
export function restoreState(tf: Tf, state: readonly StateEntry[], cp: Checkpoint): void {
  const byKey = new Map(state.map((e) => [`${e.layer}#${e.index}`, e]));
  const all = new Float32Array(cp.weights);
  let at = 0;
  for (const spec of cp.specs) {
    const n = sizeOf(spec.shape);
    const values = all.subarray(at, at + n);
    at += n;
    if (spec.layer.startsWith('#')) continue;
    const entry = byKey.get(`${spec.layer}#${spec.index}`);
    if (!entry || entry.read().shape.join() !== spec.shape.join()) continue;
    const t = tf.tensor(values, spec.shape);
    entry.write(t);
    t.dispose();
  }
}

/** Restores an optimizer's moments from the checkpoint, if it holds them. */
export function restoreOptimizer(opt: FlatOptimizer | null, cp: Checkpoint, key: 'head' | 'backbone'): void {
  if (!opt) return;
  const all = new Float32Array(cp.weights);
  const slots: (Float32Array | null)[] = [null, null];
  let at = 0;
  let found = false;
  for (const spec of cp.specs) {
    const n = sizeOf(spec.shape);
    if (spec.layer === OPT[key]) {
      slots[spec.index] = all.slice(at, at + n);
      found = true;
    }
    at += n;
  }
  if (found) opt.restore(cp.optimizerSteps[key], slots);
}
