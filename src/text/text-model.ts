/**
 * A fine-tunable text model: the pre-trained transformer plus the task's head.
 *
 * - Generation: the transformer with its own (untied) output matrix `lm_head`, initialised from the
 *   pre-trained `tok_emb`, so logits start identical to the pre-trained model's.
 * - Classification: the transformer (its output projection unused) plus a new `ClassifierHead`.
 *
 * One owner: whoever creates a TextModel disposes it with `disposeTextModel`. Creating one copies the
 * weights into new variables; the `SavedLm` it came from is not kept.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { deriveSeed } from '../lib/random';
import {
  classifierLogits,
  createClassifierHead,
  disposeClassifierHead,
  chunkBatch,
  encodeChunks,
  exampleFeatures,
  type ClassifierHead,
} from './classifier';
import { CLASSIFIER_BIAS, CLASSIFIER_KERNEL, paramGroups, type ParamGroup } from './groups';
import { disposeLm, generate, loadLm, type Lm, type SavedLm } from './model';
import { BOS_ID, decode, encode } from './tokenizer';
import type { Pooling, TextTask } from './types';

type Tf = typeof tfTypes;

export interface TextModel {
  task: TextTask;
  /** The transformer; for generation it holds the untied `lm_head`. */
  lm: Lm;
  /** Classification only. */
  classifier: ClassifierHead | null;
}

export type TextModelSpec = { task: 'text-generation' } | { task: 'text-classification'; labels: string[]; pooling: Pooling; seed: number };

/** A new fine-tunable model from pre-trained weights (e.g. `public/models/text-lm`). */
export function createTextModel(tf: Tf, base: SavedLm, spec: TextModelSpec): TextModel {
  if (spec.task === 'text-generation') {
    if (base.config.tiedHead === false) return { task: spec.task, lm: loadLm(tf, base), classifier: null };
    const weights = new Float32Array(base.weights);
    const tok = base.weightSpecs.findIndex((s) => s.name === 'tok_emb');
    if (tok < 0) throw new Error('the saved model lacks tok_emb');
    let offset = 0;
    for (let i = 0; i < tok; i++) offset += (base.weightSpecs[i]?.shape ?? []).reduce((a, b) => a * b, 1);
    const spec0 = base.weightSpecs[tok]!;
    const size = spec0.shape.reduce((a, b) => a * b, 1);
    const untied = new Float32Array(weights.length + size);
    untied.set(weights);
    untied.set(weights.subarray(offset, offset + size), weights.length);
    const lm = loadLm(tf, {
      config: { ...base.config, tiedHead: false },
      weightSpecs: [...base.weightSpecs, { name: 'lm_head', shape: spec0.shape.slice(), dtype: 'float32' }],
      weights: untied.buffer,
    });
    return { task: spec.task, lm, classifier: null };
  }
  const lm = loadLm(tf, base);
  try {
    const classifier = createClassifierHead(tf, lm.config.width, spec.labels, spec.pooling, deriveSeed(spec.seed, 'classifier-head'));
    return { task: spec.task, lm, classifier };
  } catch (err) {
    disposeLm(lm);
    throw err;
  }
}

export function disposeTextModel(model: TextModel): void {
  disposeLm(model.lm);
  if (model.classifier) disposeClassifierHead(model.classifier);
}

/** Every variable of the model by parameter name (transformer, then classifier head). */
export function textVariables(model: TextModel): Map<string, tfTypes.Variable> {
  const out = new Map(model.lm.vars);
  if (model.classifier) {
    out.set(CLASSIFIER_KERNEL, model.classifier.kernel);
    out.set(CLASSIFIER_BIAS, model.classifier.bias);
  }
  return out;
}

/** The model's parameter groups (see groups.ts). */
export function textModelGroups(model: TextModel): ParamGroup[] {
  return paramGroups(model.lm.config, model.task, model.classifier?.labels.length ?? 0);
}

export interface TextGenerateOptions {
  maxTokens: number;
  /** 0 = greedy. */
  temperature: number;
  /** 0 = all. */
  topK: number;
  seed: number;
}

/**
 * Continues `prompt` (its UTF-8 bytes; an empty prompt starts from BOS) and returns only the new
 * text. Deterministic for a seed (see `generate`).
 */
export async function generateText(tf: Tf, model: TextModel, prompt: string, options: TextGenerateOptions): Promise<string> {
  const ids = prompt.length > 0 ? encode(prompt) : Int32Array.of(BOS_ID);
  const out = await generate(tf, model.lm, ids, options);
  return decode(out);
}

/**
 * Class probabilities for texts, row-major [texts, K], evaluated in batches of `batchSize`
 * (padded to fixed shapes) with one readback per batch.
 */
export async function classifyTexts(tf: Tf, model: TextModel, texts: readonly string[], batchSize = 16): Promise<Float32Array> {
  const head = model.classifier;
  if (!head) throw new Error('classifyTexts needs a classification model');
  const T = model.lm.config.contextLength;
  const K = head.labels.length;
  const out = new Float32Array(texts.length * K);
  for (let i = 0; i < texts.length; i += batchSize) {
    const examples = texts.slice(i, i + batchSize).map((t) => encodeChunks(t, T));
    const C = Math.max(...examples.map((e) => e.length));
    const batch = chunkBatch(examples, T, batchSize, C, head.pooling);
    const probs = tf.tidy(() => tf.softmax(classifierLogits(tf, head, exampleFeatures(tf, model.lm, batch, batchSize, C))));
    const values = (await probs.data()) as Float32Array;
    probs.dispose();
    out.set(values.subarray(0, examples.length * K), i * K);
  }
  return out;
}
