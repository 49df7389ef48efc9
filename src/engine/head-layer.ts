/**
 * Which layer the new head reads. A pre-trained network's last blocks are specialised to the task
 * it was trained on; on data far from that task, an earlier block's features transfer better
 * (Yosinski et al. 2014, "How transferable are features in deep neural networks?"). The bundled
 * MobileNetV2 was trained to sort photos for nsfwjs, and on the shapes sample a head on `block_12_add`
 * beats one on `out_relu` by 0.89 to 0.77 (scripts/defaults-study.ts).
 *
 * Auto decides from the person's own training images: it pools the features of the last few block
 * ends (and the model's output), fits a linear softmax probe on each by k-fold cross-validation inside
 * the training split (the validation split is never looked at), and keeps the layer whose probe
 * classifies the held-out folds best. The model's output is kept unless another layer does clearly
 * better, and of layers that score about the same the earliest is taken. Pure arithmetic on pooled features, so it runs the same on every backend.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { concatFloat32 } from '../lib/arrays';
import { createRng, deriveSeed } from '../lib/random';
import { blockOf, outputShapeOf } from '../models/inspect';

type Tf = typeof tfTypes;

/** `'auto'`: chosen from the data when a run starts; `'output'`: the model's own output; otherwise a layer name. */
export type HeadLayerSetting = 'auto' | 'output' | (string & {});

/** How many block ends below the output Auto considers. */
export const AUTO_CANDIDATE_BLOCKS = 6;
/** Training images the probe looks at, at most (spread evenly over the classes). */
export const AUTO_PROBE_IMAGES = 400;
/** Probe accuracies this close count as a tie (see pickHeadLayer). */
export const AUTO_TIE = 0.03;
/** Another layer must beat the output's cross-validated accuracy by this much to be chosen. */
export const AUTO_MARGIN = 0.03;

export interface ProbeScore {
  layer: string;
  /** Mean accuracy over the held-out folds, 0..1. */
  accuracy: number;
  /** Mean cross-entropy over the held-out folds. */
  loss: number;
}

export interface HeadLayerChoice {
  /** `'output'` or the chosen layer's name. */
  layer: string;
  /** One sentence for the person: what was chosen and why. */
  reason: string;
  /** Every candidate's probe score, the output first. */
  scores: ProbeScore[];
  folds: number;
  images: number;
}

/** A layer as the candidate list sees it (a model's layer, or a row of the model view's table). */
export interface LayerShape {
  name: string;
  block: string;
  outputShape: readonly (number | null)[];
}

/**
 * The layers a head can read: ends of the last blocks whose output is a feature map. `layers` are all
 * of a model's layers in order; the last one is its output, never a candidate.
 */
export function blockEnds(layers: readonly LayerShape[], blocks = AUTO_CANDIDATE_BLOCKS): string[] {
  const ends: string[] = [];
  for (let i = 0; i < layers.length - 1; i++) {
    const layer = layers[i] as LayerShape;
    const next = layers[i + 1] as LayerShape;
    if (layer.block === 'input' || layer.block === 'stem' || layer.block === 'head' || layer.block === next.block) continue;
    if (layer.outputShape.length !== 4) continue;
    ends.push(layer.name);
  }
  return ends.slice(-blocks);
}

/** blockEnds of a loaded model. */
export function headLayerCandidates(model: tfTypes.LayersModel, blocks = AUTO_CANDIDATE_BLOCKS): string[] {
  const layers = model.layers.map((l) => ({ name: l.name, block: blockOf(l.name, l.getClassName()), outputShape: outputShapeOf(l) }));
  return blockEnds(layers, blocks);
}

/** The features the head reads for a setting: the model's output, or that layer's. */
export function headInput(model: tfTypes.LayersModel, layer: string): tfTypes.SymbolicTensor {
  if (layer === 'output' || layer === 'auto') {
    const out = model.outputs[0];
    if (!out) throw new Error('the backbone has no output');
    return out;
  }
  let found: tfTypes.layers.Layer;
  try {
    found = model.getLayer(layer);
  } catch {
    throw new Error(`The head cannot read layer "${layer}": the model has no such layer.`);
  }
  return found.output as tfTypes.SymbolicTensor;
}

