/**
 * Writing a fine-tuned encoder classifier (BERT, DistilBERT) back in transformers' names and layouts:
 * shared by export.ts (BERT) and distilbert.ts.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { mergedKernels, peftLinearAdapterTensors, peftLoraConfig, peftTargetModules } from '../../text/lora';
import type { TextModel } from '../../text/text-model';
import type { LoraSettings } from '../../text/types';
import { bertNames, transpose2d } from './bert';
import type { TensorToWrite } from './safetensors';

type Tf = typeof tfTypes;

/**
 * An encoder classifier's weights under transformers' names (`namesOf` gives them for each studio
 * parameter: one, or three for the fused q·k·v, split back), `nn.Linear` layout [out, in], adapters
 * merged, and its head as `classifier` — BERT's and DistilBERT's.
 */
export async function encoderClassifierTensors(
  tf: Tf,
  model: TextModel,
  namesOf: (studioName: string) => string[],
): Promise<TensorToWrite[]> {
  const head = model.classifier;
  if (!head?.plain) throw new Error('an encoder export needs its classifier head on the pooled output');
  const merged = await mergedKernels(tf, model.lm);
  const out: TensorToWrite[] = [];
  for (const name of model.lm.names) {
    const v = model.lm.vars.get(name)!;
    const values = merged.get(name) ?? ((await v.data()) as Float32Array);
    const names = namesOf(name);
    if (!name.endsWith('.kernel')) {
      const size = values.length / names.length;
      names.forEach((n, k) =>
        out.push({ name: n, shape: names.length > 1 ? [size] : v.shape.slice(), values: values.slice(k * size, (k + 1) * size) }),
      );
      continue;
    }
    const [fanIn, fanOut] = v.shape as [number, number];
    const part = fanOut / names.length;
    names.forEach((n, k) => {
      const slice = new Float32Array(fanIn * part);
      for (let i = 0; i < fanIn; i++) slice.set(values.subarray(i * fanOut + k * part, i * fanOut + (k + 1) * part), i * part);
      out.push({ name: n, shape: [part, fanIn], values: transpose2d(slice, fanIn, part) });
    });
  }
  const [H, K] = head.kernel.shape as [number, number];
  out.push(
    { name: 'classifier.weight', shape: [K, H], values: transpose2d((await head.kernel.data()) as Float32Array, H, K) },
    { name: 'classifier.bias', shape: [K], values: (await head.bias.data()) as Float32Array },
  );
  return out;
}

/** transformers' names of a studio BERT parameter in a BertForSequenceClassification (`bert.…`): three for the fused q·k·v. */
const bertClassifierNames = (studioName: string) => bertNames(studioName).map((x) => `bert.${x}`);

/** A BERT classifier's weights (`bert.` encoder, `classifier` head). */
export const bertTensors = (tf: Tf, model: TextModel) => encoderClassifierTensors(tf, model, bertClassifierNames);

/** What an encoder classifier's PEFT adapter is written from. */
export interface EncoderPeftOptions {
  /** The run's adapters, as trained. */
  lora: LoraSettings;
  /** PEFT's `base_model_name_or_path`. */
  baseModel: string;
  /** The groups the run trained (groups.ts); null: not known (the encoder's own weights are taken as frozen). */
  trainableGroups: readonly string[] | null;
}

/** PEFT's two files, as data: `adapter_config.json` and the tensors of `adapter_model.safetensors`. */
export interface PeftAdapterFiles {
  config: Record<string, unknown>;
  tensors: TensorToWrite[];
}

/** The groups whose weights no adapter on the base checkpoint carries: the encoder's own (its embeddings and blocks). */
export const encoderBodyGroup = (group: string) => group === 'embeddings' || /^block_\d+$/.test(group);

/** The modules a tensor lies in, outermost first: `bert.pooler.dense.weight` → `bert`, `bert.pooler`, `bert.pooler.dense`. */
function parentModules(tensor: string): string[] {
  const parts = tensor.split('.');
  return parts.slice(0, -1).map((_, k) => parts.slice(0, k + 1).join('.'));
}

/**
 * An encoder classifier's adapters as PEFT's `PeftModelForSequenceClassification.save_pretrained`
 * writes them (`task_type: "SEQ_CLS"`): `base_model.model.<module>.lora_A.weight` [r, in] and
 * `lora_B.weight` [out, r] on each `nn.Linear` module (`namesOf` gives the modules' weights, the fused
 * q·k·v as three sharing A: `peftLinearAdapterTensors`), and each module of `modulesToSave` whole, as
 * PEFT's ModulesToSaveWrapper saves it: every module whose name ends with one of them (PEFT's
 * `_set_trainable` matches by `str.endswith`, so `classifier` also takes DistilBERT's `pre_classifier`)
 * under `base_model.model.<its name>.<its tensor>`, without the adapter's name (`default`) — the
 * values taken from `merged`, the export's own model.safetensors tensors. Null when the run also
 * trained the encoder's own weights (embeddings, blocks): an adapter on the base checkpoint would not
 * give this model.
 */
export async function encoderPeftAdapter(
  tf: Tf,
  model: TextModel,
  merged: readonly TensorToWrite[],
  namesOf: (studioName: string) => string[],
  modulesToSave: string[],
  o: EncoderPeftOptions,
): Promise<PeftAdapterFiles | null> {
  if (!model.lm.lora || o.trainableGroups?.some(encoderBodyGroup)) return null;
  const moduleOf = (weight: string) => weight.replace(/\.weight$/, '');
  const tensors = await peftLinearAdapterTensors(tf, model.lm, (kernel) => namesOf(kernel).map(moduleOf));
  const adapted = [...new Set(tensors.map((t) => t.name.slice('base_model.model.'.length, -'.lora_A.weight'.length)))];
  // Every module of the model, containers included; PEFT saves whole each one whose name ends with one of modulesToSave.
  const modules = new Set(merged.flatMap((t) => parentModules(t.name)));
  const saved = (tensor: string) => parentModules(tensor).some((p) => modulesToSave.some((m) => p.endsWith(m)));
  for (const t of merged) if (saved(t.name)) tensors.push({ ...t, name: `base_model.model.${t.name}` });
  const config = peftLoraConfig(o.lora, o.baseModel, {
    taskType: 'SEQ_CLS',
    fanInFanOut: false,
    targetModules: peftTargetModules(adapted, modules),
    modulesToSave,
  });
  return { config, tensors };
}

/**
 * A BERT classifier's PEFT adapter (`encoderPeftAdapter`): `bert.encoder.layer.{i}.attention.self.query`…,
 * and as modules_to_save the `classifier`, and the `pooler` when the run trained it (or may have: not known).
 */
export function bertPeftAdapter(tf: Tf, model: TextModel, merged: readonly TensorToWrite[], o: EncoderPeftOptions) {
  const pooler = o.trainableGroups ? o.trainableGroups.includes('pooler') : true;
  return encoderPeftAdapter(tf, model, merged, bertClassifierNames, [...(pooler ? ['pooler'] : []), 'classifier'], o);
}

/** config.json of a fine-tuned encoder classifier: the imported one, as `architecture` (a transformers class) of these labels. */
export function sequenceClassifierConfig(
  config: Record<string, unknown>,
  labels: readonly string[],
  architecture: string,
): Record<string, unknown> {
  return {
    ...config,
    architectures: [architecture],
    id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
    problem_type: 'single_label_classification',
  };
}
