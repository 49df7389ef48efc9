/**
 * A GPT-2 checkpoint in Hugging Face layout (config.json + model.safetensors, transformers' tensor
 * names) loads as the studio's transformer and gives the logits of an independent float64 GPT-2
 * forward pass written here from the model's definition (not from src/text/model.ts); with or
 * without the `transformer.` prefix and the tied `lm_head.weight`; and what cannot load says why.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../lib/random';
import { disposeLm, lmLogits, loadLm } from '../../text/model';
import { gpt2ToSavedLm, type Gpt2Config } from './gpt2';
import { readSafetensors, writeSafetensors, type TensorToWrite } from './safetensors';

const CONFIG: Gpt2Config = {
  model_type: 'gpt2',
  vocab_size: 11,
  n_positions: 8,
  n_embd: 8,
  n_layer: 2,
  n_head: 2,
  n_inner: null,
  activation_function: 'gelu_new',
  layer_norm_epsilon: 1e-5,
};
const D = CONFIG.n_embd;
const V = CONFIG.vocab_size;

/** Seeded weights with HF names and shapes (Conv1D weights [in, out]); gains near 1 so LayerNorm matters. */
function checkpoint(seed: number): Map<string, { shape: number[]; values: Float32Array }> {
  const rng = createRng(seed);
  const m = new Map<string, { shape: number[]; values: Float32Array }>();
  const add = (name: string, shape: number[], centre = 0, scale = 0.3) =>
    m.set(name, { shape, values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => centre + (rng() * 2 - 1) * scale) });
  add('wte.weight', [V, D]);
  add('wpe.weight', [CONFIG.n_positions as number, D]);
  for (let l = 0; l < CONFIG.n_layer; l++) {
    const p = `h.${l}.`;
    add(`${p}ln_1.weight`, [D], 1, 0.2);
    add(`${p}ln_1.bias`, [D]);
    add(`${p}attn.c_attn.weight`, [D, 3 * D]);
    add(`${p}attn.c_attn.bias`, [3 * D]);
    add(`${p}attn.c_proj.weight`, [D, D]);
    add(`${p}attn.c_proj.bias`, [D]);
    add(`${p}ln_2.weight`, [D], 1, 0.2);
    add(`${p}ln_2.bias`, [D]);
    add(`${p}mlp.c_fc.weight`, [D, 4 * D]);
    add(`${p}mlp.c_fc.bias`, [4 * D]);
    add(`${p}mlp.c_proj.weight`, [4 * D, D]);
    add(`${p}mlp.c_proj.bias`, [D]);
  }
  add('ln_f.weight', [D], 1, 0.2);
  add('ln_f.bias', [D]);
  return m;
}

const toFile = (m: Map<string, { shape: number[]; values: Float32Array }>, prefix = '', extra: TensorToWrite[] = []) =>
  readSafetensors(writeSafetensors([...[...m].map(([name, t]) => ({ name: prefix + name, ...t })), ...extra]));

/** GPT-2's forward pass in float64, straight from its definition: logits [T, V] for one sequence. */
function referenceLogits(w: Map<string, { values: Float32Array }>, ids: number[]): number[][] {
  const get = (n: string) => (w.get(n) as { values: Float32Array }).values;
  const H = CONFIG.n_head;
  const hd = D / H;
  const T = ids.length;
  const matvec = (x: number[], W: Float32Array, b: Float32Array, out: number) =>
    Array.from({ length: out }, (_, j) => x.reduce((s, xi, i) => s + xi * (W[i * out + j] as number), b[j] as number));
  const ln = (x: number[], g: Float32Array, b: Float32Array) => {
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const v = x.reduce((s, xi) => s + (xi - mean) ** 2, 0) / x.length;
    return x.map((xi, i) => ((xi - mean) / Math.sqrt(v + 1e-5)) * (g[i] as number) + (b[i] as number));
  };
  const gelu = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  let x = ids.map((id, t) =>
    Array.from({ length: D }, (_, d) => (get('wte.weight')[id * D + d] as number) + (get('wpe.weight')[t * D + d] as number)),
  );
  for (let l = 0; l < CONFIG.n_layer; l++) {
    const p = `h.${l}.`;
    const qkv = x.map((xt) =>
      matvec(ln(xt, get(`${p}ln_1.weight`), get(`${p}ln_1.bias`)), get(`${p}attn.c_attn.weight`), get(`${p}attn.c_attn.bias`), 3 * D),
    );
    const merged = x.map(() => new Array<number>(D).fill(0));
    for (let h = 0; h < H; h++) {
      for (let t = 0; t < T; t++) {
        const q = (qkv[t] as number[]).slice(h * hd, (h + 1) * hd);
        const scores = Array.from(
          { length: t + 1 },
          (_, s) => q.reduce((acc, qi, i) => acc + qi * ((qkv[s] as number[])[D + h * hd + i] as number), 0) / Math.sqrt(hd),
        );
        const max = Math.max(...scores);
        const e = scores.map((sc) => Math.exp(sc - max));
        const z = e.reduce((a, b) => a + b, 0);
        const row = merged[t] as number[];
        for (let s = 0; s <= t; s++)
          for (let i = 0; i < hd; i++)
            row[h * hd + i] = (row[h * hd + i] as number) + ((e[s] as number) / z) * ((qkv[s] as number[])[2 * D + h * hd + i] as number);
      }
    }
    x = x.map((xt, t) => {
      const a = matvec(merged[t] as number[], get(`${p}attn.c_proj.weight`), get(`${p}attn.c_proj.bias`), D);
      const r = xt.map((v, i) => v + (a[i] as number));
      const f = matvec(
        ln(r, get(`${p}ln_2.weight`), get(`${p}ln_2.bias`)),
        get(`${p}mlp.c_fc.weight`),
        get(`${p}mlp.c_fc.bias`),
        4 * D,
      ).map(gelu);
      const m = matvec(f, get(`${p}mlp.c_proj.weight`), get(`${p}mlp.c_proj.bias`), D);
      return r.map((v, i) => v + (m[i] as number));
    });
  }
  return x.map((xt) => {
    const h = ln(xt, get('ln_f.weight'), get('ln_f.bias'));
    return Array.from({ length: V }, (_, v) => h.reduce((s, hi, d) => s + hi * (get('wte.weight')[v * D + d] as number), 0));
  });
}

