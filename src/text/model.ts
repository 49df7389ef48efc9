/**
 * A small GPT-style decoder written with plain tfjs ops and explicitly owned variables.
 *
 * token + learned position embeddings → N × [LN → causal multi-head attention → residual →
 * LN → MLP (4×, GELU) → residual] → LN → logits through the tied token embedding.
 *
 * The model is data: a config and a name → tf.Variable map. It trains with `tf.variableGrads`
 * (or any optimizer's `minimize`), and saves to {config, weightSpecs, ArrayBuffer}.
 * One owner: the caller that created an `Lm` disposes it with `disposeLm`.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { concatFloat32 } from '../lib/arrays';
import { createRng, gaussian, type Rng } from '../lib/random';

type Tf = typeof tfTypes;

export interface LmConfig {
  vocabSize: number;
  contextLength: number;
  width: number;
  heads: number;
  blocks: number;
  /** MLP hidden width = mlpRatio × width. */
  mlpRatio: number;
  /**
   * Absent or true: the output projection is the token embedding (tied, as pre-trained).
   * false: the model has its own output matrix `lm_head` [vocab, width] (fine-tuned generation
   * models are untied so the `head` and `embeddings` groups freeze independently).
   */
  tiedHead?: boolean;
  /**
   * Absent or 'gpt2': causal attention, pre-LayerNorm blocks, the tanh GELU, a final LayerNorm.
   * 'bert': bidirectional attention (padding masked), post-LayerNorm blocks, the erf GELU, token-type
   * embeddings and an embedding LayerNorm, no final norm, and the pooler (tanh dense on the first token).
   */
  arch?: 'gpt2' | 'bert';
  /** LayerNorm ε (default 1e-5, GPT-2's; BERT's is 1e-12). */
  layerNormEps?: number;
  /** 'bert': rows of the token-type embedding (default 2); 0: none (DistilBERT has no `type_emb`). */
  typeVocabSize?: number;
  /** 'bert': the pooler's activation (default 'tanh', BERT's pooler; 'relu': DistilBERT's `pre_classifier`). */
  poolerActivation?: 'tanh' | 'relu';
}

const isBert = (config: LmConfig) => config.arch === 'bert';
/** Whether a 'bert' config has a token-type embedding (typeVocabSize 0: none). */
const hasTypes = (config: LmConfig) => (config.typeVocabSize ?? 2) > 0;

