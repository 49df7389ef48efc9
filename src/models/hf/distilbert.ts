/**
 * A Hugging Face DistilBERT checkpoint (`config.json` + `model.safetensors`: `DistilBertModel`,
 * `DistilBertForMaskedLM` or `DistilBertForSequenceClassification`) as the studio's transformer with
 * `arch: 'bert'` (src/text/model.ts): learned positions and no token types (`typeVocabSize: 0`), an
 * embedding LayerNorm, post-LayerNorm blocks (ε 1e-12, fixed in transformers' DistilBERT), the erf
 * GELU; and for its pooler the sequence classifier's `pre_classifier` on the first token ([CLS]),
 * with a ReLU (`poolerActivation: 'relu'`) where BERT's pooler has a tanh. The classifier then reads
 * it through dropout, as `DistilBertForSequenceClassification` does.
 *
 * `nn.Linear` weights [out, in] are transposed to the studio's [in, out], and q_lin, k_lin and v_lin
 * become the one fused `attn.qkv` kernel [dim, 3·dim] (columns: query | key | value). Tensor names
 * with or without the `distilbert.` prefix (`pre_classifier` and `classifier` are at the top level). A
 * checkpoint without `pre_classifier` (a bare encoder, or the masked-LM `distilbert-base-uncased`, whose
 * vocab_* tensors are not read) gets a new one as transformers initialises it: N(0, initializer_range),
 * zero bias, from a seed. What cannot load is refused in a sentence naming it.
 *
 * `distilbertTensors` and `distilbertClassifierConfig` write a fine-tuned one back as a
 * `DistilBertForSequenceClassification`; `distilbertPeftAdapter` its LoRA adapters as PEFT writes them.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { concatFloat32 } from '../../lib/arrays';
import { StudioError } from '../../lib/errors';
import { createRng, gaussian } from '../../lib/random';
import type { LmConfig } from '../../text/model';
import type { TextModel } from '../../text/text-model';
import { sequenceClassifier, studioParams, type BertCheckpoint } from './bert';
import { encoderClassifierTensors, encoderPeftAdapter, sequenceClassifierConfig, type EncoderPeftOptions } from './encoder-export';
import { configInt, tensorReader } from './checkpoint';
import type { SafetensorsFile, TensorToWrite } from './safetensors';

type Tf = typeof tfTypes;

const fail = (why: string) => new StudioError('model-load-failed', `This DistilBERT checkpoint cannot be used: ${why}.`);

/** transformers' DistilBERT LayerNorms all use ε = 1e-12 (not a config key). */
export const DISTILBERT_LAYER_NORM_EPS = 1e-12;

/** The studio's config for a DistilBERT config.json (parsed). */
export function distilbertLmConfig(json: unknown): LmConfig {
  const c = json as Record<string, unknown> | null;
  if (!c || typeof c !== 'object') throw fail('its config.json is not a JSON object');
  if (c.model_type !== 'distilbert') throw fail(`its config.json says model_type “${String(c.model_type)}”, not “distilbert”`);
  const whole = (name: string) => configInt(c[name], name, fail);
  const width = whole('dim');
  const heads = whole('n_heads');
  if (width % heads !== 0) throw fail(`dim ${width} is not divisible by n_heads ${heads}`);
  const inner = whole('hidden_dim');
  if (inner % width !== 0) throw fail(`hidden_dim ${inner} is not a multiple of dim ${width}`);
  const act = c.activation ?? 'gelu';
  if (act !== 'gelu') throw fail(`its activation is “${String(act)}”; the studio runs DistilBERT's exact GELU (“gelu”)`);
  if (c.sinusoidal_pos_embds === true) {
    throw fail('its sinusoidal_pos_embds is true (fixed sinusoidal positions); the studio reads learned position embeddings');
  }
  return {
    arch: 'bert',
    vocabSize: whole('vocab_size'),
    contextLength: whole('max_position_embeddings'),
    width,
    heads,
    blocks: whole('n_layers'),
    mlpRatio: inner / width,
    layerNormEps: DISTILBERT_LAYER_NORM_EPS,
    typeVocabSize: 0,
    poolerActivation: 'relu',
  };
}

/**
 * Where each of the studio's DistilBERT parameters comes from: transformers' names, transposed or
 * not; `top`: at the top level of a DistilBertForSequenceClassification (not under `distilbert.`).
 */
