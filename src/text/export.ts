/**
 * Export and import of a fine-tuned text model as the files of one zip (the caller zips them):
 *
 * - `model.json`: format, task, config, labels + pooling (classification), tokenizer and a
 *   tfjs-style `weightsManifest` (so `tf.io.loadWeights` / `tf.io.decodeWeights` read `weights.bin`).
 * - `weights.bin`: float32, in manifest order: the transformer (`lm_head` last for generation), then
 *   `cls.kernel`, `cls.bias`, `cls.shift` (fixed centring) for classification.
 * - `tokenizer.json`: the byte-level tokenizer description.
 * - `metadata.json`: task, labels, settings, final metrics, tokenizer, context length.
 * - `README.md`: a model card. `lm.js`: a dependency-free runtime (see runtime-source.ts).
 *
 * `importTextModel` reads model.json + weights.bin back into a TextModel.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { concatFloat32 } from '../lib/arrays';
import { CLASSIFIER_BIAS, CLASSIFIER_KERNEL, CLASSIFIER_SHIFT, classifierInputSize } from './groups';
import { disposeLm, loadLm, saveLm, type LmConfig, type WeightSpec } from './model';
import { mergeLoraInto } from './lora';
import { LM_JS } from './runtime-source';
import type { TextModel } from './text-model';
import { BYTE_TOKENIZER, TOKENIZER, type TokenizerDescription } from './tokenizer';
import type { Pooling, TextEpochMetrics, TextTask, TextTrainSettings } from './types';

type Tf = typeof tfTypes;

export const TEXT_MODEL_FORMAT = 'finetune-studio/text-model';

export interface TextModelJson {
  format: typeof TEXT_MODEL_FORMAT;
  formatVersion: 1;
  task: TextTask;
  config: LmConfig;
  parameters: number;
  labels?: string[];
  pooling?: Pooling;
  tokenizer: TokenizerDescription;
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
}

const utf8 = new TextEncoder();
const json = (value: unknown): Uint8Array => utf8.encode(JSON.stringify(value, null, 2) + '\n');

/** All files of the export, by name. Reads the weights back with `await data()`. */
export async function exportTextModel(tf: Tf, model: TextModel, info: TextExportInfo = {}): Promise<Record<string, Uint8Array>> {
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
    formatVersion: 1,
    task: model.task,
    config: saved.config,
    parameters: total,
    ...(head ? { labels: head.labels.slice(), pooling: head.pooling } : {}),
    tokenizer: TOKENIZER,
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  };
  const metadata = {
    task: model.task,
    labels: head?.labels ?? null,
    pooling: head?.pooling ?? null,
    contextLength: saved.config.contextLength,
    parameters: total,
    tokenizer: TOKENIZER,
    baseModel: info.baseModel ?? 'finetune-studio text-lm',
    settings: info.settings ?? null,
    metrics: info.metrics ?? null,
    ...(info.run ? { run: info.run } : {}),
    ...(info.createdAt ? { createdAt: info.createdAt } : {}),
  };
  return {
    'model.json': json(modelJson),
    'weights.bin': new Uint8Array(weights.buffer),
    'tokenizer.json': json(TOKENIZER),
    'metadata.json': json(metadata),
    'README.md': utf8.encode(modelCard(modelJson, info)),
    'lm.js': utf8.encode(LM_JS),
  };
}

function fmt(v: number | null | undefined, digits = 4): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

