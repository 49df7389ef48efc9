/**
 * Export and import of a fine-tuned text model as the files of one zip (the caller zips them):
 *
 * - `model.json`: format, task, config, labels + pooling (classification), tokenizer and a
 *   tfjs-style `weightsManifest` (so `tf.io.loadWeights` / `tf.io.decodeWeights` read `weights.bin`).
 * - `weights.bin`: float32, in manifest order: the transformer (`lm_head` last for generation), then
 *   `cls.kernel`, `cls.bias`, `cls.shift` (fixed centring) for classification.
 * - `tokenizer.json` (and `tokenizer_config.json` when the model has one): the model's Hugging Face
 *   tokenizer files as they came, so that transformers, transformers.js and lm.js read the same tokens.
 * - `metadata.json`: task, labels, settings, final metrics, tokenizer, context length.
 * - `README.md`: a model card. `lm.js`: a dependency-free runtime (see runtime-source.ts).
 *
 * lm.js runs GPT-2-style decoders with GPT-2's byte-level BPE, so only such models export here;
 * an encoder (BERT) or a WordPiece model downloads in Hugging Face layout (export.hf) instead.
 * `importTextModel` reads model.json + weights.bin + tokenizer.json back into a TextModel.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { concatFloat32 } from '../lib/arrays';
import { StudioError } from '../lib/errors';
import { hfTextTokenizer, loadHfTokenizer } from '../models/hf/tokenizer';
import { CLASSIFIER_BIAS, CLASSIFIER_KERNEL, CLASSIFIER_SHIFT, classifierInputSize } from './groups';
import { disposeLm, loadLm, saveLm, type LmConfig, type SavedLm, type WeightSpec } from './model';
import { mergeLoraInto } from './lora';
import { LM_JS } from './runtime-source';
import type { TextModel } from './text-model';
import type { ContinuedFrom } from '../engine/run-record';
import type { TextTokenizer } from './tokenizer';
import type { Pooling, TextEpochMetrics, TextTask, TextTrainSettings } from './types';

type Tf = typeof tfTypes;

export const TEXT_MODEL_FORMAT = 'finetune-studio/text-model';
const DEFAULT_BASE_MODEL = 'finetune-studio text-lm';
/** 2: a byte-level BPE tokenizer in tokenizer.json. Version 1 was the former byte-level model (tokens = UTF-8 bytes). */
export const TEXT_MODEL_FORMAT_VERSION = 2;

/** model.json's account of the tokenizer; its vocabulary and merges are in `file`. */
export interface TextTokenizerDescription {
  kind: 'byte-level-bpe';
  vocabSize: number;
  /** The id an empty prompt starts from. */
  bos: number;
  /** Generation ends at this id; null: never. */
  eos: number | null;
  pad: number;
  /** The Hugging Face tokenizer.json in the export. */
  file: 'tokenizer.json';
}

export interface TextModelJson {
  format: typeof TEXT_MODEL_FORMAT;
  formatVersion: typeof TEXT_MODEL_FORMAT_VERSION;
  task: TextTask;
  config: LmConfig;
  parameters: number;
  labels?: string[];
  pooling?: Pooling;
  tokenizer: TextTokenizerDescription;
  weightsManifest: Array<{ paths: string[]; weights: WeightSpec[] }>;
}

export interface TextExportInfo {
  /** Shown in the model card (default "Fine-tuned text model"). */
  name?: string;
  /** The base model's id or description (default "finetune-studio text-lm"). */
  baseModel?: string;
  settings?: TextTrainSettings;
  /** Final metrics of the run. */
  metrics?: TextEpochMetrics | null;
  /** ISO date; omitted from the files when absent (keeps exports byte-reproducible in tests). */
  createdAt?: string;
  /** The run's record beyond settings and final metrics (id, data manifest, history…), for metadata.json. */
  run?: Record<string, unknown>;
  /** When the run continued an exported model (a PyTorch job's, or the studio's): what that export said of itself. */
  continuedFrom?: ContinuedFrom | null;
}

const utf8 = new TextEncoder();
const json = (value: unknown): Uint8Array => utf8.encode(JSON.stringify(value, null, 2) + '\n');

/**
 * Why lm.js cannot run this model, as a sentence; null when it can. lm.js implements GPT-2's
 * decoder and its byte-level BPE (a ByteLevel pre-tokenizer, no normalizer) and nothing else.
 */