function sources(studioName: string): { names: string[]; transpose: boolean; top: boolean } {
  const fixed: Record<string, string> = {
    tok_emb: 'embeddings.word_embeddings.weight',
    pos_emb: 'embeddings.position_embeddings.weight',
    'emb_ln.gamma': 'embeddings.LayerNorm.weight',
    'emb_ln.beta': 'embeddings.LayerNorm.bias',
  };
  if (fixed[studioName]) return { names: [fixed[studioName]], transpose: false, top: false };
  if (studioName === 'pooler.kernel') return { names: ['pre_classifier.weight'], transpose: true, top: true };
  if (studioName === 'pooler.bias') return { names: ['pre_classifier.bias'], transpose: false, top: true };
  const m = /^block(\d+)\.(.+)$/.exec(studioName);
  if (!m) throw new Error(`no DistilBERT name for ${studioName}`);
  const p = `transformer.layer.${m[1]}.`;
  const one = (name: string, transpose: boolean) => ({ names: [`${p}${name}`], transpose, top: false });
  const qkv = ['q_lin', 'k_lin', 'v_lin'];
  switch (m[2]) {
    case 'attn.qkv.kernel':
      return { names: qkv.map((n) => `${p}attention.${n}.weight`), transpose: true, top: false };
    case 'attn.qkv.bias':
      return { names: qkv.map((n) => `${p}attention.${n}.bias`), transpose: false, top: false };
    case 'attn.proj.kernel':
      return one('attention.out_lin.weight', true);
    case 'attn.proj.bias':
      return one('attention.out_lin.bias', false);
    case 'ln1.gamma':
      return one('sa_layer_norm.weight', false);
    case 'ln1.beta':
      return one('sa_layer_norm.bias', false);
    case 'mlp.fc.kernel':
      return one('ffn.lin1.weight', true);
    case 'mlp.fc.bias':
      return one('ffn.lin1.bias', false);
    case 'mlp.proj.kernel':
      return one('ffn.lin2.weight', true);
    case 'mlp.proj.bias':
      return one('ffn.lin2.bias', false);
    case 'ln2.gamma':
      return one('output_layer_norm.weight', false);
    case 'ln2.beta':
      return one('output_layer_norm.bias', false);
  }
  throw new Error(`no DistilBERT name for ${studioName}`);
}

/**
 * transformers' names of a studio DistilBERT parameter in a DistilBertForSequenceClassification
 * (`distilbert.…` for the encoder, `pre_classifier.…` for the pooler): three for the fused q·k·v.
 */
export function distilbertNames(studioName: string): string[] {
  const s = sources(studioName);
  return s.top ? s.names : s.names.map((n) => `distilbert.${n}`);
}

/** N(0, std) numbers from a seed. */
function normals(n: number, std: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => gaussian(rng) * std);
}

export interface DistilbertCheckpoint extends BertCheckpoint {
  /** Whether the checkpoint had no `pre_classifier` and the pooler is newly initialised. */
  newPreClassifier: boolean;
}

/**
 * The checkpoint's weights as the studio's saved model, and its classifier head when it has one.
 * `seed` initialises a missing `pre_classifier`.
 */
export function distilbertToSavedLm(configJson: unknown, weights: SafetensorsFile, seed = 1): DistilbertCheckpoint {
  const config = distilbertLmConfig(configJson);
  const D = config.width;
  const hasPre = weights.entries.has('pre_classifier.weight') || weights.entries.has('pre_classifier.bias');
  const std = (configJson as Record<string, unknown>).initializer_range;
  const fresh = new Map<string, Float32Array>(
    hasPre
      ? []
      : [
          ['pre_classifier.weight', normals(D * D, typeof std === 'number' && std > 0 ? std : 0.02, seed)],
          ['pre_classifier.bias', new Float32Array(D)],
        ],
  );
  const read = tensorReader(weights, 'distilbert.', fail, (name) => name.startsWith('pre_classifier.'));
  const get = (name: string, shape: readonly number[]) => fresh.get(name) ?? read(name, shape);
  const { specs, parts } = studioParams(config, sources, get);
  const classifier = sequenceClassifier(configJson as Record<string, unknown>, weights, D, fail, 'dim');
  return {
    saved: { config, weightSpecs: specs, weights: concatFloat32(parts).buffer as ArrayBuffer },
    classifier,
    newPreClassifier: !hasPre,
  };
}

/**
 * A DistilBERT classifier's weights under transformers' names (DistilBertForSequenceClassification:
 * `distilbert.` encoder, `nn.Linear` [out, in], the fused q·k·v split back into q_lin, k_lin and v_lin,
 * the pooler as `pre_classifier`), adapters merged, and its head as `classifier`.
 */
export async function distilbertTensors(tf: Tf, model: TextModel): Promise<TensorToWrite[]> {
  const head = model.classifier;
  if (!head?.plain) throw new Error('a DistilBERT export needs its classifier head on the pooled output');
  if (model.lm.config.arch !== 'bert' || model.lm.config.poolerActivation !== 'relu') {
    throw new Error('distilbertTensors writes a DistilBERT (arch bert, ReLU pooler)');
  }
  return encoderClassifierTensors(tf, model, distilbertNames);
}

/**
 * A DistilBERT classifier's PEFT adapter (`encoderPeftAdapter`): `distilbert.transformer.layer.{i}.attention.q_lin`…,
 * and as modules_to_save its head, `pre_classifier` and `classifier`, always: PEFT's `classifier` takes
 * `pre_classifier` too (by name ending), and a checkpoint without one got a new one here, which
 * PEFT's base model would not have.
 */
export function distilbertPeftAdapter(tf: Tf, model: TextModel, merged: readonly TensorToWrite[], o: EncoderPeftOptions) {
  return encoderPeftAdapter(tf, model, merged, distilbertNames, ['pre_classifier', 'classifier'], o);
}

/** config.json of a fine-tuned DistilBERT classifier: the imported one, as a sequence classifier of these labels. */
export function distilbertClassifierConfig(config: Record<string, unknown>, labels: readonly string[]): Record<string, unknown> {
  return sequenceClassifierConfig(config, labels, 'DistilBertForSequenceClassification');
}
