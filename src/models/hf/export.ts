/**
 * `export.hf`: a fine-tuned imported GPT-2 as the files of a Hugging Face model folder, which
 * transformers' `from_pretrained` loads as it is:
 *
 * - `config.json` and the tokenizer's files exactly as they came (an untied output layer sets
 *   `tie_word_embeddings: false` and adds `lm_head.weight`);
 * - `model.safetensors`: every weight under transformers' names (`transformer.h.0.attn.c_attn.weight`,
 *   Conv1D layout [in, out]), F32, with the adapters merged in (W + A·B·alpha/r);
 * - with adapters, PEFT's own files: `adapter_config.json` and `adapter_model.safetensors`
 *   (`base_model.model.transformer.h.0.attn.c_attn.lora_A.weight` [r, in], `lora_B` [out, r]);
 *
 * and a BERT or DistilBERT classifier as a `*ForSequenceClassification` (encoder-export.ts), with
 * adapters likewise PEFT's files for `task_type: "SEQ_CLS"`: the fused q·k·v split into `query`, `key`,
 * `value` (`q_lin`…), `nn.Linear` layout, and the head as `modules_to_save` — unless the run trained
 * the encoder's own weights too, which no adapter on the base checkpoint carries;
 * - `README.md`, the model card, and `studio-run.json`, the run record: what was trained, how, on what.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { heldEpoch, type TextRunRecord } from '../../engine/run-record';
import { mergedKernels, peftAdapterConfig, peftAdapterTensors } from '../../text/lora';
import type { TextModel } from '../../text/text-model';
import type { LoraSettings } from '../../text/types';
import { distilbertPeftAdapter, distilbertTensors } from './distilbert';
import { bertPeftAdapter, bertTensors, encoderBodyGroup, sequenceClassifierConfig } from './encoder-export';
import { gpt2Name } from './gpt2';
import { writeSafetensors, type TensorToWrite } from './safetensors';

type Tf = typeof tfTypes;

export interface HfExportSource {
  /** The imported model's name (the card's base model; PEFT's `base_model_name_or_path`). */
  name: string;
  config: Record<string, unknown>;
  sideFiles: Record<string, Uint8Array>;
  /** tokenizer.json's model kind (BPE, WordPiece). */
  tokenizerKind?: string;
}

export interface HfExportInfo {
  /** The run's adapters, as trained; null: no adapters. */
  lora: LoraSettings | null;
  /** The model card's body (settings, metrics, provenance), in Markdown. */
  card: string;
  /** The run record, written as studio-run.json. */
  record: unknown;
  /**
   * The groups the run trained (groups.ts), which decide what a classifier's PEFT adapter saves
   * beside the adapters; default: the record's `settings.trainableGroups`.
   */
  trainableGroups?: readonly string[];
}

/** The groups the run of `info` trained; null when neither it nor its record says. */
function trainedGroups(info: HfExportInfo): readonly string[] | null {
  if (info.trainableGroups) return info.trainableGroups;
  const groups = (info.record as { settings?: { trainableGroups?: unknown } } | null)?.settings?.trainableGroups;
  return Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : null;
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value, null, 2) + '\n');

/** The weights of `model` under transformers' GPT-2 names, adapters merged. */
export async function gpt2Tensors(tf: Tf, model: TextModel): Promise<TensorToWrite[]> {
  const merged = await mergedKernels(tf, model.lm);
  const out: TensorToWrite[] = [];
  for (const name of model.lm.names) {
    const v = model.lm.vars.get(name)!;
    const values = merged.get(name) ?? ((await v.data()) as Float32Array);
    out.push({ name: name === 'lm_head' ? 'lm_head.weight' : `transformer.${gpt2Name(name)}`, shape: v.shape.slice(), values });
  }
  return out;
}

/** The files of the export (the caller zips them). */
export async function exportHfModel(
  tf: Tf,
  model: TextModel,
  source: HfExportSource,
  info: HfExportInfo,
): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = { ...source.sideFiles };
  if (model.task === 'text-classification') {
    if (model.lm.config.arch !== 'bert') throw new Error('export.hf writes GPT-2 language models and BERT or DistilBERT classifiers');
    const labels = model.classifier?.labels ?? [];
    const distil = source.config.model_type === 'distilbert';
    const architecture = distil ? 'DistilBertForSequenceClassification' : 'BertForSequenceClassification';
    files['config.json'] = json(sequenceClassifierConfig(source.config, labels, architecture));
    const tensors = await (distil ? distilbertTensors(tf, model) : bertTensors(tf, model));
    files['model.safetensors'] = writeSafetensors(tensors);
    if (info.lora && model.lm.lora) {
      const o = { lora: info.lora, baseModel: source.name, trainableGroups: trainedGroups(info) };
      const peft = await (distil ? distilbertPeftAdapter(tf, model, tensors, o) : bertPeftAdapter(tf, model, tensors, o));
      if (peft) {
        files['adapter_config.json'] = json(peft.config);
        files['adapter_model.safetensors'] = writeSafetensors(peft.tensors);
      }
    }
    files['README.md'] = new TextEncoder().encode(info.card);
    files['studio-run.json'] = json(info.record);
    return files;
  }
  const untied = model.lm.vars.has('lm_head');
  files['config.json'] = untied
    ? json({ ...source.config, tie_word_embeddings: false })
    : (source.sideFiles['config.json'] ?? json(source.config));
  files['model.safetensors'] = writeSafetensors(await gpt2Tensors(tf, model));
  if (info.lora && model.lm.lora) {
    files['adapter_config.json'] = json(peftAdapterConfig(info.lora, source.name));
    files['adapter_model.safetensors'] = writeSafetensors(await peftAdapterTensors(tf, model.lm));
  }
  files['README.md'] = new TextEncoder().encode(info.card);
  files['studio-run.json'] = json(info.record);
  return files;
}