export function tfjsExportProblem(model: TextModel): string | null {
  const elsewhere = 'download it in Hugging Face layout (export.hf) instead';
  if (model.lm.config.arch === 'bert')
    return `The TF.js export runs GPT-2-style decoders only; this model is a BERT-style encoder: ${elsewhere}.`;
  const tok = model.tokenizer;
  if (tok.kind !== 'BPE' || tok.framed) {
    return `The TF.js export reads GPT-2's byte-level BPE tokenizer only; this model's tokenizer is ${tok.kind}${tok.framed ? ' with [CLS] … [SEP] framing' : ''}: ${elsewhere}.`;
  }
  const text = tok.files['tokenizer.json'];
  if (text === undefined) return 'The model has no tokenizer.json to export.';
  const parsed = JSON.parse(text) as { pre_tokenizer?: { type?: unknown } | null; normalizer?: unknown };
  if (parsed.pre_tokenizer?.type !== 'ByteLevel' || parsed.normalizer) {
    return `The TF.js export reads GPT-2's byte-level BPE tokenizer only; this model's BPE tokenizer splits or normalises text another way: ${elsewhere}.`;
  }
  return null;
}

/** model.json's tokenizer description of a TextTokenizer. */
export function describeTokenizer(tokenizer: TextTokenizer): TextTokenizerDescription {
  return {
    kind: 'byte-level-bpe',
    vocabSize: tokenizer.vocabSize,
    bos: tokenizer.bos,
    eos: tokenizer.eos,
    pad: tokenizer.pad,
    file: 'tokenizer.json',
  };
}

/**
 * All files of the export, by name. Reads the weights back with `await data()`. Refuses (StudioError
 * 'unsupported') a model lm.js cannot run: see `tfjsExportProblem`.
 */
export async function exportTextModel(tf: Tf, model: TextModel, info: TextExportInfo = {}): Promise<Record<string, Uint8Array>> {
  const problem = tfjsExportProblem(model);
  if (problem) throw new StudioError('unsupported', problem);
  const tokenizer = describeTokenizer(model.tokenizer);
  // Adapters merged: the TF.js model has none, and lm.js reads plain kernels.
  const saved = await mergeLoraInto(tf, await saveLm(model.lm), model.lm);
  const specs: WeightSpec[] = saved.weightSpecs.slice();
  const parts: Float32Array[] = [new Float32Array(saved.weights)];
  const head = model.classifier;
  if (head) {
    for (const [name, v] of [
      [CLASSIFIER_KERNEL, head.kernel],
      [CLASSIFIER_BIAS, head.bias],
      [CLASSIFIER_SHIFT, head.shift],
    ] as const) {
      specs.push({ name, shape: v.shape.slice(), dtype: 'float32' });
      parts.push((await v.data()) as Float32Array);
    }
  }
  const weights = concatFloat32(parts);
  const total = weights.length;
  const modelJson: TextModelJson = {
    format: TEXT_MODEL_FORMAT,
    formatVersion: TEXT_MODEL_FORMAT_VERSION,
    task: model.task,
    config: saved.config,
    parameters: total,
    ...(head ? { labels: head.labels.slice(), pooling: head.pooling } : {}),
    tokenizer,
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  };
  const metadata = {
    task: model.task,
    labels: head?.labels ?? null,
    pooling: head?.pooling ?? null,
    contextLength: saved.config.contextLength,
    parameters: total,
    tokenizer,
    baseModel: info.baseModel ?? DEFAULT_BASE_MODEL,
    settings: info.settings ?? null,
    metrics: info.metrics ?? null,
    ...(info.run ? { run: info.run } : {}),
    ...(info.continuedFrom ? { continuedFrom: info.continuedFrom } : {}),
    ...(info.createdAt ? { createdAt: info.createdAt } : {}),
  };
  // The tokenizer files verbatim: rewriting them could change how another reader tokenizes.
  const tokenizerFiles: Record<string, Uint8Array> = {};
  for (const name of ['tokenizer.json', 'tokenizer_config.json']) {
    const text = model.tokenizer.files[name];
    if (text !== undefined) tokenizerFiles[name] = utf8.encode(text);
  }
  return {
    'model.json': json(modelJson),
    'weights.bin': new Uint8Array(weights.buffer),
    ...tokenizerFiles,
    'metadata.json': json(metadata),
    'README.md': utf8.encode(modelCard(modelJson, info, 'tokenizer_config.json' in tokenizerFiles)),
    'lm.js': utf8.encode(LM_JS),
  };
}

