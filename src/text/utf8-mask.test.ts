import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLm, disposeLm, generate } from './model';
import { decode, encode } from './tokenizer';
import { allowedNext, stateAfter, BOUNDARY } from './utf8-mask';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('valid UTF-8 sampling', () => {
  it('knows what may follow', () => {
    expect(stateAfter(encode('é').subarray(0, 1)).pending).toBe(1);
    expect(stateAfter(encode('€').subarray(0, 1)).pending).toBe(2);
    expect(stateAfter(encode('a€')).pending).toBe(0);
    expect(allowedNext(0x80, BOUNDARY)).toBe(false);
    expect(allowedNext(0x41, stateAfter([0xc3]))).toBe(false);
    expect(allowedNext(0x80, stateAfter([0xc3]))).toBe(true);
    expect(allowedNext(0x80, stateAfter([0xe0]))).toBe(false); // overlong
    expect(allowedNext(0xa0, stateAfter([0xed]))).toBe(false); // surrogate
    expect(allowedNext(0xc0, BOUNDARY)).toBe(false);
    expect(allowedNext(0x0a, BOUNDARY)).toBe(true);
    expect(allowedNext(0x00, BOUNDARY)).toBe(false);
  });

  it('an untrained model samples only valid UTF-8 (without the mask it does not)', async () => {
    const lm = createLm(tf, { vocabSize: 259, contextLength: 16, width: 16, heads: 2, blocks: 1, mlpRatio: 2 }, 3);
    const prompt = encode('€').subarray(0, 2); // ends inside a character
    const masked = decode(Int32Array.from([...prompt, ...(await generate(tf, lm, prompt, { maxTokens: 200, temperature: 1.5, seed: 9 }))]));
    const raw = decode(await generate(tf, lm, prompt, { maxTokens: 200, temperature: 1.5, seed: 9, validUtf8: false }));
    disposeLm(lm);
    expect(masked).not.toContain('\uFFFD');
    // The prompt's unfinished E2 82 is completed into a character U+2080–U+20BF.
    expect(masked.codePointAt(0)).toBeGreaterThanOrEqual(0x2080);
    expect(masked.codePointAt(0)).toBeLessThanOrEqual(0x20bf);
    expect(raw).toContain('\uFFFD');
  });
});
