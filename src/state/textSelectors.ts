/** Derived values of the text tasks: pure functions of the `text` state (see textSlice.ts). */
import { splitTextCorpus, splitTextExamples, type TextExample } from '../data/text';
import { StudioError } from '../lib/errors';
import { paramGroups, countTrainableParams, type ParamGroup } from '../text/groups';
import { HF_TASK } from '../models/hf/tasks';
import { loraParamCount } from '../text/lora';
import type { TextBaseSummary } from '../worker/text-session';
import type { ClassificationEvaluation, LoraSettings, TextTask, TextTrainSettings, TextTrainingData } from '../text/types';
import { isTextTask } from './textSlice';
import type { Task, TextState, TrainStatus } from './types';

/** A text run is under way (text runs are never paused: they have no checkpoints to resume). */
export function isTextBusy(status: TrainStatus): boolean {
  return status === 'loading' || status === 'running' || status === 'stopping';
}

/** The parameter groups of the model the current task trains (classification: with a head for the labels). */
export function textGroups(base: TextBaseSummary | null | undefined, task: Task, labels: number): ParamGroup[] {
  if (!base || !isTextTask(task)) return [];
  // Generation fine-tunes an untied output head (a copy of the embeddings, see text/text-model.ts);
  // an imported checkpoint stays tied, as it exports.
  const c = task === 'text-generation' && base.source !== 'hf' ? { ...base.config, tiedHead: false } : base.config;
  return paramGroups(c, task, Math.max(2, labels));
}

/** The adapters a run would train now, or null. */
export function textLora(s: TextState): LoraSettings | null {
  const st = s.settings;
  return st.lora ? { rank: st.loraRank, alpha: st.loraAlpha, dropout: st.loraDropout, targets: [...st.loraTargets] } : null;
}

export function textTrainableParams(s: TextState): number {
  const labels = s.examples?.labels.length ?? 2;
  const lora = textLora(s);
  const adapters = lora && s.base ? loraParamCount(s.base.config, lora) : 0;
  return countTrainableParams(textGroups(s.base, s.task, labels), s.trainable) + adapters;
}

/**
 * Rough float32 bytes one training step holds for a batch: weights, the trained numbers' gradients
 * and Adam moments, and the activations the backward pass keeps (about 16 tensors of [B·T, width]
 * per block, attention scores [B·heads, T, T] per block, logits [B·T, vocab] three times).
 */
export function textStepMemory(s: TextState): number | null {
  const b = s.base;
  if (!b) return null;
  const { blocks, width, heads, vocabSize, mlpRatio } = b.config;
  const T = Math.min(b.config.contextLength, s.settings.contextLength ?? b.config.contextLength);
  const rows = Math.max(1, s.settings.batchSize) * T;
  const activations =
    blocks * (rows * width * (10 + 2 * mlpRatio) + 3 * Math.max(1, s.settings.batchSize) * heads * T * T) + 3 * rows * vocabSize;
  return 4 * (b.parameters + 3 * textTrainableParams(s) + activations);
}

/** Why training cannot start now, or null. */
export function textStartBlocker(s: TextState): string | null {
  if (!isTextTask(s.task)) return 'Choose a text task.';
  if (s.baseState !== 'loaded') return 'The language model is still loading.';
  if (s.trainable.length === 0 && !s.settings.lora) return 'Choose at least one part of the model to train, or train adapters (LoRA).';
  if (s.settings.lora && s.settings.loraTargets.length === 0) return 'Choose at least one kind of layer for the adapters.';
  if (s.base?.source === 'hf' && s.base.architecture) {
    const own = HF_TASK[s.base.architecture];
    if (s.task !== own)
      return own === 'text-generation'
        ? `${s.base.name} generates text: choose Text generation, or the bundled model to classify.`
        : `${s.base.name} classifies text: choose Text classification, or the bundled model to generate.`;
  }
  if (s.task === 'text-generation' && s.corpus.length === 0) return 'Add text files (.txt, .md or .jsonl) in step 1.';
  if (s.task === 'text-classification') {
    if (!s.examples) return 'Add a table of texts and labels in step 1.';
    if (s.examples.labels.length < 2) return 'A classifier needs at least two labels.';
  }
  return null;
}

/** The settings a text run would be sent now. */
export function textTrainSettings(s: TextState, task: TextTask): TextTrainSettings {
  const st = s.settings;
  return {
    task,
    seed: s.seed,
    epochs: st.epochs,
    batchSize: st.batchSize,
    learningRate: st.learningRate,
    optimizer: st.optimizer,
    weightDecay: st.weightDecay,
    schedule: { kind: st.schedule },
    dropout: st.dropout,
    trainableGroups: s.trainable,
    pooling: st.pooling,
    earlyStopping: st.earlyStopping ? { patience: st.patience, restoreBest: true } : null,
    lora: textLora(s),
    contextLength: st.contextLength,
    sample:
      task === 'text-generation'
        ? {
            prompt: st.samplePrompt,
            maxTokens: Math.min(st.maxTokens, 160),
            temperature: st.temperature,
            topK: st.topK,
            topP: st.topP,
            seed: s.seed,
          }
        : null,
  };
}

export interface PreparedTextData {
  labels: string[];
  valExamples: TextExample[];
  data: TextTrainingData;
}

/** The seeded split of the current text data, as the worker is sent it (throws when it cannot be split). */
export function textTrainingData(s: TextState, task: TextTask): PreparedTextData {
  if (task === 'text-generation') {
    const split = splitTextCorpus(s.corpus, s.settings.validationSplit, s.seed);
    return {
      labels: [],
      valExamples: [],
      data: { task, train: split.train.map((d) => d.text).join('\n'), validation: split.val.map((d) => d.text).join('\n') },
    };
  }
  const ex = s.examples;
  if (!ex) throw new StudioError('dataset-empty', 'Add a table of texts and labels in step 1.');
  const labels = ex.labels;
  const split = splitTextExamples(ex.examples, s.settings.validationSplit, s.seed);
  const index = new Map(labels.map((l, i) => [l, i]));
  return {
    labels,
    valExamples: split.val,
    data: {
      task,
      train: split.train.map((e) => ({ text: e.text, label: index.get(e.label) ?? 0 })),
      validation: split.val.map((e) => ({ text: e.text, label: index.get(e.label) ?? 0 })),
    },
  };
}

/** Confusion matrix [actual][predicted] of a classification evaluation. */
export function textConfusion(ev: ClassificationEvaluation, k: number): number[][] {
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  ev.labels.forEach((actual, i) => {
    const row = m[actual];
    const p = ev.predicted[i] ?? 0;
    if (row) row[p] = (row[p] ?? 0) + 1;
  });
  return m;
}
