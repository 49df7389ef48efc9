/**
 * A Hugging Face model folder's files, as a person picks or drops them, read into what the text
 * engine runs: the transformer's weights (`SavedLm`), its tokenizer, and the side files an `export.hf`
 * writes back. GPT-2 (`model_type: gpt2`, which covers DistilGPT-2) for text generation, BERT
 * (`bert`) and DistilBERT (`distilbert`) for text classification (a new head on the pooled output:
BERT's pooler, DistilBERT's pre_classifier on [CLS]); weights in
 * `model.safetensors` or shards named by `model.safetensors.index.json`.
 *
 * Everything that cannot load is a StudioError whose sentence names the file or tensor: no
 * config.json, another architecture, no tokenizer.json, PyTorch `.bin` weights only, a shard the index
 * names that was not given, weights over the size limit, a tensor missing or of the wrong shape.
 */
import { StudioError } from '../../lib/errors';
import type { SavedLm } from '../../text/model';
import type { TextTokenizer } from '../../text/tokenizer';
import { bertToSavedLm } from './bert';
import { distilbertToSavedLm } from './distilbert';
import { gpt2ToSavedLm } from './gpt2';
import type { HfArchitecture } from './tasks';
import { readSafetensors, readSafetensorsIndex, type SafetensorsFile } from './safetensors';
import { hfTextTokenizer, loadHfTokenizer } from './tokenizer';

export interface HfInputFile {
  /** The file's name; a folder path before it (`gpt2/config.json`) is ignored. */
  name: string;
  blob: Blob;
}

/** The files an export writes back beside the weights, as they came. */
export const HF_SIDE_FILES = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'generation_config.json',
  'special_tokens_map.json',
  'vocab.json',
  'merges.txt',
] as const;

/** The files of the bundled text model's folder (public/models/text-lm, scripts/pretrain-text-lm.ts): a GPT-2 in this layout. */
export const BUNDLED_TEXT_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'model.safetensors'];

export interface HfModel {
  /** `_name_or_path` of config.json, else the folder's name, else “GPT-2 (imported)” / “BERT (imported)” / “DistilBERT (imported)”. */
  name: string;
  /** gpt2 generates text; bert and distilbert classify it (see HF_TASK). */
  architecture: HfArchitecture;
  saved: SavedLm;
  tokenizer: TextTokenizer;
  /** tokenizer.json's model kind: BPE (GPT-2), WordPiece (BERT, DistilBERT). */
  tokenizerKind: string;
  parameters: number;
  /** config.json as parsed. */
  config: Record<string, unknown>;
  /** The side files that were given (HF_SIDE_FILES), by name. */
  sideFiles: Record<string, Uint8Array>;
}

/**
 * Float32 bytes of weights the studio takes from one import: GPT-2 medium (355 M parameters, 1.4 GB)
 * fits; larger models do not train in a browser tab's memory.
 */
export const MAX_HF_WEIGHT_BYTES = 1.6e9;

const fail = (why: string) => new StudioError('model-load-failed', `This Hugging Face model cannot be imported: ${why}.`);

const baseName = (name: string) => name.split(/[\\/]/).pop() ?? name;
const folderOf = (name: string) => {
  const parts = name.split(/[\\/]/);
  return parts.length > 1 ? (parts[parts.length - 2] as string) : null;
};

/** Whether `files` look like a Hugging Face model folder (a config.json beside safetensors weights or a tokenizer.json). */
export function looksLikeHfFolder(names: readonly string[]): boolean {
  const base = new Set(names.map(baseName));
  return base.has('config.json') && [...base].some((n) => n.endsWith('.safetensors') || n === 'tokenizer.json' || n.endsWith('.bin'));
}

