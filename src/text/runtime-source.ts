/**
 * The source of `lm.js`, shipped in every exported text model: a dependency-free ES module that
 * runs the exported model with the caller's TensorFlow.js (any backend). It mirrors model.ts and
 * classifier.ts op for op (export.test.ts checks the logits and a seeded generation match).
 */
export const LM_JS = String.raw`// lm.js: runs a text model exported by the fine-tuning studio with TensorFlow.js (any backend).
//
// Browser (model.json, weights.bin and lm.js served from one folder):
//   import * as tf from '@tensorflow/tfjs';
//   import { loadTextModel, generate, classify } from './lm.js';
//   const model = await loadTextModel(tf, './');           // fetches model.json + weights.bin (tf.io.loadWeights)
//   await generate(tf, model, 'Call me', { maxTokens: 80, temperature: 0.8, topK: 40, seed: 1 });
//   await classify(tf, model, 'A paragraph to label');     // [{ label, probability }], most likely first
//
// Node:
//   const json = JSON.parse(fs.readFileSync('model.json', 'utf8'));
//   const bin = new Uint8Array(fs.readFileSync('weights.bin')).buffer;
//   const model = fromWeights(tf, json, tf.io.decodeWeights(bin, json.weightsManifest[0].weights));
//
// Tokens are UTF-8 bytes (0-255) plus BOS 256, EOS 257, PAD 258. Call disposeModel(model) when done.

const BYTE_VOCAB = 256;
const BOS = 256;
const PAD = 258;
const EOS = 257;

/** A model from model.json and its decoded weights (name -> tensor). */
export function fromWeights(tf, modelJson, weights) {
  for (const group of modelJson.weightsManifest) {
    for (const spec of group.weights) {
      if (!weights[spec.name]) throw new Error('weights.bin lacks ' + spec.name);
    }
  }
  return {
    task: modelJson.task,
    config: modelJson.config,
    labels: modelJson.labels || null,
    pooling: modelJson.pooling || 'mean',
    w: weights,
  };
}

/** Fetches model.json and weights.bin from a folder URL. */
export async function loadTextModel(tf, baseUrl) {
  const base = baseUrl.endsWith('/') ? baseUrl : baseUrl + '/';
  const response = await fetch(base + 'model.json');
  if (!response.ok) throw new Error('cannot fetch model.json (' + response.status + ')');
  const json = await response.json();
  const weights = await tf.io.loadWeights(json.weightsManifest, base);
  return fromWeights(tf, json, weights);
}

export function disposeModel(model) {
  for (const t of Object.values(model.w)) t.dispose();
}

export function encode(text) {
  return Array.from(new TextEncoder().encode(text));
}

export function decode(ids) {
  const bytes = Uint8Array.from(ids.filter((id) => id >= 0 && id < BYTE_VOCAB));
  return new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
}

function layerNorm(tf, x, gamma, beta) {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, 1e-5))), gamma), beta);
}

function gelu(tf, x) {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/** Final hidden states [B, T, width] for an int32 tensor of ids [B, T]. Call inside tf.tidy. */
export function hiddenStates(tf, model, ids) {
  return forward(tf, model, ids).hidden;
}

/** The input embeddings [B, T, width] and the final hidden states [B, T, width]. Call inside tf.tidy. */
export function forward(tf, model, ids) {
  const { width: D, heads, vocabSize } = model.config;
  const [B, T] = ids.shape;
  const w = model.w;
  const hd = D / heads;
  const pos = tf.slice(w.pos_emb, [0, 0], [T, D]);
  const onehot = tf.oneHot(tf.reshape(tf.cast(ids, 'int32'), [-1]), vocabSize);
  const tok = tf.reshape(tf.matMul(onehot, w.tok_emb), [B, T, D]);
  let x = tf.reshape(tf.add(tok, pos), [B * T, D]);
  const embeddings = tf.reshape(x, [B, T, D]);
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
  const mask = tf.tensor2d(m, [T, T]);
  const scale = 1 / Math.sqrt(hd);
  const split = (t) => tf.reshape(tf.transpose(tf.reshape(t, [B, T, heads, hd]), [0, 2, 1, 3]), [B * heads, T, hd]);
  for (let b = 0; b < model.config.blocks; b++) {
    const p = 'block' + b + '.';
    const h = layerNorm(tf, x, w[p + 'ln1.gamma'], w[p + 'ln1.beta']);
    const qkv = tf.add(tf.matMul(h, w[p + 'attn.qkv.kernel']), w[p + 'attn.qkv.bias']);
    const [q, k, v] = tf.split(qkv, 3, 1);
    const scores = tf.add(tf.mul(tf.matMul(split(q), split(k), false, true), scale), mask);
    const att = tf.matMul(tf.softmax(scores), split(v));
    const merged = tf.reshape(tf.transpose(tf.reshape(att, [B, heads, T, hd]), [0, 2, 1, 3]), [B * T, D]);
    x = tf.add(x, tf.add(tf.matMul(merged, w[p + 'attn.proj.kernel']), w[p + 'attn.proj.bias']));
    const h2 = layerNorm(tf, x, w[p + 'ln2.gamma'], w[p + 'ln2.beta']);
    const fc = gelu(tf, tf.add(tf.matMul(h2, w[p + 'mlp.fc.kernel']), w[p + 'mlp.fc.bias']));
    x = tf.add(x, tf.add(tf.matMul(fc, w[p + 'mlp.proj.kernel']), w[p + 'mlp.proj.bias']));
  }
  return { embeddings, hidden: tf.reshape(layerNorm(tf, x, w['ln_f.gamma'], w['ln_f.beta']), [B, T, D]) };
}

/** Next-byte logits [B, T, vocab] (generation models). Call inside tf.tidy. */
export function logits(tf, model, ids) {
  const { width: D, vocabSize } = model.config;
  const [B, T] = ids.shape;
  const out = model.config.tiedHead === false ? model.w.lm_head : model.w.tok_emb;
  const h = tf.reshape(hiddenStates(tf, model, ids), [B * T, D]);
  return tf.reshape(tf.matMul(h, out, false, true), [B, T, vocabSize]);
}

function mulberry32(seed) {
  let a = seed >>> 0 || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sample(values, temperature, topK, rand) {
  const n = values.length;
  let best = 0;
  for (let i = 1; i < n; i++) if (values[i] > values[best]) best = i;
  if (temperature <= 0) return best;
  let order = Array.from({ length: n }, (_, i) => i);
  if (topK > 0 && topK < n) {
    order.sort((a, b) => values[b] - values[a] || a - b);
    order = order.slice(0, topK);
  }
  const max = values[best];
  const probs = order.map((i) => Math.exp((values[i] - max) / temperature));
  let r = rand() * probs.reduce((a, b) => a + b, 0);
  for (let j = 0; j < order.length; j++) {
    r -= probs[j];
    if (r <= 0) return order[j];
  }
  return best;
}

// Valid UTF-8 only: the bytes that may come next (RFC 3629), as in the studio.
const BOUNDARY = { pending: 0, lo: 0x80, hi: 0xbf };
function nextState(s, b) {
  if (s.pending > 0 && b >= 0x80 && b <= 0xbf) return { pending: s.pending - 1, lo: 0x80, hi: 0xbf };
  if (b >= 0xc2 && b <= 0xdf) return { pending: 1, lo: 0x80, hi: 0xbf };
  if (b === 0xe0) return { pending: 2, lo: 0xa0, hi: 0xbf };
  if (b === 0xed) return { pending: 2, lo: 0x80, hi: 0x9f };
  if (b >= 0xe1 && b <= 0xef) return { pending: 2, lo: 0x80, hi: 0xbf };
  if (b === 0xf0) return { pending: 3, lo: 0x90, hi: 0xbf };
  if (b === 0xf4) return { pending: 3, lo: 0x80, hi: 0x8f };
  if (b >= 0xf1 && b <= 0xf3) return { pending: 3, lo: 0x80, hi: 0xbf };
  return BOUNDARY;
}
function allowed(id, s) {
  if (s.pending > 0) return id >= s.lo && id <= s.hi;
  if (id === BOS || id === PAD) return false;
  if (id === EOS) return true;
  if (id < 0x20) return id === 0x09 || id === 0x0a;
  if (id === 0x7f) return false;
  return id < 0x80 || (id >= 0xc2 && id <= 0xf4);
}

/**
 * Continues a prompt; returns only the new text. options: { maxTokens, temperature (0 = greedy),
 * topK (0 = all), seed }. Stops at the end-of-text token. Same seed, same text (as in the studio).
 */
export async function generate(tf, model, prompt, options) {
  const T = model.config.contextLength;
  const ids = prompt.length > 0 ? encode(prompt) : [BOS];
  const rand = mulberry32(options.seed === undefined ? 1 : options.seed);
  const out = [];
  let utf8 = BOUNDARY;
  for (const id of ids) if (id < 256) utf8 = nextState(utf8, id);
  // A character begun by the last step is finished (at most 3 more bytes).
  for (let step = 0; step < options.maxTokens || (utf8.pending > 0 && step < options.maxTokens + 3); step++) {
    const window = ids.slice(-T);
    const last = tf.tidy(() => {
      const l = logits(tf, model, tf.tensor2d(window, [1, window.length], 'int32'));
      return tf.reshape(tf.slice(l, [0, window.length - 1, 0], [1, 1, model.config.vocabSize]), [-1]);
    });
    const values = await last.data();
    last.dispose();
    for (let id = 0; id < values.length; id++) if (!allowed(id, utf8)) values[id] = -Infinity;
    const next = sample(values, options.temperature === undefined ? 1 : options.temperature, options.topK || 0, rand);
    if (next < 256) utf8 = nextState(utf8, next);
    if (next === EOS) break; // the end of the text, as in the studio
    ids.push(next);
    out.push(next);
  }
  return decode(out);
}

/**
 * Label probabilities for one text (classification models), most likely first. As in the studio:
 * up to 4 chunks of contextLength bytes are each pooled (the mean input embedding beside the
 * hidden states pooled as trained), the chunk features averaged, centred, each half RMS-normalised.
 */
export async function classify(tf, model, text) {
  const T = model.config.contextLength;
  const all = encode(text);
  const chunks = [];
  for (let c = 0; c < 4 && c * T < all.length; c++) chunks.push(all.slice(c * T, (c + 1) * T));
  if (chunks.length === 0) chunks.push([PAD]);
  const probs = tf.tidy(() => {
    const feats = chunks.map((ids) => {
      const n = ids.length;
      const pool = new Float32Array(n);
      if (model.pooling === 'last') pool[n - 1] = 1;
      else pool.fill(1 / n);
      const { embeddings, hidden } = forward(tf, model, tf.tensor2d(ids, [1, n], 'int32'));
      const real = ids[0] === PAD && n === 1 ? 0 : 1 / n;
      const embedded = tf.mul(tf.sum(embeddings, 1), real);
      const pooled = tf.sum(tf.mul(hidden, tf.expandDims(tf.tensor2d(pool, [1, n]), 2)), 1);
      return tf.concat([embedded, pooled], 1);
    });
    const mean = tf.div(tf.addN(feats), feats.length);
    const centred = tf.sub(mean, model.w['cls.shift']);
    const normal = tf.concat(
      tf.split(centred, 2, 1).map((p) => tf.div(p, tf.sqrt(tf.add(tf.mean(tf.square(p), -1, true), 1e-8)))),
      1,
    );
    return tf.softmax(tf.add(tf.matMul(normal, model.w['cls.kernel']), model.w['cls.bias']));
  });
  const values = await probs.data();
  probs.dispose();
  return model.labels
    .map((label, i) => ({ label, probability: values[i] }))
    .sort((a, b) => b.probability - a.probability);
}
`;