function fmt(v: number | null | undefined, digits = 4): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

function modelCard(m: TextModelJson, info: TextExportInfo, tokenizerConfig: boolean): string {
  const c = m.config;
  const t = m.tokenizer;
  const metrics = info.metrics;
  const s = info.settings;
  const parameters = m.parameters.toLocaleString('en-US');
  const lines = [
    `# ${info.name ?? 'Fine-tuned text model'}`,
    '',
    `Task: **${m.task}**. Fine-tuned in the browser with finetune-studio from ${info.baseModel ?? DEFAULT_BASE_MODEL}.`,
    '',
    '## Model',
    '',
    `- GPT-2-format decoder: ${c.blocks} blocks, width ${c.width}, ${c.heads} heads, MLP ${c.mlpRatio}×, context ${c.contextLength} tokens, ${parameters} parameters (float32).`,
    m.task === 'text-generation'
      ? `- Output: next-token logits through ${c.tiedHead === false ? 'its own output matrix `lm_head`' : 'the tied token embedding'}.`
      : `- Output: softmax over ${m.labels?.length ?? 0} labels (${(m.labels ?? []).join(', ')}), from two parts side by side — the mean input embedding over the real tokens and the final hidden states pooled by **${m.pooling}** (${m.pooling === 'last' ? 'last real token' : 'mean over real tokens'}) — centred on the training mean (\`cls.shift\`), each part divided by its RMS. A text is read in up to 4 chunks of ${c.contextLength} tokens (its first ${4 * c.contextLength} tokens), pooled one by one and averaged.`,
    `- Tokenizer: byte-level BPE (GPT-2 style), ${t.vocabSize.toLocaleString('en-US')} ids; id ${t.bos} starts an empty prompt${t.eos === null ? '' : `, ${t.eos} ends a text`}, ${t.pad} pads; see tokenizer.json.`,
    '',
    '## Training',
    '',
    s
      ? `- ${s.epochs} epochs, batch ${s.batchSize}, ${s.optimizer} at learning rate ${s.learningRate} (${s.schedule.kind}), weight decay ${s.weightDecay}, dropout ${s.dropout}, seed ${s.seed}; trained groups: ${s.trainableGroups.join(', ')}.`
      : '- Settings not recorded.',
    metrics
      ? `- Final validation loss ${fmt(metrics.valLoss)}${metrics.perplexity !== null ? `, perplexity ${fmt(metrics.perplexity, 3)}` : ''}${metrics.valAccuracy !== null ? `, accuracy ${fmt(metrics.valAccuracy, 3)}` : ''}.`
      : '- Metrics not recorded.',
    '',
    '## Files',
    '',
    '- `model.json`: config, task, labels, tokenizer and the tfjs `weightsManifest`.',
    '- `weights.bin`: float32 weights in manifest order.',
    `- \`tokenizer.json\`: the Hugging Face tokenizer (vocabulary and merges)${tokenizerConfig ? '; `tokenizer_config.json`: its settings' : ''}.`,
    '- `metadata.json`: task, labels, settings and final metrics.',
    '- `lm.js`: a small runtime for TensorFlow.js (no other dependency).',
    '',
    '## Use it',
    '',
    '```js',
    "import * as tf from '@tensorflow/tfjs';",
    "import { loadTextModel, generate, classify } from './lm.js';",
    "const model = await loadTextModel(tf, './'); // the folder serving model.json, tokenizer.json and weights.bin",
    m.task === 'text-generation'
      ? "console.log(await generate(tf, model, 'Once upon', { maxTokens: 100, temperature: 0.8, topK: 40, seed: 1 }));"
      : "console.log(await classify(tf, model, 'A paragraph to label')); // [{ label, probability }]",
    '```',
    '',
    "In Node, read the files yourself: `fromWeights(tf, json, tf.io.decodeWeights(buffer, json.weightsManifest[0].weights), JSON.parse(fs.readFileSync('tokenizer.json', 'utf8')))` (see the top of lm.js). `encode(model, text)` and `decode(model, ids)` give its tokens.",
    '',
    '## Limitations',
    '',
    `- A small GPT-2-format model (${parameters} parameters) with a context of ${c.contextLength} tokens: expect it to pick up style, spelling and frequent phrases, not facts or reasoning. Check its outputs before relying on them.`,
    `- What it knows beyond the fine-tuning data comes from its base model (${info.baseModel ?? DEFAULT_BASE_MODEL}); languages and domains that model saw little of start from weaker statistics.`,
    '',
  ];
  return lines.join('\n');
}

