/**
 * LoRA (Hu et al. 2021) on the studio's transformer: a frozen kernel W [in, out] gains a low-rank
 * update ΔW = A·B × alpha/r, A [in, r] and B [r, out], so a run trains r·(in + out) numbers per
 * kernel instead of in·out. A starts Kaiming-uniform (seeded), B at zero (the model starts as it
 * was), as PEFT initialises them. The forward pass adds (x·A)·B × scale (`dense` in model.ts).
 *
 * PEFT's layout for GPT-2's Conv1D modules (`fan_in_fan_out`): `lora_A.weight` [r, in] = Aᵀ and
 * `lora_B.weight` [out, r] = Bᵀ, merged as W + (B_peft·A_peft)ᵀ × alpha/r — the same ΔW. On
 * `nn.Linear` modules (BERT, DistilBERT; W stored [out, in]) PEFT merges W + B_peft·A_peft × alpha/r,
 * and a fused q·k·v adapter splits into three sharing A (`peftLinearAdapterTensors`).
 * Issue 13's adapter slice: the loop, the UI and the Hugging Face export build on it.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { createRng } from '../lib/random';
import { gpt2Name } from '../models/hf/gpt2';
import type { TensorToWrite } from '../models/hf/safetensors';
import { paramShapes, type LmConfig, type Lm, type SavedLm } from './model';

type Tf = typeof tfTypes;

import type { LoraSettings, LoraTarget } from './types';

export type { LoraSettings, LoraTarget };

/** Every kernel adapted for `targets`, block by block. */
export const loraKernels = (lm: Lm, targets: readonly LoraTarget[]) =>
  Array.from({ length: lm.config.blocks }, (_, b) => targets.map((t) => `block${b}.${t}.kernel`)).flat();

/** Adds adapters to `lm` (replacing any it had); returns their variables, the parameters a LoRA run trains. */
export function addLora(tf: Tf, lm: Lm, settings: LoraSettings): tfTypes.Variable[] {
  const rank = Math.floor(settings.rank);
  if (!(rank >= 1)) throw new Error('a LoRA rank is a whole number of at least 1');
  removeLora(lm);
  const rng = createRng(settings.seed ?? 1);
  const vars = new Map<string, tfTypes.Variable>();
  for (const kernel of loraKernels(lm, settings.targets ?? DEFAULT_LORA_TARGETS)) {
    const w = lm.vars.get(kernel);
    if (!w) throw new Error(`the model has no kernel ${kernel}`);
    const [fanIn, fanOut] = w.shape as [number, number];
    // Kaiming-uniform with a = √5 (PyTorch's nn.Linear default, which PEFT keeps for A): bound 1/√fan_in.
    const bound = 1 / Math.sqrt(fanIn);
    const a = Float32Array.from({ length: fanIn * rank }, () => (rng() * 2 - 1) * bound);
    // Unnamed tf variables, like the model's own: two models with adapters (a run being restored
    // beside the one held) must not collide in tfjs' registry of variable names.
    vars.set(
      `${kernel}.lora_A`,
      tf.tidy(() => tf.variable(tf.tensor2d(a, [fanIn, rank]), true)),
    );
    vars.set(
      `${kernel}.lora_B`,
      tf.tidy(() => tf.variable(tf.zeros([rank, fanOut]), true)),
    );
  }
  lm.lora = { scale: settings.alpha / rank, vars };
  return [...vars.values()];
}

export function removeLora(lm: Lm): void {
  lm.lora?.vars.forEach((v) => v.dispose());
  delete lm.lora;
}

/** The adapted kernels with their updates merged in (W + A·B × scale), by kernel name; the model is unchanged. */
export async function mergedKernels(tf: Tf, lm: Lm): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  const lora = lm.lora;
  if (!lora) return out;
  for (const [name, a] of lora.vars) {
    if (!name.endsWith('.lora_A')) continue;
    const kernel = name.slice(0, -'.lora_A'.length);
    const b = lora.vars.get(`${kernel}.lora_B`) as tfTypes.Variable;
    const w = lm.vars.get(kernel) as tfTypes.Variable;
    const merged = tf.tidy(() => tf.add(w, tf.mul(tf.matMul(a as tfTypes.Tensor2D, b as tfTypes.Tensor2D), lora.scale)));
    out.set(kernel, (await merged.data()) as Float32Array);
    merged.dispose();
  }
  return out;
}