/** Stratified folds: fold index per example (−1 = not in the probe), at most `cap` examples in all. */
export function probeFolds(
  labels: Int32Array,
  numClasses: number,
  seed: number,
  cap = AUTO_PROBE_IMAGES,
): { fold: Int8Array; folds: number } {
  const rng = createRng(deriveSeed(seed, 'auto-head-layer'));
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  labels.forEach((y, i) => byClass[y]?.push(i));
  const perClass = Math.ceil(cap / Math.max(1, numClasses));
  const smallest = Math.min(...byClass.map((c) => Math.min(c.length, perClass)));
  const folds = Math.min(4, smallest);
  const fold = new Int8Array(labels.length).fill(-1);
  for (const members of byClass) {
    const order = [...members];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    order.slice(0, perClass).forEach((idx, k) => {
      fold[idx] = k % Math.max(1, folds);
    });
  }
  return { fold, folds };
}

/**
 * A linear softmax probe trained with Adam (lr 0.003, batches of 16, 30 epochs, as the studio's head
 * trains) on `train`, scored on `test`. Features are rows of `dim` floats in one array.
 */
export function probeScore(
  x: Float32Array,
  dim: number,
  y: Int32Array,
  numClasses: number,
  train: readonly number[],
  test: readonly number[],
  seed: number,
): { accuracy: number; loss: number } {
  const k = numClasses;
  const w = new Float64Array(dim * k);
  const b = new Float64Array(k);
  const mW = new Float64Array(dim * k);
  const vW = new Float64Array(dim * k);
  const mB = new Float64Array(k);
  const vB = new Float64Array(k);
  const gW = new Float64Array(dim * k);
  const gB = new Float64Array(k);
  const lr = 0.003;
  const [b1, b2, eps] = [0.9, 0.999, 1e-7];
  const logits = new Float64Array(k);
  const rng = createRng(deriveSeed(seed, 'auto-head-probe'));
  const order = [...train];
  let t = 0;
  const softmax = (row: number) => {
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      let s = b[c] as number;
      for (let d = 0; d < dim; d++) s += (x[row * dim + d] as number) * (w[d * k + c] as number);
      logits[c] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) {
      logits[c] = Math.exp((logits[c] as number) - max);
      sum += logits[c] as number;
    }
    for (let c = 0; c < k; c++) logits[c] = (logits[c] as number) / sum;
  };
  for (let epoch = 0; epoch < 30; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    for (let start = 0; start < order.length; start += 16) {
      const batch = order.slice(start, start + 16);
      gW.fill(0);
      gB.fill(0);
      for (const row of batch) {
        softmax(row);
        for (let c = 0; c < k; c++) {
          const g = ((logits[c] as number) - (c === y[row] ? 1 : 0)) / batch.length;
          gB[c] = (gB[c] as number) + g;
          for (let d = 0; d < dim; d++) gW[d * k + c] = (gW[d * k + c] as number) + g * (x[row * dim + d] as number);
        }
      }
      t += 1;
      const c1 = 1 - b1 ** t;
      const c2 = 1 - b2 ** t;
      const step = (p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array) => {
        for (let i = 0; i < p.length; i++) {
          const gi = g[i] as number;
          m[i] = b1 * (m[i] as number) + (1 - b1) * gi;
          v[i] = b2 * (v[i] as number) + (1 - b2) * gi * gi;
          p[i] = (p[i] as number) - (lr * ((m[i] as number) / c1)) / (Math.sqrt((v[i] as number) / c2) + eps);
        }
      };
      step(w, gW, mW, vW);
      step(b, gB, mB, vB);
    }
  }
  let correct = 0;
  let loss = 0;
  for (const row of test) {
    softmax(row);
    let best = 0;
    for (let c = 1; c < k; c++) if ((logits[c] as number) > (logits[best] as number)) best = c;
    if (best === y[row]) correct += 1;
    loss -= Math.log(Math.max(logits[y[row] as number] as number, 1e-7));
  }
  return { accuracy: test.length ? correct / test.length : 0, loss: test.length ? loss / test.length : 0 };
}

