/**
 * Text classification on the pre-trained transformer. Two pooled parts per example, side by side:
 * the mean of the input embeddings over the real tokens (a bag of tokens) and the hidden states after
 * the final LayerNorm pooled as chosen (mean or last token). Each part is centred and RMS-normalised
 * on its own, then dropout (training only) → dense → softmax over K labels.
 *
 * Why both parts: with the byte-level model the bundled GPT-2 replaced, a converged linear probe on
 * the final hidden states alone reached 0.53 validation accuracy on the 3-class paragraph topic set
 * and 0.76 on spam/ham; with the embedding mean beside them, 0.76 and 0.83. The deep states carry
 * mostly next-token information; the bag of tokens carries the vocabulary of a topic. Fine-tuning
 * the body changes both parts.
 *
 * Normalisation: pooled features of a pre-trained LM share a large common component and vary
 * little between texts (per-feature std 0.01–0.2 on the byte-level model), which leaves a fresh dense
 * layer with a tiny, badly scaled input. The head therefore centres the pooled vector on the
 * training set's mean (`shift`, fitted once before the first step by `fitShift`, exported, never
 * trained, in no parameter group) and divides each centred vector by its RMS, so the dense layer
 * always sees unit-scale inputs. Being per example, the RMS step stays stable when the body trains
 * (a fixed per-feature scale would magnify drift in near-constant features up to 100×).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { createRng } from '../lib/random';
import { lmBlocks, lmEmbed, lmFinalNorm, lmPooled, type ForwardOptions, type Lm } from './model';
import { CLASSIFIER_PARTS, classifierInputSize } from './groups';
import type { TextTokenizer } from './tokenizer';
import type { Pooling } from './types';

type Tf = typeof tfTypes;

export interface ClassifierHead {
  labels: string[];
  pooling: Pooling;
  /** [2·width, K] (see CLASSIFIER_PARTS) */
  kernel: tfTypes.Variable;
  /** [K] */
  bias: tfTypes.Variable;
  /** Mean pooled feature of the training set [2·width] (not trained). */
  shift: tfTypes.Variable;
  /** Whether `shift` was fitted (a fitted head keeps it when training resumes). */
  fitted: boolean;
  /**
   * BERT's head (BertForSequenceClassification): dropout → dense on the pooled output [width], no
   * centring or RMS step, so it exports as transformers' `classifier`. `shift` is unused (zeros).
   */
  plain?: boolean;
}

/** A new head: Glorot-uniform kernel from a seeded generator, zero bias. */
export function createClassifierHead(
  tf: Tf,
  width: number,
  labels: readonly string[],
  pooling: Pooling,
  seed: number,
  arch: 'gpt2' | 'bert' = 'gpt2',
): ClassifierHead {
  if (labels.length < 2) throw new Error('a classifier needs at least two labels');
  const K = labels.length;
  const F = classifierInputSize(width, arch);
  const rng = createRng(seed);
  const limit = Math.sqrt(6 / (F + K));
  const values = new Float32Array(F * K);
  for (let i = 0; i < values.length; i++) values[i] = (rng() * 2 - 1) * limit;
  const kernel = tf.tidy(() => tf.variable(tf.tensor2d(values, [F, K]), true));
  const bias = tf.tidy(() => tf.variable(tf.zeros([K]), true));
  const shift = tf.tidy(() => tf.variable(tf.zeros([F]), false));
  const plain = arch === 'bert';
  return { labels: labels.slice(), pooling, kernel, bias, shift, fitted: plain, plain };
}

export function disposeClassifierHead(head: ClassifierHead): void {
  head.kernel.dispose();
  head.bias.dispose();
  head.shift.dispose();
}

/** Sets the head's shift to the mean of pooled features, row-major [rows, width]; marks it fitted. */
export function fitShift(tf: Tf, head: ClassifierHead, features: Float32Array, rows: number): void {
  const D = head.shift.shape[0] as number;
  const mean = new Float64Array(D);
  for (let r = 0; r < rows; r++) for (let d = 0; d < D; d++) mean[d] = (mean[d] as number) + (features[r * D + d] as number);
  const shift = Float32Array.from(mean, (m) => m / Math.max(rows, 1));
  tf.tidy(() => head.shift.assign(tf.tensor1d(shift)));
  head.fitted = true;
}

