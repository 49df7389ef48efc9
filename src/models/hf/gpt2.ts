/**
 * A Hugging Face GPT-2 checkpoint (`config.json` + `model.safetensors`, GPT-2 or DistilGPT-2) as the
 * studio's transformer (`src/text/model.ts`), whose architecture is GPT-2's: learned positions,
 * pre-LayerNorm blocks (ε 1e-5), one fused q·k·v projection, a 4× MLP with the tanh GELU, a final
 * LayerNorm and the output tied to the token embedding. GPT-2's Conv1D weights are stored
 * [in, out], which is the studio's kernel layout, so they are copied as they are.
 *
 * Tensor names as transformers writes them, with or without the `transformer.` prefix; `lm_head.weight`
 * (the tied copy) and the attention-mask buffers (`attn.bias`, `attn.masked_bias`) are not weights.
 * Everything the studio cannot run is refused in a sentence naming it: another architecture or
 * activation, a missing tensor, a shape that disagrees with the config.
 */
import { concatFloat32 } from '../../lib/arrays';
import { StudioError } from '../../lib/errors';
import type { LmConfig, SavedLm, WeightSpec } from '../../text/model';
import { paramShapes } from '../../text/model';
import { configInt, tensorReader } from './checkpoint';
import type { SafetensorsFile } from './safetensors';

/** The fields of GPT-2's config.json the studio reads. */
export interface Gpt2Config {
  model_type?: string;
  vocab_size: number;
  n_positions?: number;
  n_ctx?: number;
  n_embd: number;
  n_layer: number;
  n_head: number;
  n_inner?: number | null;
  activation_function?: string;
  layer_norm_epsilon?: number;
  tie_word_embeddings?: boolean;
}

const fail = (why: string) => new StudioError('model-load-failed', `This GPT-2 checkpoint cannot be used: ${why}.`);

/** The studio's config for a GPT-2 config.json (parsed). */
export function gpt2LmConfig(json: unknown): LmConfig {
  const c = json as Partial<Gpt2Config> | null;
  if (!c || typeof c !== 'object') throw fail('its config.json is not a JSON object');
  if (c.model_type !== 'gpt2') throw fail(`its config.json says model_type “${String(c.model_type)}”, not “gpt2”`);
  const whole = (v: unknown, name: string) => configInt(v, name, fail);
  const width = whole(c.n_embd, 'n_embd');
  const heads = whole(c.n_head, 'n_head');
  if (width % heads !== 0) throw fail(`n_embd ${width} is not divisible by n_head ${heads}`);
  const inner = c.n_inner ?? 4 * width;
  if (inner % width !== 0) throw fail(`n_inner ${inner} is not a multiple of n_embd ${width}`);
  const activation = c.activation_function ?? 'gelu_new';
  if (activation !== 'gelu_new' && activation !== 'gelu_pytorch_tanh') {
    throw fail(`its activation is “${activation}”; the studio runs GPT-2's tanh GELU (gelu_new)`);
  }
  const eps = c.layer_norm_epsilon ?? 1e-5;
  if (Math.abs(eps - 1e-5) > 1e-12) throw fail(`its layer_norm_epsilon is ${eps}; the studio's LayerNorm uses 1e-5`);
  if (c.tie_word_embeddings === false) throw fail('its output layer is not tied to the token embedding');
  return {
    vocabSize: whole(c.vocab_size, 'vocab_size'),
    contextLength: whole(c.n_positions ?? c.n_ctx, 'n_positions'),
    width,
    heads,
    blocks: whole(c.n_layer, 'n_layer'),
    mlpRatio: inner / width,
    tiedHead: true,
  };
}

/** The transformers name of each of the studio's parameters (without the `transformer.` prefix). */
export function gpt2Name(studioName: string): string {
  const fixed: Record<string, string> = {
    tok_emb: 'wte.weight',
    pos_emb: 'wpe.weight',
    'ln_f.gamma': 'ln_f.weight',
    'ln_f.beta': 'ln_f.bias',
  };
  const f = fixed[studioName];
  if (f) return f;
  const m = /^block(\d+)\.(.+)$/.exec(studioName);
  if (!m) throw new Error(`no GPT-2 name for ${studioName}`);
  const part: Record<string, string> = {
    'ln1.gamma': 'ln_1.weight',
    'ln1.beta': 'ln_1.bias',
    'attn.qkv.kernel': 'attn.c_attn.weight',
    'attn.qkv.bias': 'attn.c_attn.bias',
    'attn.proj.kernel': 'attn.c_proj.weight',
    'attn.proj.bias': 'attn.c_proj.bias',
    'ln2.gamma': 'ln_2.weight',
    'ln2.beta': 'ln_2.bias',
    'mlp.fc.kernel': 'mlp.c_fc.weight',
    'mlp.fc.bias': 'mlp.c_fc.bias',
    'mlp.proj.kernel': 'mlp.c_proj.weight',
    'mlp.proj.bias': 'mlp.c_proj.bias',
  };
  const p = part[m[2] as string];
  if (!p) throw new Error(`no GPT-2 name for ${studioName}`);
  return `h.${m[1]}.${p}`;
}

/** The checkpoint's weights as the studio's saved model (float32, in the studio's parameter order). */
export function gpt2ToSavedLm(configJson: unknown, weights: SafetensorsFile): SavedLm {
  const config = gpt2LmConfig(configJson);
  const get = tensorReader(weights, 'transformer.', fail);
  const specs: WeightSpec[] = [];
  const parts: Float32Array[] = [];
  for (const p of paramShapes(config)) {
    specs.push({ name: p.name, shape: p.shape, dtype: 'float32' });
    parts.push(get(gpt2Name(p.name), p.shape));
  }
  return { config, weightSpecs: specs, weights: concatFloat32(parts).buffer as ArrayBuffer };
}