function modelCard(m: TextModelJson, info: TextExportInfo): string {
  const c = m.config;
  const metrics = info.metrics;
  const s = info.settings;
  const lines = [
    `# ${info.name ?? 'Fine-tuned text model'}`,
    '',
    `Task: **${m.task}**. Fine-tuned in the browser with finetune-studio from ${info.baseModel ?? 'its bundled byte-level text-lm'}.`,
    '',
    '## Model',
    '',
    `- GPT-style decoder: ${c.blocks} blocks, width ${c.width}, ${c.heads} heads, MLP ${c.mlpRatio}×, context ${c.contextLength} bytes, ${m.parameters.toLocaleString('en-US')} parameters (float32).`,
    m.task === 'text-generation'
      ? `- Output: next-byte logits through ${c.tiedHead === false ? 'its own output matrix `lm_head`' : 'the tied token embedding'}.`
      : `- Output: softmax over ${m.labels?.length ?? 0} labels (${(m.labels ?? []).join(', ')}), from two parts side by side — the mean input embedding over the real tokens and the final hidden states pooled by **${m.pooling}** (${m.pooling === 'last' ? 'last real token' : 'mean over real tokens'}) — centred on the training mean (\`cls.shift\`), each part divided by its RMS. A text is read in up to 4 chunks of ${c.contextLength} bytes (its first ${4 * c.contextLength} bytes), pooled one by one and averaged.`,
    `- Tokenizer: byte-level UTF-8 (ids 0–255 = bytes, ${TOKENIZER.special.bos} = BOS, ${TOKENIZER.special.eos} = EOS, ${TOKENIZER.special.pad} = PAD); see tokenizer.json.`,
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
    '- `tokenizer.json`, `metadata.json`: tokenizer; settings and final metrics.',
    '- `lm.js`: a small runtime for TensorFlow.js (no other dependency).',
    '',
    '## Use it',
    '',
    '```js',
    "import * as tf from '@tensorflow/tfjs';",
    "import { loadTextModel, generate, classify } from './lm.js';",
    "const model = await loadTextModel(tf, './'); // the folder serving model.json and weights.bin",
    m.task === 'text-generation'
      ? "console.log(await generate(tf, model, 'Once upon', { maxTokens: 100, temperature: 0.8, topK: 40, seed: 1 }));"
      : "console.log(await classify(tf, model, 'A paragraph to label')); // [{ label, probability }]",
    '```',
    '',
    'In Node, decode the weights yourself: `fromWeights(tf, json, tf.io.decodeWeights(buffer, json.weightsManifest[0].weights))` (see the top of lm.js).',
    '',
    '## Limitations',
    '',
    '- A sub-million-parameter byte-level model with a short context: it learns style, spelling and frequent phrases, not facts or reasoning. Check its outputs before relying on them.',
    '- The base model was pre-trained on public-domain English (Moby Dick, US State of the Union addresses); other languages and domains start from weaker statistics.',
    '',
  ];
  return lines.join('\n');
}

/** Parses and checks model.json of an export. */
export function parseTextModelJson(bytes: Uint8Array): TextModelJson {
  const m = JSON.parse(new TextDecoder().decode(bytes)) as Partial<TextModelJson>;
  if (m.format !== TEXT_MODEL_FORMAT) throw new Error(`model.json is not a ${TEXT_MODEL_FORMAT} file`);
  if (m.task !== 'text-generation' && m.task !== 'text-classification') throw new Error(`unknown task ${String(m.task)}`);
  if (!m.config || !m.weightsManifest?.[0]) throw new Error('model.json lacks its config or weightsManifest');
  if (m.task === 'text-classification' && (!m.labels || m.labels.length < 2 || (m.pooling !== 'mean' && m.pooling !== 'last'))) {
    throw new Error('a classification model.json needs labels and pooling');
  }
  return m as TextModelJson;
}

/** Rebuilds a TextModel from exported files (model.json + the weights file it names). */
export function importTextModel(tf: Tf, files: Record<string, Uint8Array>): TextModel {
  const modelBytes = files['model.json'];
  if (!modelBytes) throw new Error('the export lacks model.json');
  const m = parseTextModelJson(modelBytes);
  const group = m.weightsManifest[0]!;
  const bin = files[group.paths[0] ?? 'weights.bin'];
  if (!bin) throw new Error(`the export lacks ${group.paths[0] ?? 'weights.bin'}`);
  const weights = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  const lm = loadLm(tf, { config: m.config, weightSpecs: group.weights, weights });
  if (m.task === 'text-generation') return { task: m.task, lm, classifier: null, tokenizer: BYTE_TOKENIZER };
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
    return { task: m.task, lm, classifier, tokenizer: BYTE_TOKENIZER };
  } catch (err) {
    disposeLm(lm);
    throw err;
  }
}
