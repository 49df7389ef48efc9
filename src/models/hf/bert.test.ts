/**
 * A BERT checkpoint in Hugging Face layout (the committed tiny BertForSequenceClassification of
 * src/test/fixtures/hf/tiny-bert) loads as the studio's transformer with `arch: 'bert'` and gives
 * what PyTorch's independent BERT computed (scripts/hf_reference.py): the last hidden states, the
 * pooled output, and the classifier's logits and probabilities, for texts encoded by the
 * checkpoint's own WordPiece tokenizer; and a padded batch gives every text the same as alone.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeLm, lmHidden, lmPooled, loadLm } from '../../text/model';
import { bertToSavedLm } from './bert';
import { readSafetensors } from './safetensors';
import { loadHfTokenizer } from './tokenizer';

const DIR = path.resolve(__dirname, '../../test/fixtures/hf/tiny-bert');
const read = (name: string) => fs.readFileSync(path.join(DIR, name));
const json = <T>(name: string) => JSON.parse(read(name).toString('utf8')) as T;

interface BertCase {
  ids: number[];
  last_hidden_state: number[][];
  pooled_output: number[];
  logits: number[];
  probabilities: number[];
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
};

describe('the tiny BERT fixture against the PyTorch reference', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
  });

  it('gives the reference hidden states, pooled output and class probabilities (< 1e-4)', async () => {
    const config = json<Record<string, unknown>>('config.json');
    const { saved, classifier } = bertToSavedLm(config, readSafetensors(read('model.safetensors')));
    expect(classifier?.labels).toEqual(['sea', 'shore', 'ship']);
    const tokenizer = loadHfTokenizer(read('tokenizer.json').toString('utf8'), read('tokenizer_config.json').toString('utf8'));
    const inputs = json<{ inputs: Array<{ text: string; ids: number[] }> }>('inputs.json').inputs;
    const cases = json<{ cases: BertCase[] }>('reference.json').cases;
    const lm = loadLm(tf, saved);
    const H = saved.config.width;
    const K = 3;
    try {
      let worst = 0;
      for (const [i, c] of cases.entries()) {
        expect(tokenizer.encode(inputs[i]!.text)).toEqual(c.ids);
        const T = c.ids.length;
        const [hidden, pooled, logits] = tf.tidy(() => {
          const h = lmHidden(tf, lm, tf.tensor2d([c.ids], [1, T], 'int32'));
          const p = lmPooled(tf, lm, h);
          const l = tf.add(tf.matMul(p, tf.tensor2d(classifier!.kernel, [H, K])), tf.tensor1d(classifier!.bias));
          return [h, p, l];
        });
        worst = Math.max(
          worst,
          maxAbs(await hidden.data(), c.last_hidden_state.flat()),
          maxAbs(await pooled.data(), c.pooled_output),
          maxAbs(await logits.data(), c.logits),
        );
        const probs = tf.tidy(() => tf.softmax(logits));
        expect(maxAbs(await probs.data(), c.probabilities)).toBeLessThan(1e-4);
        tf.dispose([hidden, pooled, logits, probs]);
      }
      expect(worst).toBeLessThan(1e-4);

      // A padded batch (keyMask) gives each text what it gives alone.
      const T = Math.max(...cases.map((c) => c.ids.length));
      const ids = cases.flatMap((c) => [...c.ids, ...new Array<number>(T - c.ids.length).fill(0)]);
      const mask = cases.flatMap((c) => [...c.ids.map(() => 1), ...new Array<number>(T - c.ids.length).fill(0)]);
      const pooled = tf.tidy(() =>
        lmPooled(tf, lm, lmHidden(tf, lm, tf.tensor2d(ids, [cases.length, T], 'int32'), { keyMask: tf.tensor2d(mask, [cases.length, T]) })),
      );
      expect(
        maxAbs(
          await pooled.data(),
          cases.flatMap((c) => c.pooled_output),
        ),
      ).toBeLessThan(1e-4);
      pooled.dispose();
    } finally {
      disposeLm(lm);
    }
  });
});