/** The adapters as PEFT saves them for GPT-2 (`adapter_model.safetensors`): names and [r, in] / [out, r] layouts. */
export async function peftAdapterTensors(tf: Tf, lm: Lm, prefix = 'base_model.model.transformer.'): Promise<TensorToWrite[]> {
  const out: TensorToWrite[] = [];
  for (const [name, v] of lm.lora?.vars ?? []) {
    const part = name.endsWith('.lora_A') ? 'lora_A' : 'lora_B';
    const kernel = name.slice(0, -`.${part}`.length);
    const module = gpt2Name(kernel).replace(/\.weight$/, '');
    const t = tf.tidy(() => tf.transpose(v));
    out.push({ name: `${prefix}${module}.${part}.weight`, shape: [...t.shape], values: (await t.data()) as Float32Array });
    t.dispose();
  }
  return out;
}

/** PEFT's `adapter_config.json` for these adapters. */
export function peftAdapterConfig(settings: LoraSettings, baseModel: string): Record<string, unknown> {
  const modules = [
    ...new Set((settings.targets ?? ['attn.qkv']).map((t) => gpt2Name(`block0.${t}.kernel`).split('.').slice(2, -1).join('.'))),
  ];
  return peftLoraConfig(settings, baseModel, {
    taskType: 'CAUSAL_LM',
    fanInFanOut: true,
    targetModules: modules.map((m) => m.split('.').pop() as string),
  });
}

export interface PeftLoraConfigOptions {
  /** PEFT's `task_type`: `CAUSAL_LM`, `SEQ_CLS`. */
  taskType: string;
  /** Whether the modules store their weights [in, out] (GPT-2's Conv1D) rather than nn.Linear's [out, in]. */
  fanInFanOut: boolean;
  /** transformers' module names, as PEFT matches them (`peftTargets`). */
  targetModules: string[];
  /** Modules saved whole beside the adapters (a classifier's head); omitted when absent. */
  modulesToSave?: string[];
}

/** PEFT's `adapter_config.json` of LoRA adapters of `settings` on the modules of `o`. */
export function peftLoraConfig(settings: LoraSettings, baseModel: string, o: PeftLoraConfigOptions): Record<string, unknown> {
  return {
    peft_type: 'LORA',
    task_type: o.taskType,
    base_model_name_or_path: baseModel,
    r: Math.floor(settings.rank),
    lora_alpha: settings.alpha,
    lora_dropout: settings.dropout ?? 0,
    fan_in_fan_out: o.fanInFanOut,
    bias: 'none',
    target_modules: o.targetModules,
    ...(o.modulesToSave ? { modules_to_save: o.modulesToSave } : {}),
    inference_mode: true,
  };
}

/**
 * The adapters of `lm` as PEFT saves them on `nn.Linear` modules (`fan_in_fan_out` false; BERT's,
 * DistilBERT's): `modulesOf(kernel)` names the modules (without `prefix`) that the kernel's columns
 * split into, side by side (three for a fused q·k·v). Each gets `lora_A.weight` = Aᵀ [r, in], the
 * same for all, and `lora_B.weight` = its column slice of B, transposed, [out_k, r]. Exact: the
 * studio's update of module k is (A·B_k)ᵀ·scale = B_kᵀ·Aᵀ·scale = lora_B·lora_A·scale, PEFT's.
 */