export interface Lm {
  config: LmConfig;
  /** Parameter order is fixed by `paramShapes`; names are stable across save/load. */
  names: string[];
  vars: Map<string, tfTypes.Variable>;
  /**
   * Low-rank adapters on some of the blocks' kernels (src/text/lora.ts): `${kernel}.lora_A` [in, r]
   * and `${kernel}.lora_B` [r, out], added as (x·A)·B × scale. Not in `vars`: the base weights stay as they are.
   */
  lora?: { scale: number; vars: Map<string, tfTypes.Variable> };
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

export interface SavedLm {
  config: LmConfig;
  weightSpecs: WeightSpec[];
  weights: ArrayBuffer;
}

type Init = 'normal' | 'normal-proj' | 'zeros' | 'ones';

/** The parameters, in order, with their shapes and initialisers. */
export function paramShapes(config: LmConfig): Array<{ name: string; shape: number[]; init: Init }> {
  const { vocabSize: V, contextLength: T, width: D, mlpRatio } = config;
  const H = D * mlpRatio;
  const out: Array<{ name: string; shape: number[]; init: Init }> = [
    { name: 'tok_emb', shape: [V, D], init: 'normal' },
    { name: 'pos_emb', shape: [T, D], init: 'normal' },
  ];
  if (isBert(config)) {
    if (hasTypes(config)) out.push({ name: 'type_emb', shape: [config.typeVocabSize ?? 2, D], init: 'normal' });
    out.push({ name: 'emb_ln.gamma', shape: [D], init: 'ones' }, { name: 'emb_ln.beta', shape: [D], init: 'zeros' });
  }
  for (let b = 0; b < config.blocks; b++) {
    const p = `block${b}.`;
    out.push(
      { name: `${p}ln1.gamma`, shape: [D], init: 'ones' },
      { name: `${p}ln1.beta`, shape: [D], init: 'zeros' },
      { name: `${p}attn.qkv.kernel`, shape: [D, 3 * D], init: 'normal' },
      { name: `${p}attn.qkv.bias`, shape: [3 * D], init: 'zeros' },
      { name: `${p}attn.proj.kernel`, shape: [D, D], init: 'normal-proj' },
      { name: `${p}attn.proj.bias`, shape: [D], init: 'zeros' },
      { name: `${p}ln2.gamma`, shape: [D], init: 'ones' },
      { name: `${p}ln2.beta`, shape: [D], init: 'zeros' },
      { name: `${p}mlp.fc.kernel`, shape: [D, H], init: 'normal' },
      { name: `${p}mlp.fc.bias`, shape: [H], init: 'zeros' },
      { name: `${p}mlp.proj.kernel`, shape: [H, D], init: 'normal-proj' },
      { name: `${p}mlp.proj.bias`, shape: [D], init: 'zeros' },
    );
  }
  if (isBert(config)) {
    out.push({ name: 'pooler.kernel', shape: [D, D], init: 'normal' }, { name: 'pooler.bias', shape: [D], init: 'zeros' });
    return out;
  }
  out.push({ name: 'ln_f.gamma', shape: [D], init: 'ones' }, { name: 'ln_f.beta', shape: [D], init: 'zeros' });
  if (config.tiedHead === false) out.push({ name: 'lm_head', shape: [V, D], init: 'normal' });
  return out;
}

export function countParams(config: LmConfig): number {
  return paramShapes(config).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}

function validate(config: LmConfig): void {
  if (config.width % config.heads !== 0) {
    throw new Error(`width ${config.width} is not divisible by heads ${config.heads}`);
  }
}

/** A freshly initialised model (GPT-2 style: N(0, 0.02), residual projections scaled by 1/√(2·blocks)). */
export function createLm(tf: Tf, config: LmConfig, seed = 1): Lm {
  validate(config);
  const rng = createRng(seed);
  const std = 0.02;
  const projStd = std / Math.sqrt(2 * config.blocks);
  const vars = new Map<string, tfTypes.Variable>();
  const names: string[] = [];
  for (const p of paramShapes(config)) {
    const size = p.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (p.init === 'ones') values.fill(1);
    else if (p.init === 'normal' || p.init === 'normal-proj') {
      const s = p.init === 'normal' ? std : projStd;
      for (let i = 0; i < size; i++) values[i] = gaussian(rng) * s;
    }
    vars.set(
      p.name,
      tf.tidy(() => tf.variable(tf.tensor(values, p.shape, 'float32'), true)),
    );
    names.push(p.name);
  }
  return { config, names, vars };
}

/** Frees every variable of the model, its adapters included. */
export function disposeLm(lm: Lm): void {
  for (const v of lm.vars.values()) v.dispose();
  lm.vars.clear();
  lm.lora?.vars.forEach((v) => v.dispose());
  delete lm.lora;
}

function param(lm: Lm, name: string): tfTypes.Variable {
  const v = lm.vars.get(name);
  if (!v) throw new Error(`missing LM parameter ${name}`);
  return v;
}

/**
 * x [N, in] · kernel + bias, plus the kernel's low-rank adapter when it has one; `drop` is the
 * adapter's dropout on its input (PEFT's placement: B·A·dropout(x)).
 */
function dense(
  tf: Tf,
  lm: Lm,
  x: tfTypes.Tensor2D,
  kernel: string,
  bias: string,
  drop: (t: tfTypes.Tensor) => tfTypes.Tensor = (t) => t,
): tfTypes.Tensor2D {
  const y = tf.add(tf.matMul(x, param(lm, kernel) as tfTypes.Tensor2D), param(lm, bias)) as tfTypes.Tensor2D;
  const a = lm.lora?.vars.get(`${kernel}.lora_A`);
  const b = lm.lora?.vars.get(`${kernel}.lora_B`);
  if (!a || !b || !lm.lora) return y;
  const delta = tf.matMul(tf.matMul(drop(x) as tfTypes.Tensor2D, a as tfTypes.Tensor2D), b as tfTypes.Tensor2D);
  return tf.add(y, tf.mul(delta, lm.lora.scale)) as tfTypes.Tensor2D;
}

function layerNorm(tf: Tf, x: tfTypes.Tensor, gamma: tfTypes.Tensor, beta: tfTypes.Tensor, eps = 1e-5): tfTypes.Tensor {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}

/** BERT's exact GELU, x·Φ(x) = x/2·(1 + erf(x/√2)). */
function geluErf(tf: Tf, x: tfTypes.Tensor): tfTypes.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

function gelu(tf: Tf, x: tfTypes.Tensor): tfTypes.Tensor {
  // tanh approximation (GPT-2); uses only ops with gradients on every backend.
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/** Additive causal mask [T, T]: 0 on and below the diagonal, -1e9 above (future positions). */
function causalMask(tf: Tf, T: number): tfTypes.Tensor2D {
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
  return tf.tensor2d(m, [T, T]);
}

/** Training-time options of the forward pass. */
export interface ForwardOptions {
  /**
   * Dropout rate (0 = off) on the embeddings and on each attention/MLP output before its residual
   * add (GPT-2 placement). Only for training; evaluation and generation leave it unset.
   */
  dropout?: number;
  /** Seed of the dropout masks (derive one per step for reproducible runs). */
  seed?: number;
  /** Dropout on the input of every LoRA adapter (training only; 0 = off). */
  loraDropout?: number;
  /** 'bert': which positions are real tokens, [B, T] (1 real, 0 padding); padding is never attended to. Default: all real. */
  keyMask?: tfTypes.Tensor2D;
}

function dropper(tf: Tf, options: ForwardOptions): (t: tfTypes.Tensor, site: number) => tfTypes.Tensor {
  const rate = options.dropout ?? 0;
  // One seed per dropout site (0: embeddings; 1 + 2b, 2 + 2b: block b), so split passes match whole ones.
  return (t, site) => (rate > 0 ? tf.dropout(t, rate, undefined, (options.seed ?? 0) * 131 + site) : t);
}

/**
 * The residual stream entering block 0: token + position embeddings, [B·T, width], for int32 ids
 * [B, T] (T ≤ contextLength). Call inside tf.tidy (or a variableGrads closure), as the others here.
 */
export function lmEmbed(tf: Tf, lm: Lm, ids: tfTypes.Tensor2D, options: ForwardOptions = {}): tfTypes.Tensor2D {
  const { width: D, contextLength, vocabSize } = lm.config;
  const [B, T] = ids.shape;
  if (T > contextLength) throw new Error(`sequence length ${T} exceeds the context ${contextLength}`);
  const tokEmb = param(lm, 'tok_emb');
  const pos = tf.slice(param(lm, 'pos_emb'), [0, 0], [T, D]);
  // Embedding lookup as one-hot × matrix: gather's gradient (UnsortedSegmentSum) is missing on WASM.
  const onehotIds = tf.oneHot(tf.reshape(tf.cast(ids, 'int32'), [-1]) as tfTypes.Tensor1D, vocabSize);
  const tok = tf.reshape(tf.matMul(onehotIds, tokEmb as tfTypes.Tensor2D), [B, T, D]);
  let x = tf.reshape(tf.add(tok, pos), [B * T, D]);
  if (isBert(lm.config)) {
    // One segment: token type 0 everywhere (none without a type embedding); then the embedding LayerNorm.
    if (hasTypes(lm.config)) x = tf.add(x, tf.slice(param(lm, 'type_emb'), [0, 0], [1, D]));
    x = layerNorm(tf, x, param(lm, 'emb_ln.gamma'), param(lm, 'emb_ln.beta'), lm.config.layerNormEps ?? 1e-5);
  }
  return dropper(tf, options)(x, 0) as tfTypes.Tensor2D;
}

/** Blocks `from` … `to − 1` applied to the residual stream x [B·T, width] of B sequences of length T. */
export function lmBlocks(
  tf: Tf,
  lm: Lm,
  x0: tfTypes.Tensor2D,
  B: number,
  T: number,
  from = 0,
  to = lm.config.blocks,
  options: ForwardOptions = {},
): tfTypes.Tensor2D {
  const { width: D, heads } = lm.config;
  const hd = D / heads;
  const drop = dropper(tf, options);
  const loraRate = lm.lora ? (options.loraDropout ?? 0) : 0;
  // Adapter dropout sites come after the residual ones (1000 + 4b + k), so they never share a mask.
  const loraDrop = (site: number) => (t: tfTypes.Tensor) =>
    loraRate > 0 ? tf.dropout(t, loraRate, undefined, (options.seed ?? 0) * 131 + 1000 + site) : t;
  const bert = isBert(lm.config);
  const eps = lm.config.layerNormEps ?? 1e-5;
  // GPT-2: the future is masked; BERT: padding keys, [B·heads, 1, T].
  const mask = bert
    ? options.keyMask
      ? tf.reshape(tf.tile(tf.reshape(tf.mul(tf.sub(1, tf.cast(options.keyMask, 'float32')), -1e9), [B, 1, 1, T]), [1, heads, 1, 1]), [
          B * heads,
          1,
          T,
        ])
      : tf.zeros([1, 1, T])
    : causalMask(tf, T);
  const scale = 1 / Math.sqrt(hd);
  const splitHeads = (t: tfTypes.Tensor): tfTypes.Tensor3D =>
    tf.reshape(tf.transpose(tf.reshape(t, [B, T, heads, hd]), [0, 2, 1, 3]), [B * heads, T, hd]);
  let x: tfTypes.Tensor = x0;
  for (let b = from; b < to; b++) {
    const p = `block${b}.`;
    // Pre-LayerNorm (GPT-2) normalises each sublayer's input; post-LayerNorm (BERT) its residual sum.
    const h = bert ? x : layerNorm(tf, x, param(lm, `${p}ln1.gamma`), param(lm, `${p}ln1.beta`), eps);
    const qkv = dense(tf, lm, h as tfTypes.Tensor2D, `${p}attn.qkv.kernel`, `${p}attn.qkv.bias`, loraDrop(4 * b));
    const [q, k, v] = tf.split(qkv, 3, 1) as [tfTypes.Tensor, tfTypes.Tensor, tfTypes.Tensor];
    const scores = tf.add(tf.mul(tf.matMul(splitHeads(q), splitHeads(k), false, true), scale), mask);
    const att = tf.matMul(tf.softmax(scores), splitHeads(v)); // [B·H, T, hd]
    const merged = tf.reshape(tf.transpose(tf.reshape(att, [B, heads, T, hd]), [0, 2, 1, 3]), [B * T, D]);
    const attnOut = dense(tf, lm, merged as tfTypes.Tensor2D, `${p}attn.proj.kernel`, `${p}attn.proj.bias`, loraDrop(4 * b + 1));
    x = tf.add(x, drop(attnOut, 1 + 2 * b));
    if (bert) x = layerNorm(tf, x, param(lm, `${p}ln1.gamma`), param(lm, `${p}ln1.beta`), eps);
    const h2 = bert ? x : layerNorm(tf, x, param(lm, `${p}ln2.gamma`), param(lm, `${p}ln2.beta`), eps);
    const fc = (bert ? geluErf : gelu)(
      tf,
      dense(tf, lm, h2 as tfTypes.Tensor2D, `${p}mlp.fc.kernel`, `${p}mlp.fc.bias`, loraDrop(4 * b + 2)),
    );
    const mlpOut = dense(tf, lm, fc as tfTypes.Tensor2D, `${p}mlp.proj.kernel`, `${p}mlp.proj.bias`, loraDrop(4 * b + 3));
    x = tf.add(x, drop(mlpOut, 2 + 2 * b));
    if (bert) x = layerNorm(tf, x, param(lm, `${p}ln2.gamma`), param(lm, `${p}ln2.beta`), eps);
  }
  return x as tfTypes.Tensor2D;
}

/** The final LayerNorm of the residual stream [B·T, width] (none for BERT), reshaped to [B, T, width]. */
export function lmFinalNorm(tf: Tf, lm: Lm, x: tfTypes.Tensor2D, B: number, T: number): tfTypes.Tensor3D {
  if (isBert(lm.config)) return tf.reshape(x, [B, T, lm.config.width]);
  return tf.reshape(layerNorm(tf, x, param(lm, 'ln_f.gamma'), param(lm, 'ln_f.beta')), [B, T, lm.config.width]);
}

/**
 * BERT's pooled output [B, width]: tanh(dense(h[:, 0])) of the final hidden states [B, T, width]
 * (relu for `poolerActivation: 'relu'`, DistilBERT's pre_classifier). Call inside tidy.
 */
export function lmPooled(tf: Tf, lm: Lm, hidden: tfTypes.Tensor3D): tfTypes.Tensor2D {
  const [B, , D] = hidden.shape;
  const first = tf.reshape(tf.slice(hidden, [0, 0, 0], [B, 1, D]), [B, D]);
  const z = tf.add(tf.matMul(first as tfTypes.Tensor2D, param(lm, 'pooler.kernel') as tfTypes.Tensor2D), param(lm, 'pooler.bias'));
  return (lm.config.poolerActivation === 'relu' ? tf.relu(z) : tf.tanh(z)) as tfTypes.Tensor2D;
}

/**
 * Final hidden states [B, T, width] (after the last LayerNorm) for int32 ids [B, T]
 * (T ≤ contextLength): lmEmbed → lmBlocks → lmFinalNorm. Call inside tf.tidy.
 */
export function lmHidden(tf: Tf, lm: Lm, ids: tfTypes.Tensor2D, options: ForwardOptions = {}): tfTypes.Tensor3D {
  const [B, T] = ids.shape;
  const x = lmBlocks(tf, lm, lmEmbed(tf, lm, ids, options), B, T, 0, lm.config.blocks, options);
  return lmFinalNorm(tf, lm, x, B, T);
}

/**
 * Logits [B, T, vocab] for int32 ids [B, T] (T ≤ contextLength): hidden states times the output
 * matrix (`tok_emb`, or `lm_head` when the config is untied). Call inside tf.tidy (or a
 * variableGrads/minimize closure); intermediates are not disposed here.
 */
export function lmLogits(tf: Tf, lm: Lm, ids: tfTypes.Tensor2D, options: ForwardOptions = {}): tfTypes.Tensor3D {
  const { width: D, vocabSize } = lm.config;
  const [B, T] = ids.shape;
  const hidden = tf.reshape(lmHidden(tf, lm, ids, options), [B * T, D]);
  const out = param(lm, lm.config.tiedHead === false ? 'lm_head' : 'tok_emb');
  const logits = tf.matMul(hidden as tfTypes.Tensor2D, out as tfTypes.Tensor2D, false, true);
  return tf.reshape(logits, [B, T, vocabSize]);
}

/**
 * Mean next-token cross-entropy (nats per token) of `inputs` [B, T] predicting `targets` [B, T].
 * Optional `weights` [B, T] (1 = count, 0 = ignore, e.g. padding). Call inside tidy/variableGrads.
 */
export function lmLoss(
  tf: Tf,
  lm: Lm,
  inputs: tfTypes.Tensor2D,
  targets: tfTypes.Tensor2D,
  weights?: tfTypes.Tensor2D,
  options: ForwardOptions = {},
): tfTypes.Scalar {
  const { vocabSize } = lm.config;
  const logits = tf.reshape(lmLogits(tf, lm, inputs, options), [-1, vocabSize]);
  const logp = tf.logSoftmax(logits);
  const onehot = tf.oneHot(tf.reshape(targets, [-1]) as tfTypes.Tensor1D, vocabSize);
  const nll = tf.neg(tf.sum(tf.mul(logp, onehot), -1));
  if (!weights) return tf.mean(nll);
  const w = tf.reshape(tf.cast(weights, 'float32'), [-1]);
  return tf.div(tf.sum(tf.mul(nll, w)), tf.maximum(tf.sum(w), 1));
}

/** Splits token windows [B, T+1] into inputs [B, T] and targets [B, T]. Call inside tidy. */
export function shiftWindows(tf: Tf, windows: tfTypes.Tensor2D): { inputs: tfTypes.Tensor2D; targets: tfTypes.Tensor2D } {
  const [B, T1] = windows.shape;
  return {
    inputs: tf.slice(windows, [0, 0], [B, T1 - 1]),
    targets: tf.slice(windows, [0, 1], [B, T1 - 1]),
  };
}

export interface GenerateOptions {
  maxTokens: number;
  /** 0 means greedy (argmax). */
  temperature?: number;
  /** Keep only the k most likely tokens (0 or undefined: all). */
  topK?: number;
  /** Nucleus sampling: keep the likeliest tokens whose probabilities sum to at least p (1 or undefined: all). */
  topP?: number;
  seed?: number;
  /** Stop when this id is produced (not included in the output). */
  stopId?: number;
  /** Called after every new id with all new ids so far (streaming); generation waits for it. */
  onToken?: (ids: readonly number[]) => void | Promise<void>;
}

/**
 * Picks one id from unnormalised logits with the given temperature, top-k and top-p (nucleus: the
 * likeliest ids whose tempered probabilities reach p, as transformers' TopPLogitsWarper keeps them)
 * and a seeded RNG. Temperature 0 is greedy.
 */
export function sampleFromLogits(logits: Float32Array, temperature: number, topK: number, rng: Rng, topP = 1): number {
  const n = logits.length;
  let best = 0;
  for (let i = 1; i < n; i++) if ((logits[i] as number) > (logits[best] as number)) best = i;
  if (temperature <= 0) return best;
  let order = Array.from({ length: n }, (_, i) => i);
  const nucleus = topP > 0 && topP < 1;
  if ((topK > 0 && topK < n) || nucleus) {
    order.sort((a, b) => (logits[b] as number) - (logits[a] as number) || a - b);
    if (topK > 0 && topK < n) order = order.slice(0, topK);
  }
  const max = logits[best] as number;
  let probs = order.map((i) => Math.exp(((logits[i] as number) - max) / temperature));
  if (nucleus) {
    const sum = probs.reduce((a, b) => a + b, 0);
    let kept = 0;
    let mass = 0;
    while (kept < probs.length && mass < topP * sum) mass += probs[kept++] as number;
    order = order.slice(0, Math.max(1, kept));
    probs = probs.slice(0, order.length);
  }
  const total = probs.reduce((a, b) => a + b, 0);
  let r = rng() * total;
  for (let j = 0; j < order.length; j++) {
    r -= probs[j] as number;
    if (r <= 0) return order[j] as number;
  }
  // Only reached through rounding: the likeliest id.
  return best;
}

/**
 * Autoregressive sampling. Deterministic for a fixed seed: the logits are read back with
 * `await data()` and sampled in JS with a seeded RNG. Returns only the new ids.
 */
export async function generate(tf: Tf, lm: Lm, promptIds: ArrayLike<number>, options: GenerateOptions): Promise<Int32Array> {
  const { contextLength } = lm.config;
  const temperature = options.temperature ?? 1;
  const topK = options.topK ?? 0;
  const topP = options.topP ?? 1;
  const rng = createRng(options.seed ?? 1);
  const ids = Array.from(promptIds);
  const out: number[] = [];
  for (let step = 0; step < options.maxTokens; step++) {
    const window = ids.slice(-contextLength);
    if (window.length === 0) throw new Error('generate needs at least one prompt token (e.g. BOS)');
    const last = tf.tidy(() => {
      // Only the last position's logits: with a 50k-token vocabulary the others would cost most of the step.
      const hidden = lmHidden(tf, lm, tf.tensor2d(window, [1, window.length], 'int32'));
      const h = tf.reshape(tf.slice(hidden, [0, window.length - 1, 0], [1, 1, lm.config.width]), [1, lm.config.width]);
      const out = param(lm, lm.config.tiedHead === false ? 'lm_head' : 'tok_emb');
      return tf.reshape(tf.matMul(h as tfTypes.Tensor2D, out as tfTypes.Tensor2D, false, true), [-1]);
    });
    const values = (await last.data()) as Float32Array;
    last.dispose();
    const next = sampleFromLogits(values, temperature, topK, rng, topP);
    if (options.stopId !== undefined && next === options.stopId) break;
    ids.push(next);
    out.push(next);
    await options.onToken?.(out);
  }
  return Int32Array.from(out);
}

/** Reads all weights back (await data) into one float32 buffer with its specs. */
export async function saveLm(lm: Lm): Promise<SavedLm> {
  const weightSpecs: WeightSpec[] = [];
  const arrays: Float32Array[] = [];
  for (const name of lm.names) {
    const v = param(lm, name);
    weightSpecs.push({ name, shape: v.shape.slice(), dtype: 'float32' });
    arrays.push((await v.data()) as Float32Array);
  }
  return { config: { ...lm.config }, weightSpecs, weights: concatFloat32(arrays).buffer as ArrayBuffer };
}

/** Rebuilds a model from saved weights; checks every expected parameter is present with its shape. */
export function loadLm(tf: Tf, saved: SavedLm): Lm {
  const { config } = saved;
  validate(config);
  const flat = new Float32Array(saved.weights);
  const offsets = new Map<string, { offset: number; spec: WeightSpec }>();
  let o = 0;
  for (const spec of saved.weightSpecs) {
    if (spec.dtype !== 'float32') throw new Error(`unsupported weight dtype ${String(spec.dtype)}`);
    offsets.set(spec.name, { offset: o, spec });
    o += spec.shape.reduce((a, b) => a * b, 1);
  }
  if (o !== flat.length) throw new Error(`weights hold ${flat.length} floats, the specs describe ${o}`);
  const vars = new Map<string, tfTypes.Variable>();
  const names: string[] = [];
  try {
    for (const p of paramShapes(config)) {
      const entry = offsets.get(p.name);
      if (!entry) throw new Error(`the saved model lacks ${p.name}`);
      if (entry.spec.shape.join(',') !== p.shape.join(',')) {
        throw new Error(`${p.name} has shape [${entry.spec.shape.join(',')}], expected [${p.shape.join(',')}]`);
      }
      const size = p.shape.reduce((a, b) => a * b, 1);
      const values = flat.slice(entry.offset, entry.offset + size);
      vars.set(
        p.name,
        tf.tidy(() => tf.variable(tf.tensor(values, p.shape, 'float32'), true)),
      );
      names.push(p.name);
    }
  } catch (err) {
    for (const v of vars.values()) v.dispose();
    throw err;
  }
  return { config: { ...config }, names, vars };
}
