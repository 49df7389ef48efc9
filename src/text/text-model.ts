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
  MAX_CHUNKS,
  type ClassifierHead,
} from './classifier';
import { CLASSIFIER_BIAS, CLASSIFIER_KERNEL, paramGroups, type ParamGroup } from './groups';
import { disposeLm, generate, loadLm, type Lm, type SavedLm } from './model';
import { removeLora } from './lora';
import type { TextTokenizer } from './tokenizer';
import type { Pooling, TextTask } from './types';

type Tf = typeof tfTypes;

export interface TextModel {
  task: TextTask;
  /** The transformer; for generation it holds the untied `lm_head`. */
  lm: Lm;
  /** Classification only. */
  classifier: ClassifierHead | null;
  /** Text ↔ ids: the model's tokenizer.json (the bundled model's BPE, or an imported model's). */
  tokenizer: TextTokenizer;
}

export type TextModelSpec =
  | {
      task: 'text-generation';
      /**
       * Keep the output tied to the token embedding (no `lm_head`, an empty head group): imported
       * checkpoints, whose 50k-token output matrix would otherwise be copied, and which export tied.
       */
      tied?: boolean;
    }
  | { task: 'text-classification'; labels: string[]; pooling: Pooling; seed: number };

/** A new fine-tunable model from pre-trained weights (e.g. `public/models/text-lm`). */
export function createTextModel(tf: Tf, base: SavedLm, spec: TextModelSpec, tokenizer: TextTokenizer): TextModel {
  if (tokenizer.vocabSize > base.config.vocabSize) {
    throw new Error(`the tokenizer has ${tokenizer.vocabSize} tokens, the model ${base.config.vocabSize}`);
  }
  if (spec.task === 'text-generation') {
    if (base.config.tiedHead === false || spec.tied) return { task: spec.task, lm: loadLm(tf, base), classifier: null, tokenizer };
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
    return { task: spec.task, lm, classifier: null, tokenizer };
  }
  const lm = loadLm(tf, base);
  try {
    const classifier = createClassifierHead(
      tf,
      lm.config.width,
      spec.labels,
      spec.pooling,
      deriveSeed(spec.seed, 'classifier-head'),
      lm.config.arch ?? 'gpt2',
    );
    return { task: spec.task, lm, classifier, tokenizer };
  } catch (err) {
    disposeLm(lm);
    throw err;
  }
}

export function disposeTextModel(model: TextModel): void {
  removeLora(model.lm);
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
  /** Nucleus sampling (default 1: off). */
  topP?: number;
  seed: number;
  /** Streaming: the new text so far, after every token. */
  onText?: (text: string) => void | Promise<void>;
}

/**
 * Continues `prompt` (its tokens; an empty prompt starts from BOS) and returns only the new text,
 * stopping at the end-of-text token. Deterministic for a seed (see `generate`).
 */
export async function generateText(tf: Tf, model: TextModel, prompt: string, options: TextGenerateOptions): Promise<string> {
  const tok = model.tokenizer;
  const encoded = prompt.length > 0 ? tok.encode(prompt) : Int32Array.of(tok.bos);
  const ids = encoded.length > 0 ? encoded : Int32Array.of(tok.bos);
  const { onText, ...sampling } = options;
  const out = await generate(tf, model.lm, ids, {
    ...sampling,
    stopId: tok.eos ?? undefined,
    onToken: onText ? (next) => onText(tok.decode(next)) : undefined,
  });
  return tok.decode(out);
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
    const examples = texts.slice(i, i + batchSize).map((t) => encodeChunks(t, T, MAX_CHUNKS, model.tokenizer));
    const C = Math.max(...examples.map((e) => e.length));
    // Framed texts (BERT's) pad only as far as the batch's longest; attention masks the padding.
    const L = model.tokenizer.framed ? Math.max(...examples.map((e) => e[0]?.length ?? 1)) : T;
    const batch = chunkBatch(examples, L, batchSize, C, head.pooling, model.tokenizer.pad);
    const probs = tf.tidy(() => tf.softmax(classifierLogits(tf, head, exampleFeatures(tf, model.lm, batch, batchSize, C))));
    const values = (await probs.data()) as Float32Array;
    probs.dispose();
    out.set(values.subarray(0, examples.length * K), i * K);
  }
  return out;
}
