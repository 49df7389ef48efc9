/**
 * A Hugging Face BERT checkpoint (`config.json` + `model.safetensors`, `BertModel` or
 * `BertForSequenceClassification`) as the studio's transformer with `arch: 'bert'` (src/text/model.ts):
 * learned positions and token types, an embedding LayerNorm, post-LayerNorm blocks (ε from the
 * config, 1e-12 for BERT), the erf GELU, and the pooler.
 *
 * BERT's `nn.Linear` weights are stored [out, in]; the studio's kernels are [in, out], so they are
 * transposed, and the separate query, key and value projections become the studio's one fused
 * `attn.qkv` kernel [width, 3·width] (columns: query | key | value). Tensor names as transformers
 * writes them, with or without the `bert.` prefix; `position_ids` and `token_type_ids` buffers are not
 * weights. A sequence classifier's `classifier.weight` [labels, width] and bias come back beside the
 * model, with the labels of `id2label`. What cannot load is refused in a sentence naming it.
 */
import { concatFloat32 } from '../../lib/arrays';
import { StudioError } from '../../lib/errors';
import type { LmConfig, SavedLm, WeightSpec } from '../../text/model';
import { paramShapes } from '../../text/model';
import { configInt, tensorReader } from './checkpoint';
import type { SafetensorsFile } from './safetensors';

const fail = (why: string) => new StudioError('model-load-failed', `This BERT checkpoint cannot be used: ${why}.`);

/** The studio's config for a BERT config.json (parsed). */
export function bertLmConfig(json: unknown): LmConfig {
  const c = json as Record<string, unknown> | null;
  if (!c || typeof c !== 'object') throw fail('its config.json is not a JSON object');
  if (c.model_type !== 'bert') throw fail(`its config.json says model_type “${String(c.model_type)}”, not “bert”`);
  const whole = (name: string) => configInt(c[name], name, fail);
  const width = whole('hidden_size');
  const heads = whole('num_attention_heads');
  if (width % heads !== 0) throw fail(`hidden_size ${width} is not divisible by num_attention_heads ${heads}`);
  const inner = whole('intermediate_size');
  if (inner % width !== 0) throw fail(`intermediate_size ${inner} is not a multiple of hidden_size ${width}`);
  const act = c.hidden_act ?? 'gelu';
  if (act !== 'gelu') throw fail(`its hidden_act is “${String(act)}”; the studio runs BERT's exact GELU (“gelu”)`);
  const position = c.position_embedding_type ?? 'absolute';
  if (position !== 'absolute') throw fail(`its position_embedding_type is “${String(position)}”; the studio reads absolute positions`);
  const eps = typeof c.layer_norm_eps === 'number' ? c.layer_norm_eps : 1e-12;
  return {
    arch: 'bert',
    vocabSize: whole('vocab_size'),
    contextLength: whole('max_position_embeddings'),
    width,
    heads,
    blocks: whole('num_hidden_layers'),
    mlpRatio: inner / width,
    layerNormEps: eps,
    typeVocabSize: whole('type_vocab_size'),
  };
}

/** Where each of the studio's BERT parameters comes from: transformers' names (without `bert.`), transposed or not. */
function sources(studioName: string): { names: string[]; transpose: boolean } {
  const fixed: Record<string, string> = {
    tok_emb: 'embeddings.word_embeddings.weight',
    pos_emb: 'embeddings.position_embeddings.weight',
    type_emb: 'embeddings.token_type_embeddings.weight',
    'emb_ln.gamma': 'embeddings.LayerNorm.weight',
    'emb_ln.beta': 'embeddings.LayerNorm.bias',
    'pooler.bias': 'pooler.dense.bias',
  };
  if (fixed[studioName]) return { names: [fixed[studioName]], transpose: false };
  if (studioName === 'pooler.kernel') return { names: ['pooler.dense.weight'], transpose: true };
  const m = /^block(\d+)\.(.+)$/.exec(studioName);
  if (!m) throw new Error(`no BERT name for ${studioName}`);
  const p = `encoder.layer.${m[1]}.`;
  const qkv = ['query', 'key', 'value'];
  switch (m[2]) {
    case 'attn.qkv.kernel':
      return { names: qkv.map((n) => `${p}attention.self.${n}.weight`), transpose: true };
    case 'attn.qkv.bias':
      return { names: qkv.map((n) => `${p}attention.self.${n}.bias`), transpose: false };
    case 'attn.proj.kernel':
      return { names: [`${p}attention.output.dense.weight`], transpose: true };
    case 'attn.proj.bias':
      return { names: [`${p}attention.output.dense.bias`], transpose: false };
    case 'ln1.gamma':
      return { names: [`${p}attention.output.LayerNorm.weight`], transpose: false };
    case 'ln1.beta':
      return { names: [`${p}attention.output.LayerNorm.bias`], transpose: false };
    case 'mlp.fc.kernel':
      return { names: [`${p}intermediate.dense.weight`], transpose: true };
    case 'mlp.fc.bias':
      return { names: [`${p}intermediate.dense.bias`], transpose: false };
    case 'mlp.proj.kernel':
      return { names: [`${p}output.dense.weight`], transpose: true };
    case 'mlp.proj.bias':
      return { names: [`${p}output.dense.bias`], transpose: false };
    case 'ln2.gamma':
      return { names: [`${p}output.LayerNorm.weight`], transpose: false };
    case 'ln2.beta':
      return { names: [`${p}output.LayerNorm.bias`], transpose: false };
  }
  throw new Error(`no BERT name for ${studioName}`);
}

