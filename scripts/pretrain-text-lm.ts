/**
 * Pre-trains the studio's bundled text model (public/models/text-lm): a small GPT-2 in Hugging Face
 * layout with a byte-level BPE tokenizer, on the public-domain English text of two npm packages
 * (Moby Dick and the State of the Union addresses). The studio loads the folder through the same
 * import path as any GPT-2 a person brings (src/models/hf/import.ts).
 *
 *   npx tsx scripts/pretrain-text-lm.ts [--vocab 4096] [--width 128] [--blocks 4] [--heads 4]
 *       [--context 128] [--batch 32] [--steps 2800] [--lr 3e-3] [--seed 1234] [--probe]
 *
 * This side: the corpora and their held-out tails (the last 5 % of each, as before), a tokenizer
 * trained on the training text only (scripts/lib/bpe.ts), the ids written for PyTorch, and the
 * folder's JSON files. `python3 scripts/pretrain_text_lm.py` (Debian's python3-torch, with
 * libopenblas0-pthread) trains the network and writes model.safetensors. training.json records the
 * settings, seed, corpus list, held-out loss and the command. Not part of npm install or npm test.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as prettier from 'prettier';
import { loadHfTokenizer } from '../src/models/hf/tokenizer';
import { CORPORA, readCorpus, splitHoldout } from '../src/text/corpus';
import { trainByteLevelBpe } from './lib/bpe';
import { nodeModuleFiles } from './lib/node-tf';

const root = path.resolve(import.meta.dirname, '..');
const python = process.env.PYTHON ?? '/usr/bin/python3';
const out = path.join(root, 'public/models/text-lm');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name} needs a number`);
  return v;
}

const settings = {
  vocab: arg('vocab', 4096),
  width: arg('width', 128),
  blocks: arg('blocks', 4),
  heads: arg('heads', 4),
  context: arg('context', 128),
  batch: arg('batch', 32),
  steps: arg('steps', 2800),
  lr: arg('lr', 3e-3),
  seed: arg('seed', 1234),
};
const probe = process.argv.includes('--probe');
const EOS = '<|endoftext|>';

async function writeJson(name: string, value: unknown): Promise<void> {
  const file = path.join(out, name);
  const options = (await prettier.resolveConfig(file)) ?? {};
  fs.writeFileSync(file, await prettier.format(JSON.stringify(value), { ...options, filepath: file }));
}

async function main(): Promise<void> {
  const files = nodeModuleFiles(path.join(root, 'node_modules'));
  const corpora = CORPORA.map((source) => ({ source, ...splitHoldout(readCorpus(source, files), 0.05) }));
  const started = Date.now();
  const tokenizerJson = trainByteLevelBpe(
    corpora.map((c) => c.train),
    settings.vocab,
  );
  const tokenizerConfig = {
    add_bos_token: false,
    add_prefix_space: false,
    bos_token: EOS,
    eos_token: EOS,
    unk_token: EOS,
    clean_up_tokenization_spaces: false,
    model_max_length: settings.context,
    tokenizer_class: 'GPT2Tokenizer',
  };
  const tokenizer = loadHfTokenizer(tokenizerJson, tokenizerConfig);
  const eos = tokenizer.tokenId(EOS);
  if (eos !== settings.vocab - 1 || tokenizer.vocabSize !== settings.vocab) {
    throw new Error(`the tokenizer has ${tokenizer.vocabSize} ids and ${EOS} = ${eos}; expected ${settings.vocab}`);
  }
  console.log(`tokenizer: ${settings.vocab} ids in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'text-lm-'));
  const encodeAll = (texts: string[], file: string) => {
    // Each corpus is one token stream; an end-of-text token separates the corpora.
    const parts = texts.map((t) => tokenizer.encode(t, { special: false }));
    const ids = Int32Array.from(parts.flatMap((p, i) => (i === 0 ? p : [eos, ...p])));
    fs.writeFileSync(path.join(tmp, file), new Uint8Array(ids.buffer));
    return ids.length;
  };
  const trainTokens = encodeAll(
    corpora.map((c) => c.train),
    'train.bin',
  );
  const heldOutTokens = encodeAll(
    corpora.map((c) => c.validation),
    'val.bin',
  );
  const trainBytes = corpora.reduce((n, c) => n + Buffer.byteLength(c.train), 0);
  console.log(`${trainTokens} training tokens (${(trainBytes / trainTokens).toFixed(2)} bytes/token), ${heldOutTokens} held out`);

  fs.mkdirSync(out, { recursive: true });
  const args = [
    path.join(root, 'scripts/pretrain_text_lm.py'),
    '--train',
    path.join(tmp, 'train.bin'),
    '--val',
    path.join(tmp, 'val.bin'),
    '--out',
    out,
    ...Object.entries(settings).flatMap(([k, v]) => [`--${k}`, String(v)]),
    ...(probe ? ['--probe'] : []),
  ];
  const r = spawnSync(python, args, { stdio: 'inherit' });
  fs.rmSync(tmp, { recursive: true, force: true });
  if (r.error) throw new Error(`could not start ${python}: ${r.error.message} (set PYTHON to a Python 3 with torch)`);
  if (r.status !== 0) throw new Error(`pretrain_text_lm.py failed with status ${r.status}`);
  if (probe) return;

  const log = JSON.parse(fs.readFileSync(path.join(out, 'pretrain-log.json'), 'utf8')) as {
    parameters: number;
    curve: Array<{ step: number; heldOutLoss: number }>;
  };
  fs.rmSync(path.join(out, 'pretrain-log.json'));
  const config = {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: settings.vocab,
    n_positions: settings.context,
    n_ctx: settings.context,
    n_embd: settings.width,
    n_layer: settings.blocks,
    n_head: settings.heads,
    n_inner: null,
    activation_function: 'gelu_new',
    layer_norm_epsilon: 1e-5,
    resid_pdrop: 0,
    embd_pdrop: 0,
    attn_pdrop: 0,
    initializer_range: 0.02,
    scale_attn_weights: true,
    tie_word_embeddings: true,
    bos_token_id: eos,
    eos_token_id: eos,
    torch_dtype: 'float32',
  };
  await writeJson('tokenizer.json', tokenizerJson);
  await writeJson('tokenizer_config.json', tokenizerConfig);
  await writeJson('config.json', config);
  await writeJson('generation_config.json', { _from_model_config: true, bos_token_id: eos, eos_token_id: eos });
  const final = log.curve[log.curve.length - 1]!.heldOutLoss;
  await writeJson('training.json', {
    model: 'GPT-2 architecture (GPT2LMHeadModel layout), trained from scratch by this repository',
    corpora: corpora.map((c) => ({
      name: c.source.name,
      package: c.source.packageDir,
      licence: c.source.licence,
      description: c.source.description,
      trainBytes: Buffer.byteLength(c.train),
      heldOutBytes: Buffer.byteLength(c.validation),
    })),
    holdout: 'the last 5% of each corpus (by characters); the tokenizer never saw it either',
    tokenizer: `byte-level BPE, ${settings.vocab} ids (256 bytes, ${settings.vocab - 257} merges, ${EOS}), scripts/lib/bpe.ts on the training text`,
    trainTokens,
    heldOutTokens,
    settings,
    ...log,
    heldOutLoss: final,
    command: `npx tsx scripts/pretrain-text-lm.ts ${Object.entries(settings)
      .map(([k, v]) => `--${k} ${v}`)
      .join(' ')}`,
    date: new Date().toISOString(),
  });
  console.log(`wrote ${out}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
