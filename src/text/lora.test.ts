/**
 * LoRA on the studio's transformer: adapters start as a no-op; with trained B the forward pass equals
 * the merged model's; PEFT's merge rule (W + (B·A)ᵀ·alpha/r on its [r, in] / [out, r] tensors, done
 * here in plain JS) gives the same kernels; and training only the adapters lowers the loss while every
 * base weight stays bit-identical.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../lib/random';
import { TEST_TOKENIZER } from '../test/text-tokenizer';
import { tinyPretrainedLm } from '../test/tiny';
import { addLora, mergedKernels, mergeLoraInto, peftAdapterConfig, peftAdapterTensors, removeLora } from './lora';
import { exportTextModel, importTextModel } from './export';
import { disposeLm, lmLogits, lmLoss, loadLm, saveLm, type Lm, type SavedLm } from './model';
import { disposeTextModel } from './text-model';

let base: SavedLm;
beforeAll(async () => {
  base = await tinyPretrainedLm(9);
});

const IDS = [[5, 9, 12, 40, 7, 7, 100, 3, 60, 61, 62, 63, 64, 65, 66, 67]];
const logitsOf = (lm: Lm) => tf.tidy(() => lmLogits(tf, lm, tf.tensor2d(IDS, [1, 16], 'int32'))).dataSync() as Float32Array;
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - (b[i] as number))));

/** Gives every adapter's B seeded values, as if it had trained. */
function perturb(lm: Lm): void {
  const rng = createRng(4);
  for (const [name, v] of lm.lora?.vars ?? []) {
    if (name.endsWith('.lora_B'))
      v.assign(
        tf.tensor(
          Float32Array.from({ length: v.size }, () => (rng() * 2 - 1) * 0.5),
          v.shape,
        ),
      );
  }
}

