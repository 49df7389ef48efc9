/**
 * The source of `lm.js`, shipped in every exported text model: a dependency-free ES module that
 * runs the exported model with the caller's TensorFlow.js (any backend) and tokenizes with the
 * export's own tokenizer.json (GPT-2's byte-level BPE, in plain JS). It mirrors model.ts,
 * classifier.ts and the Hugging Face tokenizer op for op: export.test.ts checks that its tokens,
 * logits, probabilities and a seeded generation match the studio's.
 */
export const LM_JS = String.raw`// lm.js: runs a text model exported by the fine-tuning studio with TensorFlow.js (any backend).
//
// Browser (model.json, weights.bin, tokenizer.json and lm.js served from one folder):
//   import * as tf from '@tensorflow/tfjs';
//   import { loadTextModel, generate, classify } from './lm.js';
//   const model = await loadTextModel(tf, './');  // fetches model.json, tokenizer.json, weights.bin
//   await generate(tf, model, 'Call me', { maxTokens: 80, temperature: 0.8, topK: 40, seed: 1 });
//   await classify(tf, model, 'A paragraph to label');  // [{ label, probability }], most likely first
//
// Node:
//   const json = JSON.parse(fs.readFileSync('model.json', 'utf8'));
//   const bin = new Uint8Array(fs.readFileSync('weights.bin')).buffer;
//   const model = fromWeights(tf, json, tf.io.decodeWeights(bin, json.weightsManifest[0].weights),
//     JSON.parse(fs.readFileSync('tokenizer.json', 'utf8')));
//
// Tokens: GPT-2's byte-level BPE, read from tokenizer.json: encode(model, text), decode(model, ids);
// without weights, encode({ tokenizer: readTokenizer(tokenizerJson) }, text).
// Call disposeModel(model) when done.

// ---- Tokenizer: GPT-2 byte-level BPE --------------------------------------------------------

// GPT-2's pre-tokenizer (the ByteLevel pre-tokenizer's regex): merges never cross these pieces.
const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

// GPT-2's bytes_to_unicode: every byte as a printable character (printable bytes as themselves,
// the others from U+0100 on), so that BPE tokens are plain strings.
function byteAlphabet() {
  const bytes = [];
  for (let b = 0x21; b <= 0x7e; b++) bytes.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bytes.push(b);
  for (let b = 0xae; b <= 0xff; b++) bytes.push(b);
  const chars = bytes.map((b) => String.fromCodePoint(b));
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bytes.includes(b)) {
      bytes.push(b);
      chars.push(String.fromCodePoint(256 + n++));
    }
  }
  const byteChar = new Array(256);
  const charByte = new Map();
  bytes.forEach((b, i) => {
    byteChar[b] = chars[i];
    charByte.set(chars[i], b);
  });
  return { byteChar, charByte };
}

/** The tokenizer of a parsed tokenizer.json (or its text); refuses what lm.js does not implement. */
export function readTokenizer(tokenizerJson) {
  const json = typeof tokenizerJson === 'string' ? JSON.parse(tokenizerJson) : tokenizerJson;
  if (!json || typeof json !== 'object') throw new Error('fromWeights needs the parsed tokenizer.json');
  const model = json.model || {};
  const pre = json.pre_tokenizer;
  if (model.type !== 'BPE' || !pre || pre.type !== 'ByteLevel' || json.normalizer) {
    throw new Error('lm.js reads GPT-2 byte-level BPE tokenizers (a BPE model, the ByteLevel pre-tokenizer, no normalizer)');
  }
  // A Map, not the object: a token may be spelt "constructor" or "__proto__".
  const vocab = new Map(Object.entries(model.vocab));
  const ranks = new Map();
  // Merges are "left right" strings in older files, [left, right] pairs in newer ones.
  (model.merges || []).forEach((m, rank) => ranks.set(Array.isArray(m) ? m[0] + ' ' + m[1] : m, rank));
  const added = (json.added_tokens || []).slice().sort((a, b) => b.content.length - a.content.length);
  const tokens = [];
  for (const [token, id] of vocab) tokens[id] = token;
  const addedById = new Map(added.map((t) => [t.id, t]));
  return {
    vocab,
    ranks,
    tokens,
    added,
    addedById,
    ...byteAlphabet(),
    splitWords: pre.use_regex !== false,
    prefixSpace: pre.add_prefix_space === true,
    ignoreMerges: model.ignore_merges === true,
    cache: new Map(),
  };
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;

// The text cut into plain segments and added tokens (<|endoftext|> and the like), as Hugging Face
// tokenizers cut it before pre-tokenizing: the longest added token first, honouring lstrip
// (absorbs the whitespace before it), rstrip (after it) and single_word (not inside a word).
function splitAdded(tok, text) {
  const out = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const t = tok.added.find((a) => a.content && text.startsWith(a.content, i));
    const end = t ? i + t.content.length : i;
    if (!t || (t.single_word && (WORD_CHAR.test(text[i - 1] || '') || WORD_CHAR.test(text[end] || '')))) {
      i++;
      continue;
    }
    let before = i;
    if (t.lstrip) while (before > start && /\s/u.test(text[before - 1])) before--;
    let after = end;
    if (t.rstrip) while (after < text.length && /\s/u.test(text[after])) after++;
    if (before > start) out.push(text.slice(start, before));
    out.push(t.id);
    start = i = after;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

// One pre-tokenized word (in byte characters) as BPE token ids: GPT-2's bpe(), merging the
// lowest-ranked adjacent pair everywhere in the word until no pair has a rank. Cached per word.
function bpeWord(tok, word) {
  const cached = tok.cache.get(word);
  if (cached) return cached;
  let parts = tok.ignoreMerges && tok.vocab.has(word) ? [word] : Array.from(word);
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < parts.length; i++) {
      const rank = tok.ranks.get(parts[i] + ' ' + parts[i + 1]);
      if (rank !== undefined && rank < bestRank) {
        bestRank = rank;
        best = i;
      }
    }
    if (best < 0) break;
    const a = parts[best];
    const b = parts[best + 1];
    const merged = [];
    for (let i = 0; i < parts.length; i++) {
      if (i + 1 < parts.length && parts[i] === a && parts[i + 1] === b) {
        merged.push(a + b);
        i++;
      } else merged.push(parts[i]);
    }
    parts = merged;
  }
  const ids = parts.map((p) => {
    const id = tok.vocab.get(p);
    if (id === undefined) throw new Error('tokenizer.json has no token ' + JSON.stringify(p));
    return id;
  });
  // Bounded, so that a long stream of distinct words cannot grow it without end.
  if (tok.cache.size > 50000) tok.cache.clear();
  tok.cache.set(word, ids);
  return ids;
}

/** Token ids of a text, as the studio's tokenizer gives them (added tokens such as <|endoftext|> included). */
export function encode(model, text) {
  const tok = model.tokenizer;
  const utf8 = new TextEncoder();
  const ids = [];
  for (const segment of splitAdded(tok, text)) {
    if (typeof segment === 'number') {
      ids.push(segment);
      continue;
    }
    const s = tok.prefixSpace && !segment.startsWith(' ') ? ' ' + segment : segment;
    for (const piece of tok.splitWords ? s.match(GPT2_PATTERN) || [] : [s]) {
      let word = '';
      for (const b of utf8.encode(piece)) word += tok.byteChar[b];
      for (const id of bpeWord(tok, word)) ids.push(id);
    }
  }
  return ids;
}

/**
 * The text of token ids; special tokens are left out. A character split across the last ids
 * decodes as U+FFFD (the decoder is not fatal), as in the studio.
 */
export function decode(model, ids) {
  const tok = model.tokenizer;
  const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  let text = '';
  let bytes = [];
  const flush = () => {
    text += utf8.decode(Uint8Array.from(bytes));
    bytes = [];
  };
  for (const id of ids) {
    const added = tok.addedById.get(id);
    if (added) {
      if (added.special) continue;
      flush();
      text += added.content;
      continue;
    }
    const token = tok.tokens[id];
    if (token === undefined) continue;
    for (const c of token) {
      const b = tok.charByte.get(c);
      if (b !== undefined) bytes.push(b);
      else for (const x of new TextEncoder().encode(c)) bytes.push(x);
    }
  }
  flush();
  return text;
}

// ---- Model ----------------------------------------------------------------------------------

/** A model from model.json, its decoded weights (name -> tensor) and tokenizer.json (parsed or text). */
export function fromWeights(tf, modelJson, weights, tokenizerJson) {
  for (const group of modelJson.weightsManifest) {
    for (const spec of group.weights) {
      if (!weights[spec.name]) throw new Error('weights.bin lacks ' + spec.name);
    }
  }
  if (tokenizerJson === undefined || tokenizerJson === null) {
    throw new Error('fromWeights needs tokenizer.json (parsed, or as text) as its fourth argument');
  }
  const tokenizer = readTokenizer(tokenizerJson);
  // A loop, not Math.max(...ids): a 50k-token vocabulary is too many arguments for some engines.
  let largest = -1;
  for (const id of tokenizer.vocab.values()) largest = Math.max(largest, id);
  for (const t of tokenizer.added) largest = Math.max(largest, t.id);
  if (largest >= modelJson.config.vocabSize) {
    throw new Error('tokenizer.json has ids up to ' + largest + ', the model only ' + modelJson.config.vocabSize);
  }
  const ids = modelJson.tokenizer;
  return {
    task: modelJson.task,
    config: modelJson.config,
    labels: modelJson.labels || null,
    pooling: modelJson.pooling || 'mean',
    tokenizer,
    bos: ids.bos,
    eos: ids.eos === null || ids.eos === undefined ? null : ids.eos,
    pad: ids.pad,
    w: weights,
  };
}

/** Fetches model.json, tokenizer.json and weights.bin from a folder URL. */
export async function loadTextModel(tf, baseUrl) {
  const base = baseUrl.endsWith('/') ? baseUrl : baseUrl + '/';
  const fetchJson = async (name) => {
    const response = await fetch(base + name);
    if (!response.ok) throw new Error('cannot fetch ' + name + ' (' + response.status + ')');
    return response.json();
  };
  const json = await fetchJson('model.json');
  const tokenizer = await fetchJson((json.tokenizer && json.tokenizer.file) || 'tokenizer.json');
  const weights = await tf.io.loadWeights(json.weightsManifest, base);
  return fromWeights(tf, json, weights, tokenizer);
}

export function disposeModel(model) {
  for (const t of Object.values(model.w)) t.dispose();
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

// The output matrix: the model's own lm_head, or the tied token embedding.
const outputMatrix = (model) => (model.config.tiedHead === false ? model.w.lm_head : model.w.tok_emb);

/** Next-token logits [B, T, vocab] (generation models). Call inside tf.tidy. */
export function logits(tf, model, ids) {
  const { width: D, vocabSize } = model.config;
  const [B, T] = ids.shape;
  const h = tf.reshape(hiddenStates(tf, model, ids), [B * T, D]);
  return tf.reshape(tf.matMul(h, outputMatrix(model), false, true), [B, T, vocabSize]);
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

// One id from logits with temperature (0: greedy), top-k (0: all) and top-p (nucleus: the
// likeliest ids whose tempered probabilities reach p; 1: off), drawn with the seeded generator.
function sample(values, temperature, topK, topP, rand) {
  const n = values.length;
  let best = 0;
  for (let i = 1; i < n; i++) if (values[i] > values[best]) best = i;
  if (temperature <= 0) return best;
  let order = Array.from({ length: n }, (_, i) => i);
  const nucleus = topP > 0 && topP < 1;
  if ((topK > 0 && topK < n) || nucleus) {
    order.sort((a, b) => values[b] - values[a] || a - b);
    if (topK > 0 && topK < n) order = order.slice(0, topK);
  }
  const max = values[best];
  let probs = order.map((i) => Math.exp((values[i] - max) / temperature));
  if (nucleus) {
    const sum = probs.reduce((a, b) => a + b, 0);
    let kept = 0;
    let mass = 0;
    while (kept < probs.length && mass < topP * sum) mass += probs[kept++];
    order = order.slice(0, Math.max(1, kept));
    probs = probs.slice(0, order.length);
  }
  let r = rand() * probs.reduce((a, b) => a + b, 0);
  for (let j = 0; j < order.length; j++) {
    r -= probs[j];
    if (r <= 0) return order[j];
  }
  return best;
}

/**
 * Continues a prompt; returns only the new text. options: { maxTokens, temperature (0 = greedy),
 * topK (0 = all), topP (1 = off), seed }. An empty prompt starts from the start token; generation
 * stops at the end-of-text token. Same seed, same text (as in the studio).
 */
export async function generate(tf, model, prompt, options) {
  const T = model.config.contextLength;
  const D = model.config.width;
  const encoded = prompt.length > 0 ? encode(model, prompt) : [];
  const ids = encoded.length > 0 ? encoded : [model.bos];
  const temperature = options.temperature === undefined ? 1 : options.temperature;
  const topK = options.topK || 0;
  const topP = options.topP === undefined ? 1 : options.topP;
  const rand = mulberry32(options.seed === undefined ? 1 : options.seed);
  const out = [];
  for (let step = 0; step < options.maxTokens; step++) {
    const window = ids.slice(-T);
    // Only the last position's logits, as in the studio: with a large vocabulary the rest cost most of a step.
    const last = tf.tidy(() => {
      const hidden = hiddenStates(tf, model, tf.tensor2d(window, [1, window.length], 'int32'));
      const h = tf.reshape(tf.slice(hidden, [0, window.length - 1, 0], [1, 1, D]), [1, D]);
      return tf.reshape(tf.matMul(h, outputMatrix(model), false, true), [-1]);
    });
    const values = await last.data();
    last.dispose();
    const next = sample(values, temperature, topK, topP, rand);
    if (next === model.eos) break;
    ids.push(next);
    out.push(next);
  }
  return decode(model, out);
}

/**
 * Label probabilities for one text (classification models), most likely first. As in the studio:
 * up to 4 chunks of contextLength tokens are each pooled (the mean input embedding over the tokens
 * that are not padding, beside the hidden states pooled as trained), the chunk features averaged,
 * centred, each half RMS-normalised.
 */
export async function classify(tf, model, text) {
  const T = model.config.contextLength;
  const all = encode(model, text);
  const chunks = [];
  for (let c = 0; c < 4 && c * T < all.length; c++) chunks.push(all.slice(c * T, (c + 1) * T));
  if (chunks.length === 0) chunks.push([model.pad]);
  const probs = tf.tidy(() => {
    const feats = chunks.map((ids) => {
      const n = ids.length;
      const pool = new Float32Array(n);
      if (model.pooling === 'last') pool[n - 1] = 1;
      else pool.fill(1 / n);
      // The padding id (GPT-2's <|endoftext|>) is left out of the embedding mean, wherever it is.
      const real = ids.map((id) => (id === model.pad ? 0 : 1));
      const count = Math.max(real.reduce((a, b) => a + b, 0), 1);
      const meanWeights = tf.tensor3d(Float32Array.from(real, (r) => r / count), [1, n, 1]);
      const { embeddings, hidden } = forward(tf, model, tf.tensor2d(ids, [1, n], 'int32'));
      const embedded = tf.sum(tf.mul(embeddings, meanWeights), 1);
      const pooled = tf.sum(tf.mul(hidden, tf.tensor3d(pool, [1, n, 1])), 1);
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