/** The model card of an exported fine-tune: what it started from, how it trained, what it measured — from the run record. */
export function hfModelCard(r: TextRunRecord, baseName: string): string {
  const s = r.settings;
  const held = heldEpoch(r.metrics);
  const generation = r.task === 'text-generation';
  // A classifier's adapter is written unless the encoder's own weights trained too (exportHfModel).
  const adapterAlone = !!s.lora && (generation || !s.trainableGroups.some(encoderBodyGroup));
  const alone = adapterAlone
    ? `; the adapter alone is adapter_model.safetensors${generation ? '' : ', with the head as modules_to_save'}`
    : s.lora
      ? "; the encoder's own weights trained too, which no adapter on the base model carries, so there is no adapter alone"
      : '';
  const lora = s.lora
    ? `LoRA adapters, rank ${s.lora.rank}, alpha ${s.lora.alpha}, dropout ${s.lora.dropout ?? 0}, on ${(s.lora.targets ?? ['attn.qkv']).join(', ')} (merged into model.safetensors${alone})`
    : 'no adapters';
  const lines = [
    '---',
    `base_model: ${baseName}`,
    'library_name: transformers',
    `pipeline_tag: ${r.task}`,
    'tags: [fine-tuning-studio]',
    '---',
    '',
    `# ${baseName}, fine-tuned in the studio`,
    '',
    `Fine-tuned from **${baseName}** in the browser with the fine-tuning studio (run ${r.id}, ${r.backend}).`,
    '',
    '## Training',
    '',
    `- Trained: ${r.trainable.length ? r.trainable.join(', ') : 'no base weights'}; ${lora}.`,
    `- ${r.trainableParams.toLocaleString('en')} trainable parameters.`,
    `- ${r.metrics.epochsCompleted} of ${s.epochs} epochs, batch ${s.batchSize}, ${s.optimizer} at learning rate ${s.learningRate} (${s.schedule.kind}), weight decay ${s.weightDecay}, seed ${r.seed}.`,
    `- Data: ${r.data.train.count} training and ${r.data.val.count} validation ${r.task === 'text-generation' ? 'characters' : `examples, labels ${r.labels.join(', ')}`} (sha256 ${r.data.train.digest.slice(0, 12)}…, ${r.data.val.digest.slice(0, 12)}…).`,
    '',
    '## Measured',
    '',
    `- Validation loss before training: ${r.metrics.initialValLoss?.toFixed(4) ?? 'not measured'} (mean cross-entropy, nats${r.task === 'text-generation' ? ' per token' : ''}).`,
    `- Validation loss of these weights: ${held ? `${held.valLoss.toFixed(4)} (epoch ${held.epoch})` : 'not measured'}.`,
    held?.valAccuracy != null ? `- Validation accuracy: ${held.valAccuracy.toFixed(4)}.` : '',
    '',
    '## Use',
    '',
    '```python',
    `from transformers import ${r.task === 'text-generation' ? 'AutoModelForCausalLM' : 'AutoModelForSequenceClassification'}, AutoTokenizer`,
    `model = ${r.task === 'text-generation' ? 'AutoModelForCausalLM' : 'AutoModelForSequenceClassification'}.from_pretrained("./this-folder")`,
    'tokenizer = AutoTokenizer.from_pretrained("./this-folder")',
    '```',
    '',
    adapterAlone && generation ? 'Or the adapter alone, with PEFT: `PeftModel.from_pretrained(base_model, "./this-folder")`.\n' : '',
    adapterAlone && !generation
      ? `Or the adapter alone, with PEFT, on the base model with this head's ${r.labels.length} labels: \`PeftModel.from_pretrained(AutoModelForSequenceClassification.from_pretrained("${baseName}", num_labels=${r.labels.length}, ignore_mismatched_sizes=True), "./this-folder")\`.\n`
      : '',
  ];
  return lines.join('\n');
}