/** Transformers' names of a studio BERT parameter (without `bert.`): three for the fused q·k·v. */
export function bertNames(studioName: string): string[] {
  return sources(studioName).names;
}

/** [rows, cols] → [cols, rows]. */
export function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c] as number;
  return out;
}

export interface BertCheckpoint {
  saved: SavedLm;
  /** A sequence classifier's head, as the checkpoint has it ([labels, width] → kernel [width, labels]); null for a bare encoder. */
  classifier: { labels: string[]; kernel: Float32Array; bias: Float32Array } | null;
}

/** The labels of config.json's `id2label`, in id order (null when it has none); `refuse` words the error (DistilBERT's). */
export function bertLabels(configJson: Record<string, unknown>, refuse: (why: string) => Error = fail): string[] | null {
  const map = configJson.id2label as Record<string, string> | undefined;
  if (!map || typeof map !== 'object') return null;
  const ids = Object.keys(map)
    .map(Number)
    .sort((a, b) => a - b);
  if (!ids.every((id, i) => id === i)) throw refuse('its id2label does not number the labels 0, 1, 2, …');
  return ids.map((id) => String(map[String(id)]));
}

/**
 * The studio's parameters of `config` (paramShapes order) from a checkpoint's tensors: `sourceOf`
 * names each one's source tensors (several side by side for a fused kernel or bias) and whether they
 * are `nn.Linear` weights [out, in] to transpose; `get` reads one, checking its shape.
 */
export function studioParams(
  config: LmConfig,
  sourceOf: (studioName: string) => { names: string[]; transpose: boolean },
  get: (name: string, shape: number[]) => Float32Array,
): { specs: WeightSpec[]; parts: Float32Array[] } {
  const specs: WeightSpec[] = [];
  const parts: Float32Array[] = [];
  for (const p of paramShapes(config)) {
    const { names, transpose } = sourceOf(p.name);
    let values: Float32Array;
    if (transpose) {
      // Each source is [out_i, in]; the studio's kernel is [in, Σ out_i] with the sources side by side.
      const [fanIn, fanOut] = p.shape as [number, number];
      const out = fanOut / names.length;
      const blocks = names.map((n) => transpose2d(get(n, [out, fanIn]), out, fanIn)); // [in, out]
      values = new Float32Array(fanIn * fanOut);
      for (let i = 0; i < fanIn; i++) blocks.forEach((b, k) => values.set(b.subarray(i * out, (i + 1) * out), i * fanOut + k * out));
    } else {
      const size = (p.shape[0] as number) / names.length;
      values = concatFloat32(names.map((n) => get(n, p.shape.length === 1 ? [size] : p.shape)));
    }
    specs.push({ name: p.name, shape: p.shape, dtype: 'float32' });
    parts.push(values);
  }
  return { specs, parts };
}

/**
 * A sequence classifier's `classifier.weight` [labels, width] (as kernel [width, labels]) and bias,
 * with the labels of `id2label`; null when either is missing. `widthKey` names the width in errors.
 */
export function sequenceClassifier(
  configJson: Record<string, unknown>,
  weights: SafetensorsFile,
  width: number,
  refuse: (why: string) => Error,
  widthKey: string,
): BertCheckpoint['classifier'] {
  const labels = bertLabels(configJson, refuse);
  const head = weights.entries.get('classifier.weight');
  if (!head || !labels) return null;
  const K = labels.length;
  if (head.shape.join(',') !== `${K},${width}`) {
    throw refuse(`tensor “classifier.weight” has shape [${head.shape.join(', ')}], but id2label and ${widthKey} imply [${K}, ${width}]`);
  }
  const bias = weights.entries.get('classifier.bias');
  if (!bias) throw refuse('model.safetensors has classifier.weight but no classifier.bias');
  if (bias.shape.join(',') !== `${K}`)
    throw refuse(`tensor “classifier.bias” has shape [${bias.shape.join(', ')}], but id2label implies [${K}]`);
  return { labels, kernel: transpose2d(weights.read('classifier.weight'), K, width), bias: weights.read('classifier.bias') };
}

/** The checkpoint's weights as the studio's saved model, and its classifier head when it has one. */
export function bertToSavedLm(configJson: unknown, weights: SafetensorsFile): BertCheckpoint {
  const config = bertLmConfig(configJson);
  const { specs, parts } = studioParams(config, sources, tensorReader(weights, 'bert.', fail));
  const classifier = sequenceClassifier(configJson as Record<string, unknown>, weights, config.width, fail, 'hidden_size');
  return { saved: { config, weightSpecs: specs, weights: concatFloat32(parts).buffer as ArrayBuffer }, classifier };
}
