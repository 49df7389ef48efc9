/**
 * Freezing for the text model, as data: parameters fall into named groups, a run trains a set of
 * groups, and one pure function turns that set into the variable names that train.
 *
 * Groups, bottom to top:
 * - `embeddings`: `tok_emb` (input token embedding) and `pos_emb`.
 * - `block_0` … `block_{n-1}`: every parameter of one transformer block.
 * - `final_norm`: the last LayerNorm (`ln_f.*`).
 * - `head`: generation: the output matrix `lm_head`. The pre-trained model ties its output to
 *   `tok_emb`; a fine-tuned generation model is untied (`createTextModel` copies `tok_emb` into
 *   `lm_head`, so it starts with identical logits) and `head` and `embeddings` freeze
 *   independently. A still-tied config has an empty `head` group (the output is `tok_emb`).
 *   Classification: the new classifier (`cls.kernel`, `cls.bias`).
 */
import { paramShapes, type LmConfig } from './model';
import type { TextTask } from './types';

export interface ParamGroup {
  /** `embeddings`, `block_0`…, `final_norm`, `head`. */
  name: string;
  /** Parameter (scalar) count. */
  params: number;
  /** Variable names, in the model's parameter order. */
  variables: string[];
}

/** Variable names of the classifier head. */
export const CLASSIFIER_KERNEL = 'cls.kernel';

/**
 * The classifier reads two pooled parts side by side: the mean of the input embeddings (a bag of
 * tokens) and the final hidden states pooled as chosen (why: classifier.ts).
 */
export const CLASSIFIER_PARTS = 2;
export function classifierInputSize(width: number, arch: 'gpt2' | 'bert' = 'gpt2'): number {
  // BERT's head reads its pooled output alone, as transformers' BertForSequenceClassification does.
  return arch === 'bert' ? width : CLASSIFIER_PARTS * width;
}
export const CLASSIFIER_BIAS = 'cls.bias';
/** The classifier's fixed centring (mean pooled training feature): exported, never trained, in no group. */
export const CLASSIFIER_SHIFT = 'cls.shift';

export type FreezePreset = { kind: 'head-only' } | { kind: 'top-blocks'; blocks: number } | { kind: 'full' };

/** The group a model parameter belongs to. */
export function groupOf(name: string): string {
  if (name === 'tok_emb' || name === 'pos_emb' || name === 'type_emb' || name.startsWith('emb_ln.')) return 'embeddings';
  if (name.startsWith('pooler.')) return 'pooler';
  const block = /^block(\d+)\./.exec(name);
  if (block) return `block_${block[1]}`;
  if (name.startsWith('ln_f.')) return 'final_norm';
  if (name === 'lm_head' || name.startsWith('cls.')) return 'head';
  throw new Error(`unknown text model parameter ${name}`);
}

/** All parameter shapes of a text model: the transformer plus, for classification, the head. */
export function textParamShapes(config: LmConfig, task: TextTask, numLabels = 0): Array<{ name: string; shape: number[] }> {
  const out = paramShapes(config).map((p) => ({ name: p.name, shape: p.shape }));
  if (task === 'text-classification') {
    out.push(
      { name: CLASSIFIER_KERNEL, shape: [classifierInputSize(config.width, config.arch), numLabels] },
      { name: CLASSIFIER_BIAS, shape: [numLabels] },
    );
  }
  return out;
}

/** The groups in order (embeddings, blocks bottom-up, final_norm, head) with parameter counts. */
export function paramGroups(config: LmConfig, task: TextTask, numLabels = 0): ParamGroup[] {
  // BERT has no final norm; its pooler (tanh dense on the first token) feeds the head.
  const top = topGroup(config);
  const order = ['embeddings', ...Array.from({ length: config.blocks }, (_, b) => `block_${b}`), top, 'head'];
  const groups = new Map(order.map((name) => [name, { name, params: 0, variables: [] as string[] }]));
  for (const p of textParamShapes(config, task, numLabels)) {
    const g = groups.get(groupOf(p.name));
    if (!g) throw new Error(`parameter ${p.name} has no group`);
    g.params += p.shape.reduce((a, b) => a * b, 1);
    g.variables.push(p.name);
  }
  return [...groups.values()];
}

/** The group between the blocks and the head: the final LayerNorm, or BERT's pooler. */
const topGroup = (config: LmConfig) => (config.arch === 'bert' ? 'pooler' : 'final_norm');

/** Group names of a preset: the head; the top N blocks with the final norm and head; or everything. */
export function presetGroups(config: LmConfig, preset: FreezePreset): string[] {
  switch (preset.kind) {
    case 'head-only':
      return ['head'];
    case 'top-blocks': {
      const n = Math.max(0, Math.min(config.blocks, Math.floor(preset.blocks)));
      const blocks = Array.from({ length: n }, (_, i) => `block_${config.blocks - n + i}`);
      return [...blocks, topGroup(config), 'head'];
    }
    case 'full':
      return ['embeddings', ...Array.from({ length: config.blocks }, (_, b) => `block_${b}`), topGroup(config), 'head'];
  }
}

/** Variable names that train for a set of groups, in parameter order. Unknown group names throw. */
export function trainableVariableNames(groups: readonly ParamGroup[], trainable: Iterable<string>): string[] {
  const chosen = new Set(trainable);
  const known = new Set(groups.map((g) => g.name));
  for (const name of chosen) if (!known.has(name)) throw new Error(`unknown parameter group ${name}`);
  return groups.filter((g) => chosen.has(g.name)).flatMap((g) => g.variables);
}

/** Scalar parameters that train for a set of groups. */
export function countTrainableParams(groups: readonly ParamGroup[], trainable: Iterable<string>): number {
  const chosen = new Set(trainable);
  return groups.filter((g) => chosen.has(g.name)).reduce((n, g) => n + g.params, 0);
}

/** Whether any group below the head trains (then a classifier cannot use cached pooled features). */
export function trainsBody(trainable: Iterable<string>): boolean {
  for (const g of trainable) if (g !== 'head') return true;
  return false;
}