/** The cross-validated score of each layer's pooled features; picks one (see the file's comment). */
export function pickHeadLayer(
  features: ReadonlyMap<string, { data: Float32Array; dim: number }>,
  labels: Int32Array,
  numClasses: number,
  fold: Int8Array,
  folds: number,
  seed: number,
  outputName: string,
): HeadLayerChoice {
  const images = fold.reduce((n, f) => n + (f >= 0 ? 1 : 0), 0);
  const scores: ProbeScore[] = [];
  for (const [layer, { data, dim }] of features) {
    let accuracy = 0;
    let loss = 0;
    for (let f = 0; f < folds; f++) {
      const train: number[] = [];
      const test: number[] = [];
      fold.forEach((g, i) => {
        if (g === f) test.push(i);
        else if (g >= 0) train.push(i);
      });
      const s = probeScore(data, dim, labels, numClasses, train, test, deriveSeed(seed, `${layer}-${f}`));
      accuracy += s.accuracy / folds;
      loss += s.loss / folds;
    }
    scores.push({ layer, accuracy, loss });
  }
  const output = scores.find((s) => s.layer === 'output');
  // Scores a few points apart are within the noise of a small probe: of the layers that close to the
  // top score, the earliest (fewest layers to run) is taken.
  const top = Math.max(...scores.map((s) => s.accuracy));
  const best = scores.find((s) => s.layer !== 'output' && s.accuracy >= top - AUTO_TIE) ?? output;
  const pct = (v: number) => `${Math.round(v * 100)}%`;
  const base = `${folds}-fold cross-validation on ${images} training images`;
  if (!output || !best || best.layer === 'output' || best.accuracy < output.accuracy + AUTO_MARGIN) {
    return {
      layer: 'output',
      reason: `The head reads the model's output (${outputName}): ${base} found no earlier block clearly better (${pct(output?.accuracy ?? 0)} there${best && best.layer !== 'output' ? `, ${pct(best.accuracy)} at ${best.layer}` : ''}).`,
      scores,
      folds,
      images,
    };
  }
  return {
    layer: best.layer,
    reason: `The head reads ${best.layer}, not the model's output (${outputName}): on ${base}, a linear probe on its features scored ${pct(best.accuracy)} against ${pct(output.accuracy)}. The blocks after it are left out of the model.`,
    scores,
    folds,
    images,
  };
}

/** Global-average-pooled features of `layers` (plus the model's output) for the examples in the probe. */
export async function pooledFeatures(
  tf: Tf,
  model: tfTypes.LayersModel,
  layers: readonly string[],
  batches: AsyncIterable<tfTypes.Tensor>,
): Promise<Map<string, { data: Float32Array; dim: number }>> {
  const outputs = [...layers.map((l) => headInput(model, l)), headInput(model, 'output')];
  const names = [...layers, 'output'];
  const probe = tf.model({ inputs: model.inputs, outputs });
  const parts: Float32Array[][] = names.map(() => []);
  for await (const x of batches) {
    const pooled = tf.tidy(() => {
      const out = probe.predict(x) as tfTypes.Tensor | tfTypes.Tensor[];
      return (Array.isArray(out) ? out : [out]).map((o) => (o.rank === 4 ? tf.mean(o, [1, 2]) : o.reshape([o.shape[0] as number, -1])));
    });
    x.dispose();
    for (let i = 0; i < pooled.length; i++) parts[i]?.push((await (pooled[i] as tfTypes.Tensor).data()) as Float32Array);
    tf.dispose(pooled);
  }
  const result = new Map<string, { data: Float32Array; dim: number }>();
  names.forEach((name, i) => {
    const data = concatFloat32(parts[i] ?? []);
    const dim = outputs[i]?.shape.slice(-1)[0] ?? 1;
    result.set(name, { data, dim: dim as number });
  });
  return result;
}
