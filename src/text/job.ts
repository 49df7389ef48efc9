/**
 * The start of a text-generation run handed to PyTorch (`export.job`, src/job/README.md): the model
 * exactly as a run here would start training it, as the studio's text export (src/text/export.ts, so
 * the job's train_lm.py only rewrites weights.bin and metadata.json into its model.zip), the tokens
 * the run's windows are cut from, and what trains by name. Plain code: the worker calls it, tests too.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { TextRunRecord } from '../engine/run-record';
import { StudioError } from '../lib/errors';
import { exportTextModel, type TextExportInfo } from './export';
import { countTrainableParams } from './groups';
import { runContext } from './finetune';
import { textModelGroups, type TextModel } from './text-model';
import type { TextTrainSettings, TextTrainingData } from './types';

type Tf = typeof tfTypes;

export interface TextJobStart {
  /** The starting model as the studio's text export writes it (model.json, weights.bin, tokenizer.json, lm.js…). */
  files: { name: string; data: ArrayBuffer }[];
  /** The record a run started here would write (metrics empty, `trainableParams` set). */
  record: TextRunRecord;
  /** The head group's variables (none when the output stays tied to the token embedding). */
  head: string[];
  /** The other trained groups, top first, as gradual unfreezing opens them. */
  parts: { name: string; variables: string[] }[];
  /** Tokens a window reads (the run's context, at most the model's), and the padding id. */
  contextLength: number;
  pad: number;
  /** The tokenizer's ids of the training and validation text. */
  ids: { train: Int32Array; validation: Int32Array };
}

/** Why a text run cannot be handed to PyTorch, as a sentence; null when it can. */
export function textJobProblem(settings: Pick<TextTrainSettings, 'task' | 'lora'>): string | null {
  if (settings.task !== 'text-generation') return 'Training jobs cover text generation, not text classification, so far.';
  if (settings.lora) return 'Training jobs do not train LoRA adapters yet: turn LoRA off in step 2 to export this run as a job.';
  return null;
}

/**
 * The job's start for `model`, a fresh copy of the pre-trained model as the run would train it
 * (createTextModel: its own untied head), on `data`. `record` is the record the run would start
 * with; `info` goes to the starting export's metadata and model card.
 */
export async function textJobStart(
  tf: Tf,
  model: TextModel,
  settings: TextTrainSettings,
  data: TextTrainingData,
  record: TextRunRecord,
  info: TextExportInfo = {},
): Promise<TextJobStart> {
  const problem = textJobProblem(settings);
  if (problem) throw new StudioError('unsupported', problem);
  if (data.task !== 'text-generation' || model.task !== 'text-generation') {
    throw new StudioError('internal', 'A text-generation job needs a generation model and its text.');
  }
  const train = model.tokenizer.encode(data.train);
  const validation = model.tokenizer.encode(data.validation);
  if (train.length < 2) throw new StudioError('dataset-empty', 'The training text is empty. Add more text and try again.');
  if (validation.length < 2)
    throw new StudioError('dataset-empty', 'The validation text is empty. Add more text or hold out a larger share for validation.');
  const groups = textModelGroups(model);
  const chosen = new Set(settings.trainableGroups);
  for (const name of chosen) {
    if (!groups.some((g) => g.name === name)) throw new StudioError('internal', `Unknown parameter group ${name}.`);
  }
  const trained = groups.filter((g) => chosen.has(g.name));
  const head = trained.filter((g) => g.name === 'head').flatMap((g) => g.variables);
  const parts = trained
    .filter((g) => g.name !== 'head')
    .reverse()
    .map((g) => ({ name: g.name, variables: [...g.variables] }));
  if (head.length === 0 && parts.length === 0) {
    throw new StudioError('training-failed', 'Nothing would train: choose at least one part of the model to train.');
  }
  const files = await exportTextModel(tf, model, { settings, ...info });
  return {
    files: Object.entries(files).map(([name, bytes]) => ({
      name,
      data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    })),
    record: { ...record, trainable: [...settings.trainableGroups], trainableParams: countTrainableParams(groups, chosen) },
    head,
    parts,
    contextLength: runContext(model, settings),
    pad: model.tokenizer.pad,
    ids: { train, validation },
  };
}