/**
 * How many context-length chunks of an example are read (4 × 128 tokens: about the first 2 KB of
 * English for the bundled model). Each chunk is pooled on its own and the example's features are the
 * mean over its chunks: on the 3-class topic set, with the byte-level model of 128-byte chunks, a
 * converged linear probe reached 0.75 from one chunk and 0.82 from up to four.
 */
export const MAX_CHUNKS = 4;

/**
 * The example's tokens cut into at most `maxChunks` chunks of `contextLength` (at least one chunk).
 * A tokenizer that frames texts ([CLS] … [SEP], BERT's) gives one chunk, cut to the context with its
 * closing token kept, as transformers truncates.
 */
export function encodeChunks(text: string, contextLength: number, maxChunks: number, tokenizer: TextTokenizer): Int32Array[] {
  const ids = tokenizer.encode(text);
  if (tokenizer.framed) {
    if (ids.length <= contextLength) return [ids];
    const cut = ids.slice(0, contextLength);
    cut[contextLength - 1] = ids[ids.length - 1] as number;
    return [cut];
  }
  if (ids.length === 0) return [Int32Array.of(tokenizer.pad)];
  const out: Int32Array[] = [];
  for (let c = 0; c < maxChunks && c * contextLength < ids.length; c++) out.push(ids.slice(c * contextLength, (c + 1) * contextLength));
  return out;
}

export interface ChunkBatch {
  /** [rows·chunks, length] ids; chunk slot c of row r is row r·chunks + c. */
  ids: Int32Array;
  /** Pooling weights [rows·chunks, length]. */
  pool: Float32Array;
  /** [rows, chunks]: 1/n for each of a row's n real chunks, 0 for empty slots and padding rows. */
  chunkWeights: Float32Array;
  /** The padding id in `ids`. */
  pad: number;
}

/** Examples (their chunks) padded to `rows` rows of `chunks` chunk slots. */
export function chunkBatch(
  examples: readonly (readonly Int32Array[])[],
  length: number,
  rows: number,
  chunks: number,
  pooling: Pooling,
  pad: number,
): ChunkBatch {
  const slots: Int32Array[] = [];
  const chunkWeights = new Float32Array(rows * chunks);
  for (let r = 0; r < rows; r++) {
    const ex = examples[r] ?? [];
    const n = Math.min(ex.length, chunks);
    for (let c = 0; c < chunks; c++) {
      slots.push(c < n ? (ex[c] as Int32Array) : new Int32Array(0));
      if (c < n) chunkWeights[r * chunks + c] = 1 / n;
    }
  }
  const batch = padBatch(slots, length, slots.length, pad);
  return { ids: batch.ids, pool: poolingWeights(batch.lengths, length, pooling), chunkWeights, pad };
}

/** Features [rows, 2·width] of a chunk batch: each chunk pooled, then averaged over the row's chunks. Call inside tidy. */
export function exampleFeatures(
  tf: Tf,
  lm: Lm,
  batch: ChunkBatch,
  rows: number,
  chunks: number,
  options: ForwardOptions = {},
): tfTypes.Tensor2D {
  const T = batch.ids.length / (rows * chunks);
  const f = pooledFeatures(
    tf,
    lm,
    tf.tensor2d(batch.ids, [rows * chunks, T], 'int32'),
    tf.tensor2d(batch.pool, [rows * chunks, T]),
    options,
    batch.pad,
  );
  const F = f.shape[1];
  return tf.sum(tf.mul(tf.reshape(f, [rows, chunks, F]), tf.tensor3d(batch.chunkWeights, [rows, chunks, 1])), 1) as tfTypes.Tensor2D;
}

export interface PaddedBatch {
  /** Row-major [rows, length], the padding id after each example. */
  ids: Int32Array;
  /** Real tokens per row (0 for padding rows that fill a fixed batch shape). */
  lengths: Int32Array;
  rows: number;
  length: number;
}

/**
 * Pads `examples` (already truncated) to [rows, length]; rows beyond the examples are all PAD with
 * length 0 (they keep batch shapes fixed and carry weight 0).
 */
export function padBatch(examples: readonly Int32Array[], length: number, rows: number, pad: number): PaddedBatch {
  const ids = new Int32Array(rows * length).fill(pad);
  const lengths = new Int32Array(rows);
  examples.forEach((e, r) => {
    const n = Math.min(e.length, length);
    ids.set(e.subarray(0, n), r * length);
    lengths[r] = n;
  });
  return { ids, lengths, rows, length };
}

