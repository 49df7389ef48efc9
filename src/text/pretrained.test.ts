/**
 * Checks the committed pre-trained weights in public/models/text-lm: they load, they predict the
 * held-out text clearly better than a freshly initialised model, and generation is deterministic.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPORA, readCorpus, splitHoldout } from './corpus';
import { createLm, disposeLm, generate, lmLoss, loadLm, shiftWindows, type Lm, type LmConfig, type WeightSpec } from './model';
import { decode, encode, TOKENIZER } from './tokenizer';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const modelDir = path.join(root, 'public/models/text-lm');
const nodeModules = path.join(root, 'node_modules');

interface ModelJson {
  config: LmConfig;
  tokenizer: typeof TOKENIZER;
  weightsManifest: Array<{ paths: string[]; weights: WeightSpec[] }>;
  training: { seed: number; finalValidationLoss: number };
}

let pretrained: Lm;
let meta: ModelJson;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  meta = JSON.parse(fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8')) as ModelJson;
  const group = meta.weightsManifest[0]!;
  const bin = fs.readFileSync(path.join(modelDir, group.paths[0]!));
  const weights = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  pretrained = loadLm(tf, { config: meta.config, weightSpecs: group.weights, weights });
});

afterAll(() => disposeLm(pretrained));

/** Two 129-byte windows from the held-out tail of each corpus, at fixed offsets. */
function validationWindows(T: number): Int32Array {
  const files = {
    readText: (p: string) => fs.readFileSync(path.join(nodeModules, p), 'utf8'),
    list: (p: string) => fs.readdirSync(path.join(nodeModules, p)),
  };
  const rows: Int32Array[] = [];
  for (const source of CORPORA) {
    const ids = encode(splitHoldout(readCorpus(source, files), 0.05).validation);
    for (const at of [0.25, 0.75]) {
      const start = Math.floor(ids.length * at);
      rows.push(ids.slice(start, start + T + 1));
    }
  }
  const out = new Int32Array(rows.length * (T + 1));
  rows.forEach((r, i) => out.set(r, i * (T + 1)));
  return out;
}

async function heldOutLoss(lm: Lm, windows: Int32Array, T: number): Promise<number> {
  const loss = tf.tidy(() => {
    const { inputs, targets } = shiftWindows(tf, tf.tensor2d(windows, [windows.length / (T + 1), T + 1], 'int32'));
    return lmLoss(tf, lm, inputs, targets);
  });
  const [v] = await loss.data();
  loss.dispose();
  return v as number;
}

describe('committed pre-trained text LM', () => {
  it('describes its tokenizer and config', () => {
    expect(meta.tokenizer).toEqual(TOKENIZER);
    expect(meta.config.vocabSize).toBe(TOKENIZER.vocabSize);
  });

  it('predicts held-out text far better than a freshly initialised model', async () => {
    const T = meta.config.contextLength;
    const windows = validationWindows(T);
    const fresh = createLm(tf, meta.config, meta.training.seed);
    const trained = await heldOutLoss(pretrained, windows, T);
    const random = await heldOutLoss(fresh, windows, T);
    disposeLm(fresh);
    expect(random).toBeGreaterThan(5); // ≈ ln 259
    expect(trained).toBeLessThan(0.8 * random);
  });

  it('generates printable text deterministically for a seed', async () => {
    const prompt = encode('The whale', { bos: true });
    const options = { maxTokens: 40, temperature: 0.8, topK: 40, seed: 2024 };
    const a = await generate(tf, pretrained, prompt, options);
    const b = await generate(tf, pretrained, prompt, options);
    expect(Array.from(b)).toEqual(Array.from(a));
    const text = decode(a);
    expect(text.length).toBeGreaterThan(10);
    // eslint-disable-next-line no-control-regex -- the test is that no control characters come out
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });
});