/** Parses and checks model.json of an export. */
export function parseTextModelJson(bytes: Uint8Array): TextModelJson {
  const m = JSON.parse(new TextDecoder().decode(bytes)) as Partial<TextModelJson>;
  if (m.format !== TEXT_MODEL_FORMAT) throw new Error(`model.json is not a ${TEXT_MODEL_FORMAT} file`);
  if (m.formatVersion !== TEXT_MODEL_FORMAT_VERSION || m.tokenizer?.kind !== 'byte-level-bpe') {
    throw new Error(
      `model.json is version ${String(m.formatVersion)} of ${TEXT_MODEL_FORMAT}; this studio reads version ${TEXT_MODEL_FORMAT_VERSION} (a byte-level BPE tokenizer in tokenizer.json)`,
    );
  }
  if (m.task !== 'text-generation' && m.task !== 'text-classification') throw new Error(`unknown task ${String(m.task)}`);
  if (!m.config || !m.weightsManifest?.[0]) throw new Error('model.json lacks its config or weightsManifest');
  if (m.task === 'text-classification' && (!m.labels || m.labels.length < 2 || (m.pooling !== 'mean' && m.pooling !== 'last'))) {
    throw new Error('a classification model.json needs labels and pooling');
  }
  return m as TextModelJson;
}

/**
 * The export's tokenizer, from its tokenizer.json (and tokenizer_config.json when present), ending
 * texts with the token model.json names as EOS (GPT-2's `<|endoftext|>` unless the model chose another).
 */
function importTokenizer(m: TextModelJson, files: Record<string, Uint8Array>): TextTokenizer {
  const text = (name: string) => {
    const bytes = files[name];
    return bytes ? new TextDecoder().decode(bytes) : null;
  };
  const tokenizerJson = text(m.tokenizer.file);
  if (tokenizerJson === null) throw new Error(`the export lacks ${m.tokenizer.file}, which holds the model's tokenizer`);
  const hf = loadHfTokenizer(tokenizerJson, text('tokenizer_config.json'));
  const parsed = JSON.parse(tokenizerJson) as { added_tokens?: Array<{ id: number; content: string }> };
  const eosToken = parsed.added_tokens?.find((t) => t.id === m.tokenizer.eos)?.content;
  return hfTextTokenizer(hf, eosToken ? { eosToken } : {});
}

/** Rebuilds a TextModel from exported files (model.json, tokenizer.json and the weights file model.json names). */
export function importTextModel(tf: Tf, files: Record<string, Uint8Array>): TextModel {
  const modelBytes = files['model.json'];
  if (!modelBytes) throw new Error('the export lacks model.json');
  const m = parseTextModelJson(modelBytes);
  const tokenizer = importTokenizer(m, files);
  const group = m.weightsManifest[0]!;
  const bin = files[group.paths[0] ?? 'weights.bin'];
  if (!bin) throw new Error(`the export lacks ${group.paths[0] ?? 'weights.bin'}`);
  const weights = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  const lm = loadLm(tf, { config: m.config, weightSpecs: group.weights, weights });
  if (m.task === 'text-generation') return { task: m.task, lm, classifier: null, tokenizer };
  try {
    const flat = new Float32Array(weights);
    const take = (name: string): { values: Float32Array; shape: number[] } => {
      let o = 0;
      for (const s of group.weights) {
        const size = s.shape.reduce((a, b) => a * b, 1);
        if (s.name === name) return { values: flat.slice(o, o + size), shape: s.shape };
        o += size;
      }
      throw new Error(`the export lacks ${name}`);
    };
    const K = m.labels!.length;
    const D = classifierInputSize(m.config.width);
    const k = take(CLASSIFIER_KERNEL);
    const b = take(CLASSIFIER_BIAS);
    const sh = take(CLASSIFIER_SHIFT);
    if (k.shape.join(',') !== `${D},${K}` || b.shape.join(',') !== `${K}` || sh.values.length !== D) {
      throw new Error('the classifier head does not match the labels and width');
    }
    const variable = (t: { values: Float32Array; shape: number[] }, trainable: boolean) =>
      tf.tidy(() => tf.variable(tf.tensor(t.values, t.shape, 'float32'), trainable));
    const classifier = {
      labels: m.labels!.slice(),
      pooling: m.pooling!,
      kernel: variable(k, true),
      bias: variable(b, true),
      shift: variable(sh, false),
      fitted: true,
    };
    return { task: m.task, lm, classifier, tokenizer };
  } catch (err) {
    disposeLm(lm);
    throw err;
  }
}