/** One view of a sharded checkpoint's files: each tensor read from the shard that holds it. */
export function mergeSafetensors(files: ReadonlyMap<string, SafetensorsFile>): SafetensorsFile {
  const owner = new Map<string, SafetensorsFile>();
  for (const [file, st] of files) {
    for (const name of st.names) {
      if (owner.has(name)) throw fail(`tensor “${name}” is in two shards (${file} and another)`);
      owner.set(name, st);
    }
  }
  const entries = new Map([...owner].map(([name, st]) => [name, st.entries.get(name)!]));
  return {
    names: [...owner.keys()],
    entries,
    metadata: {},
    read(name) {
      const st = owner.get(name);
      if (!st) throw fail(`no shard holds tensor “${name}”`);
      return st.read(name);
    },
  };
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Reads a picked or dropped Hugging Face model folder. */
export async function readHfModel(input: readonly HfInputFile[], maxWeightBytes = MAX_HF_WEIGHT_BYTES): Promise<HfModel> {
  const byName = new Map<string, HfInputFile>();
  for (const f of input) byName.set(baseName(f.name), f);
  const bytesOf = async (name: string) => {
    const f = byName.get(name);
    if (!f) return null;
    try {
      return new Uint8Array(await f.blob.arrayBuffer());
    } catch (err) {
      throw new StudioError('file-unreadable', `“${name}” could not be read.`, { cause: err });
    }
  };
  const configBytes = await bytesOf('config.json');
  if (!configBytes) throw fail('config.json is missing; pick every file of the model folder');
  let config: Record<string, unknown>;
  try {
    const parsed = JSON.parse(text(configBytes)) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    config = parsed as Record<string, unknown>;
  } catch {
    throw fail('config.json is not a JSON object');
  }
  const type = config.model_type;
  if (type !== 'gpt2' && type !== 'bert' && type !== 'distilbert') {
    throw fail(
      `config.json says model_type “${String(type)}”; the studio imports GPT-2 checkpoints (model_type “gpt2”, which covers DistilGPT-2) for text generation and BERT (“bert”) or DistilBERT (“distilbert”) for text classification`,
    );
  }
  const architecture: HfArchitecture = type;
  const tokenizerBytes = await bytesOf('tokenizer.json');
  if (!tokenizerBytes) {
    throw fail(
      byName.has('vocab.json')
        ? 'tokenizer.json is missing (vocab.json and merges.txt alone are the slow tokenizer; the studio reads tokenizer.json)'
        : 'tokenizer.json is missing',
    );
  }
  const tokenizerConfig = await bytesOf('tokenizer_config.json');
  const hf = loadHfTokenizer(text(tokenizerBytes), tokenizerConfig ? text(tokenizerConfig) : null);

  // The weights: one file, or the shards the index names.
  const shards: string[] = [];
  const indexBytes = await bytesOf('model.safetensors.index.json');
  if (indexBytes) {
    const index = readSafetensorsIndex(text(indexBytes));
    for (const file of index.files) {
      if (!byName.has(file)) throw fail(`model.safetensors.index.json names the shard “${file}”, which was not given`);
      shards.push(file);
    }
  } else if (byName.has('model.safetensors')) shards.push('model.safetensors');
  else {
    const bin = [...byName.keys()].find((n) => n.endsWith('.bin') || n.endsWith('.pt') || n.endsWith('.h5'));
    throw fail(
      bin
        ? `its weights are “${bin}”; the studio reads model.safetensors (transformers saves it with safe_serialization=True)`
        : 'model.safetensors is missing',
    );
  }
  let stored = 0;
  for (const s of shards) stored += byName.get(s)!.blob.size;
  const files = new Map<string, SafetensorsFile>();
  for (const s of shards) files.set(s, readSafetensors((await bytesOf(s))!, s));
  const weights = files.size === 1 ? [...files.values()][0]! : mergeSafetensors(files);
  let floats = 0;
  for (const e of weights.entries.values()) floats += e.shape.reduce((a, b) => a * b, 1);
  if (floats * 4 > maxWeightBytes) {
    throw fail(
      `its weights are ${(floats / 1e6).toFixed(0)} M numbers (${((floats * 4) / 1e9).toFixed(2)} GB as float32, ${(stored / 1e9).toFixed(2)} GB on disk), over the studio's size limit of ${(maxWeightBytes / 1e9).toFixed(1)} GB`,
    );
  }
  const saved =
    architecture === 'gpt2'
      ? gpt2ToSavedLm(config, weights)
      : architecture === 'bert'
        ? bertToSavedLm(config, weights).saved
        : distilbertToSavedLm(config, weights).saved;
  if (hf.vocabSize > saved.config.vocabSize) {
    throw fail(`tokenizer.json has ${hf.vocabSize} tokens, but config.json's vocab_size is ${saved.config.vocabSize}`);
  }
  const sideFiles: Record<string, Uint8Array> = {};
  for (const name of HF_SIDE_FILES) {
    const b = name === 'config.json' ? configBytes : name === 'tokenizer.json' ? tokenizerBytes : await bytesOf(name);
    if (b) sideFiles[name] = b;
  }
  const folder = input.map((f) => folderOf(f.name)).find((n): n is string => Boolean(n));
  const declared = typeof config._name_or_path === 'string' && config._name_or_path.trim() ? config._name_or_path.trim() : null;
  return {
    name: declared ?? folder ?? `${{ gpt2: 'GPT-2', bert: 'BERT', distilbert: 'DistilBERT' }[architecture]} (imported)`,
    architecture,
    saved,
    // BERT and DistilBERT texts are framed [CLS] … [SEP], as their tokenizer's post-processor frames them.
    tokenizer: hfTextTokenizer(hf, { framed: architecture !== 'gpt2' }),
    tokenizerKind: hf.kind,
    parameters: saved.weightSpecs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0),
    config,
    sideFiles,
  };
}