export async function peftLinearAdapterTensors(
  tf: Tf,
  lm: Lm,
  modulesOf: (kernel: string) => string[],
  prefix = 'base_model.model.',
): Promise<TensorToWrite[]> {
  const out: TensorToWrite[] = [];
  const lora = lm.lora;
  for (const [name, a] of lora?.vars ?? []) {
    if (!name.endsWith('.lora_A')) continue;
    const kernel = name.slice(0, -'.lora_A'.length);
    const b = lora?.vars.get(`${kernel}.lora_B`);
    if (!b) throw new Error(`the adapter of ${kernel} has no lora_B`);
    const modules = modulesOf(kernel);
    const [fanIn, rank] = a.shape as [number, number];
    const part = (b.shape[1] as number) / modules.length;
    const parts = tf.tidy(() => [tf.transpose(a), ...tf.split(tf.transpose(b), modules.length, 0)]);
    const values = (await Promise.all(parts.map((t) => t.data()))) as Float32Array[];
    parts.forEach((t) => t.dispose());
    modules.forEach((m, k) =>
      out.push(
        { name: `${prefix}${m}.lora_A.weight`, shape: [rank, fanIn], values: values[0] as Float32Array },
        { name: `${prefix}${m}.lora_B.weight`, shape: [part, rank], values: values[k + 1] as Float32Array },
      ),
    );
  }
  return out;
}

/** PEFT's rule for a list of `target_modules` (tuners_utils `check_target_module_exists`): the name is one, or ends in `.` and one. */
export const peftTargets = (module: string, targets: readonly string[]) => targets.some((t) => module === t || module.endsWith(`.${t}`));

/**
 * `target_modules` that PEFT matches (`peftTargets`) to exactly the `adapted` modules among
 * `modules` (every module name of the model, containers included): for each adapted module, the
 * shortest dotted end of its name, not starting at a layer number, that matches adapted modules alone —
 * `query`, `q_lin`, `attention.output.dense`, or `layer.0.output.dense` where `output.dense` would
 * also take the attention's output — in first-seen order.
 */
export function peftTargetModules(adapted: readonly string[], modules: Iterable<string>): string[] {
  const want = new Set(adapted);
  const all = [...new Set([...modules, ...adapted])];
  const out: string[] = [];
  for (const m of adapted) {
    if (peftTargets(m, out)) continue;
    const parts = m.split('.');
    const ends = parts.map((_, k) => parts.slice(k).join('.')).filter((_, k) => !/^\d+$/.test(parts[k] as string));
    const end = ends.reverse().find((e) => all.every((x) => want.has(x) || !peftTargets(x, [e])));
    if (end === undefined) throw new Error(`no target_modules entry names ${m} alone`);
    out.push(end);
  }
  return out;
}

export const DEFAULT_LORA_TARGETS: readonly LoraTarget[] = ['attn.qkv'];

/** Numbers the adapters of `settings` train on a model of `config`: r·(in + out) per adapted kernel. */
export function loraParamCount(config: LmConfig, settings: LoraSettings): number {
  const rank = Math.max(0, Math.floor(settings.rank));
  const targets = new Set((settings.targets ?? DEFAULT_LORA_TARGETS).map((t) => `${t}.kernel`));
  return paramShapes(config)
    .filter((p) => targets.has(p.name.replace(/^block\d+\./, '')))
    .reduce((n, p) => n + rank * ((p.shape[0] as number) + (p.shape[1] as number)), 0);
}

/**
 * `saved` (from saveLm, which reads the base weights) with the adapters of `lm` merged in
 * (`mergedKernels`): what a format without adapters (the TF.js export) must hold.
 */
export async function mergeLoraInto(tf: Tf, saved: SavedLm, lm: Lm): Promise<SavedLm> {
  const merged = await mergedKernels(tf, lm);
  if (merged.size === 0) return saved;
  const flat = new Float32Array(saved.weights.slice(0));
  let offset = 0;
  for (const spec of saved.weightSpecs) {
    const values = merged.get(spec.name);
    if (values) flat.set(values, offset);
    offset += spec.shape.reduce((a, b) => a * b, 1);
  }
  return { ...saved, weights: flat.buffer };
}