/** model.json's text, parsed, when it is the studio's text export (any version); null for any other file. */
export function textModelJsonOf(text: string): Partial<TextModelJson> | null {
  try {
    const m = JSON.parse(text) as unknown;
    return m && typeof m === 'object' && (m as { format?: unknown }).format === TEXT_MODEL_FORMAT ? (m as Partial<TextModelJson>) : null;
  } catch {
    return null;
  }
}

/**
 * Why the files of a text export (`names`, its model.json parsed) cannot become the model text runs
 * start from, as a sentence; null when they can. Only a text generator's export can so far.
 */
export function textExportProblem(m: Partial<TextModelJson>, names: readonly string[]): string | null {
  const again = 'import the model.zip train.py wrote (or the studio’s text export) whole, as it came';
  try {
    parseTextModelJson(new TextEncoder().encode(JSON.stringify(m)));
  } catch (err) {
    return `These files are a text model exported by the studio, but its model.json cannot be read (${(err as Error).message}): ${again}.`;
  }
  if (m.task !== 'text-generation') {
    return 'This is a text classifier exported by the studio: only a text generator’s export can be imported to train on so far. Import a text-generation model.zip.';
  }
  const have = new Set(names);
  const missing = [
    ...(m.weightsManifest?.[0]?.paths ?? ['weights.bin']).map((p) => ({ file: p, what: 'its weights' })),
    { file: m.tokenizer?.file ?? 'tokenizer.json', what: 'its tokenizer' },
  ].filter((f) => !have.has(f.file));
  if (missing.length === 0) return null;
  const list = missing.map((f) => `${f.file} (${f.what})`).join(' and ');
  return `These files are a text model exported by the studio, but ${list} ${missing.length > 1 ? 'are' : 'is'} missing: ${again}.`;
}

/**
 * The name an imported text export goes by: its base model, what trained it and the run, read from
 * its metadata.json (the same files always give the same name, so a kept import is found again).
 */
export function textExportName(metadata: Record<string, unknown> | null): string {
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const obj = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : null);
  const base = str(metadata?.baseModel) ?? 'text model';
  const tool = str(obj(metadata?.trainedBy)?.tool);
  const run = str(obj(metadata?.run)?.id);
  return `${base} fine-tuned ${tool ? `by ${tool}` : 'in the studio'}${run ? ` (${run})` : ''}`;
}

/**
 * A text generator's export as the pre-trained model runs start from: its weights as saved (checked
 * by loading them once), its tokenizer, and its name. Throws a StudioError whose sentence names
 * what is wrong.
 */
export function textExportBase(tf: Tf, files: Record<string, Uint8Array>): { saved: SavedLm; tokenizer: TextTokenizer; name: string } {
  const bytes = files['model.json'];
  const m = bytes ? textModelJsonOf(new TextDecoder().decode(bytes)) : null;
  if (!m) throw new StudioError('model-invalid', 'These files have no model.json of a text model exported by the studio.');
  const problem = textExportProblem(m, Object.keys(files));
  if (problem) throw new StudioError('model-invalid', problem);
  let model: TextModel;
  try {
    model = importTextModel(tf, files);
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/\.$/, '') : 'its files do not fit together';
    throw new StudioError(
      'model-load-failed',
      `The text model exported by the studio could not be loaded (${why}): import the model.zip train.py wrote (or the studio’s text export) whole, as it came.`,
      { cause: err },
    );
  }
  disposeLm(model.lm);
  const json = parseTextModelJson(bytes!);
  const group = json.weightsManifest[0]!;
  const bin = files[group.paths[0] ?? 'weights.bin']!;
  let metadata: Record<string, unknown> | null;
  try {
    const meta = files['metadata.json'];
    metadata = meta ? (JSON.parse(new TextDecoder().decode(meta)) as Record<string, unknown>) : null;
  } catch {
    metadata = null;
  }
  return {
    saved: {
      config: json.config,
      weightSpecs: group.weights,
      weights: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
    },
    tokenizer: model.tokenizer,
    name: textExportName(metadata),
  };
}
