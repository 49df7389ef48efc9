/**
 * Export/import round-trips of fine-tuned text models, and the shipped lm.js runtime gives the same
 * logits, probabilities and seeded text as the studio's own code.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../lib/random';
import { fitShift } from './classifier';
import { exportTextModel, importTextModel, parseTextModelJson } from './export';
import { createLm, disposeLm, lmLogits, saveLm, type LmConfig, type SavedLm } from './model';
import { classifyTexts, createTextModel, disposeTextModel, generateText, textVariables, type TextModel } from './text-model';
import { TOKENIZER } from './tokenizer';

const TINY: LmConfig = { vocabSize: 259, contextLength: 16, width: 32, heads: 2, blocks: 2, mlpRatio: 2 };
let base: SavedLm;
let dir: string;

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
  await tf.ready();
  const lm = createLm(tf, TINY, 11);
  base = await saveLm(lm);
  disposeLm(lm);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'text-export-'));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Perturbs every variable so the export is not just the base weights. */
function perturb(model: TextModel): void {
  let i = 0;
  for (const v of textVariables(model).values()) {
    const seed = ++i;
    tf.tidy(() => v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.05, 'float32', seed))));
  }
}

async function logits(model: TextModel, ids: number[]): Promise<Float32Array> {
  const t = tf.tidy(() => lmLogits(tf, model.lm, tf.tensor2d(ids, [1, ids.length], 'int32')));
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
  return d;
};

interface LmJs {
  fromWeights(tf: unknown, json: unknown, weights: tf.NamedTensorMap): unknown;
  logits(tf: unknown, model: unknown, ids: tf.Tensor2D): tf.Tensor;
  generate(tf: unknown, model: unknown, prompt: string, o: object): Promise<string>;
  classify(tf: unknown, model: unknown, text: string): Promise<Array<{ label: string; probability: number }>>;
  disposeModel(model: unknown): void;
}

async function loadLmJs(files: Record<string, Uint8Array>, name: string): Promise<{ lmjs: LmJs; model: unknown }> {
  const file = path.join(dir, `${name}.mjs`);
  fs.writeFileSync(file, files['lm.js']!);
  const lmjs = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as LmJs;
  const json = parseTextModelJson(files['model.json']!);
  const bin = files['weights.bin']!;
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  return { lmjs, model: lmjs.fromWeights(tf, json, tf.io.decodeWeights(buffer, json.weightsManifest[0]!.weights)) };
}

describe('text model export', () => {
  it('generation: files, round-trip logits within 1e-5, lm.js parity', async () => {
    const model = createTextModel(tf, { ...base, weights: base.weights.slice(0) }, { task: 'text-generation' });
    perturb(model);
    const files = await exportTextModel(tf, model, { name: 'Test', createdAt: '2026-01-01T00:00:00.000Z' });
    expect(Object.keys(files).sort()).toEqual(['README.md', 'lm.js', 'metadata.json', 'model.json', 'tokenizer.json', 'weights.bin']);
    const json = parseTextModelJson(files['model.json']!);
    expect(json.config.tiedHead).toBe(false);
    expect(json.weightsManifest[0]!.weights.map((w) => w.name)).toContain('lm_head');
    expect(JSON.parse(new TextDecoder().decode(files['tokenizer.json']))).toEqual(TOKENIZER);
    expect(JSON.parse(new TextDecoder().decode(files['metadata.json']))).toMatchObject({
      task: 'text-generation',
      contextLength: 16,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    expect(new TextDecoder().decode(files['README.md'])).toContain('# Test');

    const back = importTextModel(tf, files);
    const ids = [72, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100];
    const want = await logits(model, ids);
    expect(maxDiff(await logits(back, ids), want)).toBeLessThan(1e-5);

    const { lmjs, model: js } = await loadLmJs(files, 'gen');
    const t = tf.tidy(() => lmjs.logits(tf, js, tf.tensor2d(ids, [1, ids.length], 'int32')));
    expect(maxDiff((await t.data()) as Float32Array, want)).toBeLessThan(1e-5);
    t.dispose();
    const options = { maxTokens: 24, temperature: 0.9, topK: 20, seed: 5 };
    expect(await lmjs.generate(tf, js, 'Hi', options)).toBe(await generateText(tf, model, 'Hi', options));
    lmjs.disposeModel(js);
    disposeTextModel(back);
    disposeTextModel(model);
  });

  it('classification: labels, pooling and head round-trip; lm.js gives the same probabilities', async () => {
    const before = tf.memory().numTensors;
    const model = createTextModel(
      tf,
      { ...base, weights: base.weights.slice(0) },
      { task: 'text-classification', labels: ['a', 'b', 'c'], pooling: 'last', seed: 1 },
    );
    perturb(model);
    const rng = createRng(4);
    fitShift(
      tf,
      model.classifier!,
      Float32Array.from({ length: 10 * 2 * 32 }, () => rng() * 2 - 1),
      10,
    );
    const files = await exportTextModel(tf, model);
    const back = importTextModel(tf, files);
    expect(back.classifier?.labels).toEqual(['a', 'b', 'c']);
    expect(back.classifier?.pooling).toBe('last');
    expect(back.classifier?.fitted).toBe(true);
    expect(maxDiff((await back.classifier!.shift.data()) as Float32Array, (await model.classifier!.shift.data()) as Float32Array)).toBe(0);
    const texts = ['short', 'a longer text that is truncated to the context', ''];
    const want = await classifyTexts(tf, model, texts, 4);
    expect(maxDiff(await classifyTexts(tf, back, texts, 4), want)).toBeLessThan(1e-5);
    const { lmjs, model: js } = await loadLmJs(files, 'cls');
    for (let i = 0; i < texts.length; i++) {
      const ranked = await lmjs.classify(tf, js, texts[i]!);
      expect(ranked).toHaveLength(3);
      for (const r of ranked) expect(r.probability).toBeCloseTo(want[i * 3 + ['a', 'b', 'c'].indexOf(r.label)]!, 5);
    }
    lmjs.disposeModel(js);
    disposeTextModel(back);
    disposeTextModel(model);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => importTextModel(tf, { 'model.json': files['model.json']! })).toThrow(/weights.bin/);
  });
});