/**
 * Pooling weights [rows, length]: 'mean' puts 1/len on each real token, 'last' puts 1 on the last
 * real token. Rows of length 0 are all zero.
 */
export function poolingWeights(lengths: Int32Array, length: number, pooling: Pooling): Float32Array {
  const w = new Float32Array(lengths.length * length);
  lengths.forEach((n, r) => {
    if (n <= 0) return;
    if (pooling === 'last') w[r * length + n - 1] = 1;
    else for (let t = 0; t < n; t++) w[r * length + t] = 1 / n;
  });
  return w;
}

/**
 * Pooled features [B, 2·width] for ids [B, T] and pooling weights [B, T]: the mean input embedding
 * over real (non-PAD) tokens, then the final hidden states pooled by `weights`. Call inside tidy.
 */
export function pooledFeatures(
  tf: Tf,
  lm: Lm,
  ids: tfTypes.Tensor2D,
  weights: tfTypes.Tensor2D,
  options: ForwardOptions,
  pad: number,
): tfTypes.Tensor2D {
  const [B, T] = ids.shape;
  const D = lm.config.width;
  if (lm.config.arch === 'bert') {
    // BERT's pooled output: the first token ([CLS]) after the pooler; padding is masked out of attention.
    const keyMask = tf.cast(tf.notEqual(ids, pad), 'float32') as tfTypes.Tensor2D;
    const forward = { ...options, keyMask };
    return lmPooled(tf, lm, lmFinalNorm(tf, lm, lmBlocks(tf, lm, lmEmbed(tf, lm, ids, forward), B, T, 0, lm.config.blocks, forward), B, T));
  }
  const x0 = lmEmbed(tf, lm, ids, options); // [B·T, D]
  const hidden = lmFinalNorm(tf, lm, lmBlocks(tf, lm, x0, B, T, 0, lm.config.blocks, options), B, T); // [B, T, D]
  const real = tf.cast(tf.notEqual(ids, pad), 'float32');
  const meanWeights = tf.div(real, tf.maximum(tf.sum(real, 1, true), 1));
  const embedded = tf.sum(tf.mul(tf.reshape(x0, [B, T, D]), tf.expandDims(meanWeights, 2)), 1);
  const pooled = tf.sum(tf.mul(hidden, tf.expandDims(weights, 2)), 1);
  return tf.concat([embedded, pooled], 1) as tfTypes.Tensor2D;
}

/**
 * Class logits [B, K] from pooled features: centred, each part divided by its own RMS, dropout
 * (when `dropout` > 0), dense. Call inside tidy.
 */
export function classifierLogits(tf: Tf, head: ClassifierHead, features: tfTypes.Tensor2D, dropout = 0, seed = 0): tfTypes.Tensor2D {
  if (head.plain) {
    const x = dropout > 0 ? tf.dropout(features, dropout, undefined, seed) : features;
    return tf.add(tf.matMul(x as tfTypes.Tensor2D, head.kernel as tfTypes.Tensor2D), head.bias) as tfTypes.Tensor2D;
  }
  const centred = tf.sub(features, head.shift);
  const parts = tf.split(centred, CLASSIFIER_PARTS, 1);
  const normal = tf.concat(
    parts.map((p) => tf.div(p, tf.sqrt(tf.add(tf.mean(tf.square(p), -1, true), 1e-8)))),
    1,
  );
  const x = dropout > 0 ? tf.dropout(normal, dropout, undefined, seed) : normal;
  return tf.add(tf.matMul(x as tfTypes.Tensor2D, head.kernel as tfTypes.Tensor2D), head.bias) as tfTypes.Tensor2D;
}

/**
 * Weighted mean softmax cross-entropy of logits [B, K] against int labels [B]; `weights` [B]
 * (0 for padding rows). Call inside tidy.
 */
export function classifierLoss(tf: Tf, logits: tfTypes.Tensor2D, labels: tfTypes.Tensor1D, weights: tfTypes.Tensor1D): tfTypes.Scalar {
  const K = logits.shape[1];
  const nll = tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(tf.cast(labels, 'int32'), K)), -1));
  return tf.div(tf.sum(tf.mul(nll, weights)), tf.maximum(tf.sum(weights), 1)) as tfTypes.Scalar;
}