describe('LoRA adapters', () => {
  it('start as a no-op, and with trained values equal the merged model, by the studio’s and by PEFT’s rule', async () => {
    const lm = loadLm(tf, { ...base, weights: base.weights.slice(0) });
    const plain = logitsOf(lm);
    const trainable = addLora(tf, lm, { rank: 2, alpha: 4, targets: ['attn.qkv', 'mlp.fc'], seed: 3 });
    expect(trainable).toHaveLength(2 * 2 * 2); // 2 blocks × 2 targets × (A, B)
    expect(trainable.reduce((n, v) => n + v.size, 0)).toBe(2 * (2 * (32 + 96) + 2 * (32 + 64)));
    expect(maxDiff(logitsOf(lm), plain)).toBe(0);
    perturb(lm);
    const adapted = logitsOf(lm);
    expect(maxDiff(adapted, plain)).toBeGreaterThan(1e-3);

    // The merged kernels in a model without adapters give the adapted model's logits.
    const merged = await mergedKernels(tf, lm);
    const plainLm = loadLm(tf, { ...base, weights: base.weights.slice(0) });
    for (const [kernel, values] of merged) plainLm.vars.get(kernel)?.assign(tf.tensor(values, plainLm.vars.get(kernel)?.shape));
    expect(maxDiff(logitsOf(plainLm), adapted)).toBeLessThan(1e-5);

    // PEFT's files and merge rule, in plain JS: W[i][j] + Σ_k B_peft[j][k]·A_peft[k][i] · alpha/r.
    const peft = await peftAdapterTensors(tf, lm);
    const a = peft.find((t) => t.name === 'base_model.model.transformer.h.1.attn.c_attn.lora_A.weight');
    const b = peft.find((t) => t.name === 'base_model.model.transformer.h.1.attn.c_attn.lora_B.weight');
    expect(a?.shape).toEqual([2, 32]);
    expect(b?.shape).toEqual([96, 2]);
    const w = lm.vars.get('block1.attn.qkv.kernel')?.dataSync() as Float32Array;
    const byPeft = Float32Array.from(w, (v, idx) => {
      const i = Math.floor(idx / 96);
      const j = idx % 96;
      let d = 0;
      for (let k = 0; k < 2; k++) d += (b?.values[j * 2 + k] as number) * (a?.values[k * 32 + i] as number);
      return v + d * (4 / 2);
    });
    expect(maxDiff(byPeft, merged.get('block1.attn.qkv.kernel') as Float32Array)).toBeLessThan(1e-6);
    expect(peftAdapterConfig({ rank: 2, alpha: 4, targets: ['attn.qkv', 'mlp.fc'] }, 'gpt2')).toMatchObject({
      peft_type: 'LORA',
      r: 2,
      lora_alpha: 4,
      fan_in_fan_out: true,
      target_modules: ['c_attn', 'c_fc'],
    });
    removeLora(lm);
    expect(maxDiff(logitsOf(lm), plain)).toBe(0);
    disposeLm(lm);
    disposeLm(plainLm);
  });

  it('two adapted models live side by side (a run restored beside the one held), and dispose cleanly', () => {
    const before = tf.memory().numTensors;
    const a = loadLm(tf, base);
    const b = loadLm(tf, base);
    addLora(tf, a, { rank: 2, alpha: 4, targets: ['attn.qkv'], seed: 1 });
    expect(() => addLora(tf, b, { rank: 2, alpha: 4, targets: ['attn.qkv'], seed: 1 })).not.toThrow();
    disposeLm(a);
    disposeLm(b);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('training only the adapters lowers the loss and leaves every base weight bit-identical', () => {
    const lm = loadLm(tf, { ...base, weights: base.weights.slice(0) });
    // A freshly initialised embedding (std 0.02) caps every logit near 0.6, so no adapter could make
    // the model confident: scale it as pre-training would have.
    const emb = lm.vars.get('tok_emb') as tf.Variable;
    emb.assign(tf.tidy(() => tf.mul(emb, 25)));
    const before = new Map([...lm.vars].map(([n, v]) => [n, Array.from(v.dataSync())]));
    const trainable = addLora(tf, lm, { rank: 4, alpha: 8, targets: ['attn.qkv', 'attn.proj', 'mlp.fc', 'mlp.proj'], seed: 1 });
    const windows = tf.tensor2d([Array.from({ length: 17 }, (_, i) => [7, 8, 9][i % 3] as number)], [1, 17], 'int32');
    const inputs = windows.slice([0, 0], [1, 16]) as tf.Tensor2D;
    const targets = windows.slice([0, 1], [1, 16]) as tf.Tensor2D;
    const loss = () => lmLoss(tf, lm, inputs, targets) as tf.Scalar;
    const start = tf.tidy(() => loss().dataSync()[0] as number);
    const opt = tf.train.adam(0.05);
    for (let step = 0; step < 60; step++) tf.tidy(() => void opt.minimize(loss, false, trainable));
    const end = tf.tidy(() => loss().dataSync()[0] as number);
    expect(end).toBeLessThan(0.5 * start);
    for (const [n, v] of lm.vars) expect(Array.from(v.dataSync()), n).toEqual(before.get(n));
    opt.dispose();
    tf.dispose([windows, inputs, targets]);
    removeLora(lm);
    disposeLm(lm);
  });

  it('merges into a plain model: the TF.js export of an adapted model gives its logits', async () => {
    const lm = loadLm(tf, base);
    addLora(tf, lm, { rank: 2, alpha: 4, targets: ['attn.qkv', 'mlp.proj'], seed: 3 });
    perturb(lm);
    try {
      const plain = loadLm(tf, await mergeLoraInto(tf, await saveLm(lm), lm));
      expect(maxDiff(logitsOf(plain), logitsOf(lm))).toBeLessThan(1e-5);
      disposeLm(plain);
      const again = importTextModel(
        tf,
        await exportTextModel(tf, { task: 'text-generation', lm, classifier: null, tokenizer: TEST_TOKENIZER }),
      );
      expect(maxDiff(logitsOf(again.lm), logitsOf(lm))).toBeLessThan(1e-5);
      disposeTextModel(again);
    } finally {
      removeLora(lm);
      disposeLm(lm);
    }
  });
});
