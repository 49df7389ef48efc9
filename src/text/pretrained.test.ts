/**
 * Checks the committed bundled model in public/models/text-lm (scripts/pretrain-text-lm.ts): it
 * loads through the import path every GPT-2 takes, its tokenizer round-trips held-out text, it
 * predicts held-out text far better than a freshly initialised model and about as well as its
 * training.json says, and generation is deterministic.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_TEXT_FILES, readHfModel, type HfModel } from '../models/hf/import';
import { CORPORA, readCorpus, splitHoldout } from './corpus';
import { createLm, disposeLm, generate, lmLoss, loadLm, shiftWindows, type Lm } from './model';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const modelDir = path.join(root, 'public/models/text-lm');
const nodeModules = path.join(root, 'node_modules');

interface TrainingJson {
  parameters: number;
  heldOutLoss: number;
  settings: { vocab: number; context: number; width: number; blocks: number; heads: number; seed: number };
}

let hf: HfModel;
let pretrained: Lm;
let training: TrainingJson;
let heldOut: string[];

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  training = JSON.parse(fs.readFileSync(path.join(modelDir, 'training.json'), 'utf8')) as TrainingJson;
  hf = await readHfModel(BUNDLED_TEXT_FILES.map((name) => ({ name, blob: new Blob([fs.readFileSync(path.join(modelDir, name))]) })));
  pretrained = loadLm(tf, hf.saved);
  const files = {
    readText: (p: string) => fs.readFileSync(path.join(nodeModules, p), 'utf8'),
    list: (p: string) => fs.readdirSync(path.join(nodeModules, p)),
  };
  heldOut = CORPORA.map((source) => splitHoldout(readCorpus(source, files), 0.05).validation);
});

afterAll(() => disposeLm(pretrained));

/** Two windows of T + 1 tokens from the held-out tail of each corpus, at fixed offsets. */
function validationWindows(T: number): Int32Array {
  const rows: Int32Array[] = [];
  for (const text of heldOut) {
    const ids = hf.tokenizer.encode(text);
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

describe('the bundled text model', () => {
  it('loads as a GPT-2 checkpoint of the size its training.json records', () => {
    const s = training.settings;
    expect(hf.architecture).toBe('gpt2');
    expect(hf.tokenizerKind).toBe('BPE');
    expect(hf.parameters).toBe(training.parameters);
    expect(hf.saved.config).toMatchObject({
      vocabSize: s.vocab,
      contextLength: s.context,
      width: s.width,
      blocks: s.blocks,
      heads: s.heads,
    });
    expect(hf.tokenizer.vocabSize).toBe(s.vocab);
    expect(hf.tokenizer.eos).toBe(s.vocab - 1);
  });

  it('its tokenizer round-trips held-out text and packs about four bytes into a token', () => {
    for (const text of heldOut) {
      const sample = text.slice(0, 20_000);
      const ids = hf.tokenizer.encode(sample);
      expect(hf.tokenizer.decode(ids)).toBe(sample);
      expect(new TextEncoder().encode(sample).length / ids.length).toBeGreaterThan(3);
    }
  });

  it('predicts held-out text far better than a freshly initialised model, as training.json says', async () => {
    const T = hf.saved.config.contextLength;
    const windows = validationWindows(T);
    const fresh = createLm(tf, hf.saved.config, training.settings.seed);
    const trained = await heldOutLoss(pretrained, windows, T);
    const random = await heldOutLoss(fresh, windows, T);
    disposeLm(fresh);
    expect(random).toBeGreaterThan(7.5); // ≈ ln 4096 = 8.3
    expect(trained).toBeLessThan(0.7 * random);
    // Four windows against the whole held-out text's figure: the same model, a smaller sample.
    expect(Math.abs(trained - training.heldOutLoss)).toBeLessThan(0.6);
  });

  it('generates printable text deterministically for a seed', async () => {
    const prompt = hf.tokenizer.encode('The whale');
    const options = { maxTokens: 30, temperature: 0.8, topK: 40, seed: 2024 };
    const a = await generate(tf, pretrained, prompt, options);
    const b = await generate(tf, pretrained, prompt, options);
    expect(Array.from(b)).toEqual(Array.from(a));
    const text = hf.tokenizer.decode(a);
    expect(text.length).toBeGreaterThan(40);
    // eslint-disable-next-line no-control-regex -- the test is that no control characters come out
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/);
  });
});
