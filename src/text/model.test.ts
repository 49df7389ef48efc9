import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  countParams,
  createLm,
  disposeLm,
  generate,
  lmLogits,
  lmLoss,
  loadLm,
  sampleFromLogits,
  saveLm,
  shiftWindows,
  type LmConfig,
} from './model';
import { createRng } from '../lib/random';

const SMALL: LmConfig = { vocabSize: 259, contextLength: 16, width: 32, heads: 2, blocks: 2, mlpRatio: 4 };

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

async function logitsOf(lm: ReturnType<typeof createLm>, ids: number[]): Promise<Float32Array> {
  const t = tf.tidy(() => lmLogits(tf, lm, tf.tensor2d(ids, [1, ids.length], 'int32')));
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

describe('small GPT-style LM', () => {
  it('counts GPT-2 small as 124 M parameters (tied head)', () => {
    const gpt2: LmConfig = { vocabSize: 50257, contextLength: 1024, width: 768, heads: 12, blocks: 12, mlpRatio: 4 };
    expect(countParams(gpt2)).toBe(124_439_808);
  });

  it('initialisation is seeded', async () => {
    const a = createLm(tf, SMALL, 7);
    const b = createLm(tf, SMALL, 7);
    const c = createLm(tf, SMALL, 8);
    const ids = [1, 2, 3, 4];
    const la = await logitsOf(a, ids);
    expect(Array.from(await logitsOf(b, ids))).toEqual(Array.from(la));
    expect(Array.from(await logitsOf(c, ids))).not.toEqual(Array.from(la));
    [a, b, c].forEach(disposeLm);
  });

  it('is causal: changing a future token does not change earlier logits', async () => {
    const lm = createLm(tf, SMALL, 1);
    const a = [10, 20, 30, 40, 50, 60, 70, 80];
    const b = a.slice();
    b[5] = 200;
    const la = await logitsOf(lm, a);
    const lb = await logitsOf(lm, b);
    const V = SMALL.vocabSize;
    for (let i = 0; i < 5 * V; i++) expect(lb[i]).toBeCloseTo(la[i] as number, 5);
    let changed = 0;
    for (let i = 5 * V; i < 8 * V; i++) changed = Math.max(changed, Math.abs((lb[i] as number) - (la[i] as number)));
    expect(changed).toBeGreaterThan(1e-4);
    disposeLm(lm);
  });

  it('generation is deterministic for a seed and differs across seeds', async () => {
    const lm = createLm(tf, SMALL, 3);
    const before = tf.memory().numTensors;
    const opts = { maxTokens: 24, temperature: 1.5, topK: 50 };
    const a = await generate(tf, lm, [256, 72], { ...opts, seed: 11 });
    const b = await generate(tf, lm, [256, 72], { ...opts, seed: 11 });
    const c = await generate(tf, lm, [256, 72], { ...opts, seed: 12 });
    // Longer than the context: the window slides. Up to 3 more bytes finish a character begun last.
    expect(a.length).toBeGreaterThanOrEqual(24);
    expect(a.length).toBeLessThanOrEqual(27);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
    expect(tf.memory().numTensors).toBe(before);
    disposeLm(lm);
  });

  it('samples greedily at temperature 0 and respects top-k', () => {
    const logits = Float32Array.from([0.1, 3, 2, -1]);
    expect(sampleFromLogits(logits, 0, 0, createRng(1))).toBe(1);
    const rng = createRng(5);
    for (let i = 0; i < 100; i++) expect([1, 2]).toContain(sampleFromLogits(logits, 10, 2, rng));
  });

  it('learns a repeated pattern, with no tensor leak per step', async () => {
    const lm = createLm(tf, SMALL, 2);
    const optimizer = tf.train.adam(1e-2, 0.9, 0.99, 1e-8);
    const pattern = Array.from('0123456789', (ch) => ch.charCodeAt(0));
    const B = 4;
    const rows: number[] = [];
    for (let b = 0; b < B; b++) for (let t = 0; t <= SMALL.contextLength; t++) rows.push(pattern[(t + b) % pattern.length] as number);
    const vars = [...lm.vars.values()];
    let first = NaN;
    let last = NaN;
    let tensorsAfterFirst = -1;
    for (let step = 0; step < 80; step++) {
      const cost = optimizer.minimize(
        () =>
          tf.tidy(() => {
            const { inputs, targets } = shiftWindows(tf, tf.tensor2d(rows, [B, SMALL.contextLength + 1], 'int32'));
            return lmLoss(tf, lm, inputs, targets);
          }),
        true,
        vars,
      );
      const [v] = await cost!.data();
      cost!.dispose();
      if (step === 0) first = v as number;
      if (step === 1) tensorsAfterFirst = tf.memory().numTensors; // Adam's moments exist from step 1 on
      if (step > 1) expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
      last = v as number;
    }
    expect(first).toBeGreaterThan(4.5); // ≈ ln 259 at initialisation
    // A 10-byte period of distinct bytes: every next byte is determined by the current one.
    expect(last).toBeLessThan(0.3);
    optimizer.dispose();
    disposeLm(lm);
  });

  it('variableGrads gives a gradient for every parameter', () => {
    const lm = createLm(tf, SMALL, 4);
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => lmLoss(tf, lm, tf.tensor2d([[1, 2, 3, 4]], [1, 4], 'int32'), tf.tensor2d([[2, 3, 4, 5]], [1, 4], 'int32'))),
    );
    expect(Object.keys(grads).length).toBe(lm.names.length);
    value.dispose();
    tf.dispose(grads);
    disposeLm(lm);
  });

  it('save/load round-trips to identical logits', async () => {
    const lm = createLm(tf, SMALL, 9);
    const saved = await saveLm(lm);
    expect(saved.weights.byteLength).toBe(countParams(SMALL) * 4);
    const copy = loadLm(tf, { config: saved.config, weightSpecs: saved.weightSpecs, weights: saved.weights.slice(0) });
    const ids = [5, 6, 7, 8, 9];
    expect(Array.from(await logitsOf(copy, ids))).toEqual(Array.from(await logitsOf(lm, ids)));
    expect(() => loadLm(tf, { ...saved, weightSpecs: saved.weightSpecs.slice(1) })).toThrow();
    disposeLm(lm);
    disposeLm(copy);
  });
});