async function studioLogits(file: ReturnType<typeof readSafetensors>, ids: number[]): Promise<number[][]> {
  const lm = loadLm(tf, gpt2ToSavedLm(CONFIG, file));
  try {
    const logits = tf.tidy(() => lmLogits(tf, lm, tf.tensor2d([ids], [1, ids.length], 'int32')));
    const values = Array.from(await logits.data());
    logits.dispose();
    return ids.map((_, t) => values.slice(t * V, (t + 1) * V));
  } finally {
    disposeLm(lm);
  }
}

const maxDiff = (a: number[][], b: number[][]) =>
  Math.max(...a.flatMap((row, t) => row.map((v, i) => Math.abs(v - ((b[t] as number[])[i] as number)))));

describe('a GPT-2 checkpoint in Hugging Face layout', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
  });

  it('gives the logits of an independent GPT-2 forward pass (< 1e-4), with or without the transformer. prefix', async () => {
    const weights = checkpoint(7);
    const ids = [3, 1, 4, 1, 5, 9, 2, 6];
    const reference = referenceLogits(weights, ids);
    expect(Math.max(...reference.flat().map(Math.abs))).toBeGreaterThan(0.5); // logits that are not all near zero
    expect(maxDiff(await studioLogits(toFile(weights), ids), reference)).toBeLessThan(1e-4);
    // As GPT2LMHeadModel saves it: prefixed, with the tied lm_head copy and the attention-mask buffers.
    const extra: TensorToWrite[] = [
      { name: 'lm_head.weight', shape: [V, D], values: (weights.get('wte.weight') as { values: Float32Array }).values },
      { name: 'transformer.h.0.attn.bias', shape: [1, 1, 8, 8], values: new Float32Array(64).fill(1) },
    ];
    expect(maxDiff(await studioLogits(toFile(weights, 'transformer.', extra), ids), reference)).toBeLessThan(1e-4);
    // Another checkpoint gives other logits: the comparison is not trivially met.
    expect(maxDiff(referenceLogits(checkpoint(8), ids), reference)).toBeGreaterThan(0.1);
  });

  it('refuses what it cannot run, naming it', () => {
    const weights = checkpoint(7);
    const file = toFile(weights);
    expect(() => gpt2ToSavedLm({ ...CONFIG, model_type: 'llama' }, file)).toThrow(/model_type “llama”, not “gpt2”/);
    expect(() => gpt2ToSavedLm({ ...CONFIG, activation_function: 'relu' }, file)).toThrow(/activation is “relu”/);
    expect(() => gpt2ToSavedLm({ ...CONFIG, n_layer: 3 }, file)).toThrow(/has no tensor “h.2.ln_1.weight”/);
    expect(() => gpt2ToSavedLm({ ...CONFIG, vocab_size: 12 }, file)).toThrow(
      /“wte.weight” has shape \[11, 8\], but config.json implies \[12, 8\]/,
    );
    expect(() => gpt2ToSavedLm({ ...CONFIG, n_head: 3 }, file)).toThrow(/not divisible by n_head 3/);
    expect(() => gpt2ToSavedLm(null, file)).toThrow(/not a JSON object/);
  });
});
