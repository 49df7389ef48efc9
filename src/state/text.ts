/**
 * Text tasks: the task picker's choice, the text dataset, the language model's freezing, the run and
 * its results. One store of its own (the image store is left alone while a text task is chosen) and
 * the actions that talk to the worker through the same client as images.
 */
import { create } from 'zustand';
import {
  guessTextColumns,
  ingestTextCorpus,
  ingestTextTable,
  splitTextCorpus,
  splitTextExamples,
  textExamples,
  CORPUS_EXTENSIONS,
  TABLE_EXTENSIONS,
  TextDataError,
  type TextDocument,
  type TextExample,
  type TextExamples,
  type TextTable,
} from '../data/text';
import { StudioError, userMessageOf } from '../lib/errors';
import { paramGroups, presetGroups, countTrainableParams, type ParamGroup } from '../text/groups';
import type { LmConfig } from '../text/model';
import type {
  ClassificationEvaluation,
  Pooling,
  TextEpochMetrics,
  TextOptimizerName,
  TextScheduleKind,
  TextTask,
  TextTrainResult,
  TextTrainSettings,
  TextTrainingData,
} from '../text/types';
import type { TextBaseSummary } from '../worker/text-session';
import { getClient } from './clientHost';
import { ensureReady } from './controller';
import { absolute } from './modelSource';
import { useStudio } from './store';
import type { TrainStatus } from './types';
import { dataDrift, settingsDrift, textDataManifest, type TextRunRecord } from '../engine/run-record';
import { download } from './exporting';
import { newRunId } from './controller';

export type Task = 'image-classification' | TextTask;

export interface TextSettings {
  learningRate: number;
  batchSize: number;
  epochs: number;
  validationSplit: number;
  optimizer: TextOptimizerName;
  weightDecay: number;
  dropout: number;
  schedule: TextScheduleKind;
  earlyStopping: boolean;
  patience: number;
  pooling: Pooling;
  /** Generation: the prompt of the sample written after each epoch. */
  samplePrompt: string;
  temperature: number;
  topK: number;
  maxTokens: number;
}

export const DEFAULT_TEXT_SETTINGS: TextSettings = {
  learningRate: 0.001,
  batchSize: 8,
  epochs: 2,
  validationSplit: 0.1,
  optimizer: 'adam',
  weightDecay: 0,
  dropout: 0,
  schedule: 'constant',
  earlyStopping: false,
  patience: 2,
  pooling: 'mean',
  samplePrompt: 'The ',
  temperature: 0.8,
  topK: 40,
  maxTokens: 120,
};

/**
 * Per-task defaults. A classifier head on cached features learns in a few cheap epochs; dropout 0.3
 * on the features keeps it from memorising a few hundred texts (3-class topic set: 0.756 after 5
 * epochs; see README).
 */
const TASK_DEFAULTS: Record<TextTask, Partial<TextSettings>> = {
  'text-generation': { learningRate: 0.001, epochs: 2, batchSize: 8, dropout: 0, validationSplit: 0.1 },
  'text-classification': { learningRate: 0.01, epochs: 5, batchSize: 16, dropout: 0.3, validationSplit: 0.2 },
};

export interface TextBatchPoint {
  step: number;
  loss: number;
}

export interface TextState {
  task: Task;
  // data
  corpus: TextDocument[];
  table: TextTable | null;
  textColumn: string | null;
  labelColumn: string | null;
  examples: TextExamples | null;
  dataBusy: boolean;
  dataError: string | null;
  // model
  base: TextBaseSummary | null;
  baseState: 'idle' | 'loading' | 'loaded' | 'error';
  baseError: string | null;
  trainable: string[];
  // settings
  settings: TextSettings;
  seed: number;
  // run
  status: TrainStatus;
  runError: string | null;
  runTask: TextTask | null;
  runLabels: string[];
  valExamples: TextExample[];
  initial: TextEpochMetrics | null;
  history: TextEpochMetrics[];
  batches: TextBatchPoint[];
  batchesPerEpoch: number;
  result: TextTrainResult | null;
  /** The run's record, as the worker wrote it: what the export describes. */
  record: TextRunRecord | null;
  // try it
  generated: string | null;
  generating: boolean;
  tryError: string | null;
  classified: { text: string; probabilities: number[] } | null;
  exportError: string | null;
}

const initialRun = {
  status: 'idle' as TrainStatus,
  runError: null,
  runTask: null,
  runLabels: [],
  valExamples: [],
  initial: null,
  history: [],
  batches: [],
  batchesPerEpoch: 0,
  result: null,
  record: null,
  generated: null,
  classified: null,
  tryError: null,
  exportError: null,
};

export const useText = create<TextState>(() => ({
  task: 'image-classification',
  corpus: [],
  table: null,
  textColumn: null,
  labelColumn: null,
  examples: null,
  dataBusy: false,
  dataError: null,
  base: null,
  baseState: 'idle',
  baseError: null,
  trainable: ['head'],
  settings: DEFAULT_TEXT_SETTINGS,
  seed: 1,
  generating: false,
  ...initialRun,
}));

export function isTextTask(task: Task): task is TextTask {
  return task !== 'image-classification';
}

export const TEXT_LM = {
  id: 'text-lm',
  name: 'Studio text LM (byte-level GPT, 4 blocks)',
  url: './models/text-lm/',
  licence: 'pre-trained by this repository (npm run pretrain) on public-domain text; see docs/TEXT-LM.md',
} as const;

function busy(status: TrainStatus): boolean {
  return status === 'loading' || status === 'running' || status === 'stopping';
}

// ---------------------------------------------------------------- task & model

export function chooseTask(task: Task): void {
  const s = useText.getState();
  if (s.task === task || busy(s.status) || busy(useStudio.getState().status)) return;
  const patch: Partial<TextState> = { task, ...initialRun, dataError: null };
  if (isTextTask(task)) {
    patch.settings = { ...s.settings, ...TASK_DEFAULTS[task] };
    patch.trainable = defaultTrainable(task, s.base?.config);
    patch.seed = useStudio.getState().settings.seed;
  }
  useText.setState(patch);
  if (isTextTask(task)) void ensureTextBase();
}

/** Generation fine-tunes the top of the network by default; a classifier starts as a head on frozen features. */
function defaultTrainable(task: TextTask, config: LmConfig | undefined): string[] {
  return task === 'text-generation' && config ? presetGroups(config, { kind: 'top-blocks', blocks: 1 }) : ['head'];
}

let baseGeneration = -1;

/** Starts the backend (if needed) and loads the bundled language model in the worker. */
export async function ensureTextBase(): Promise<boolean> {
  const c = getClient();
  if (baseGeneration === c.generation && useText.getState().baseState === 'loaded') return true;
  useText.setState({ baseState: 'loading', baseError: null });
  if (!(await ensureReady())) {
    useText.setState({ baseState: 'error', baseError: useStudio.getState().backendError ?? 'The compute backend did not start.' });
    return false;
  }
  try {
    const base = await getClient().call({ kind: 'textLoad', url: absolute(TEXT_LM.url), name: TEXT_LM.name });
    baseGeneration = getClient().generation;
    const first = useText.getState().base === null;
    useText.setState({ base, baseState: 'loaded' });
    const task = useText.getState().task;
    if (first && isTextTask(task)) useText.setState({ trainable: defaultTrainable(task, base.config) });
    return true;
  } catch (err) {
    useText.setState({ baseState: 'error', baseError: userMessageOf(err) });
    return false;
  }
}

/** The parameter groups of the model the current task trains (classification: with a head for the labels). */
export function textGroups(config: LmConfig | undefined, task: Task, labels: number): ParamGroup[] {
  if (!config || !isTextTask(task)) return [];
  // Generation fine-tunes an untied output head (a copy of the embeddings, see text/text-model.ts).
  const c = task === 'text-generation' ? { ...config, tiedHead: false } : config;
  return paramGroups(c, task, Math.max(2, labels));
}

export function setTextTrainable(groups: string[]): void {
  if (busy(useText.getState().status)) return;
  useText.setState({ trainable: groups });
}

export function toggleTextGroup(group: string, on: boolean): void {
  const s = useText.getState();
  const set = new Set(s.trainable);
  if (on) set.add(group);
  else set.delete(group);
  setTextTrainable([...set]);
}

export function textTrainableParams(s: TextState): number {
  const labels = s.examples?.labels.length ?? 2;
  return countTrainableParams(textGroups(s.base?.config, s.task, labels), s.trainable);
}

// ---------------------------------------------------------------- data

const extOf = (name: string) => /\.([^.]+)$/.exec(name.toLowerCase())?.[1] ?? '';

/**
 * Adds text files: for generation, .txt/.md/.jsonl documents join the corpus; for classification,
 * one .csv/.tsv/.jsonl table replaces the table. A refused file leaves what was loaded as it was.
 */
export async function addTextFiles(files: File[]): Promise<void> {
  const s = useText.getState();
  if (!isTextTask(s.task) || files.length === 0 || s.dataBusy || busy(s.status)) return;
  useText.setState({ dataBusy: true, dataError: null });
  try {
    if (s.task === 'text-generation') {
      const wrong = files.find((f) => !(CORPUS_EXTENSIONS as readonly string[]).includes(extOf(f.name)));
      if (wrong) {
        throw new StudioError(
          'dataset-invalid',
          `“${wrong.name}” is not a text file the language model can learn from. Add .txt, .md or .jsonl files (for a CSV of texts and labels, choose “Text classification” above).`,
        );
      }
      const docs = await ingestTextCorpus(files);
      const names = new Set(docs.map((d) => d.name));
      useText.setState({ corpus: [...useText.getState().corpus.filter((d) => !names.has(d.name)), ...docs] });
    } else {
      const file = files.find((f) => (TABLE_EXTENSIONS as readonly string[]).includes(extOf(f.name)));
      if (!file) {
        throw new StudioError(
          'dataset-invalid',
          `${files.length === 1 ? `“${files[0]?.name}” is` : 'These files are'} not a table of texts and labels. Add a .csv, .tsv or .jsonl file with a text column and a label column.`,
        );
      }
      const table = await ingestTextTable(file);
      // More data for the same task keeps the chosen columns: a table without them is refused
      // (naming the missing column) and the loaded one stays. After Clear, columns are guessed anew.
      const kept = s.table && s.textColumn && s.labelColumn ? { textColumn: s.textColumn, labelColumn: s.labelColumn } : null;
      const guess = kept ?? guessTextColumns(table);
      const textColumn = guess.textColumn ?? table.columns[0] ?? null;
      const labelColumn = guess.labelColumn ?? table.columns.find((c) => c !== textColumn) ?? null;
      // Built before it replaces anything: a table that cannot give examples keeps the old one.
      const examples = textColumn && labelColumn ? textExamples(table, { textColumn, labelColumn }) : null;
      useText.setState({ table, textColumn, labelColumn, examples });
    }
  } catch (err) {
    const kept = useText.getState().table;
    const missing = err instanceof TextDataError && err.reason === 'missing-column';
    const hint =
      kept && s.task === 'text-classification'
        ? ` The table already loaded (${kept.name}) is kept${missing ? '; to use a table with other columns, press Clear first' : ''}.`
        : '';
    useText.setState({ dataError: userMessageOf(err) + hint });
  } finally {
    useText.setState({ dataBusy: false });
  }
}

/** Chooses the text or label column; a column the table lacks is an alert and the old choice stays. */
export function chooseColumns(textColumn: string, labelColumn: string): void {
  const s = useText.getState();
  if (!s.table || busy(s.status)) return;
  try {
    const examples = textExamples(s.table, { textColumn, labelColumn });
    useText.setState({ textColumn, labelColumn, examples, dataError: null });
  } catch (err) {
    useText.setState({ dataError: userMessageOf(err) });
  }
}

export function clearTextData(): void {
  if (busy(useText.getState().status)) return;
  useText.setState({ corpus: [], table: null, textColumn: null, labelColumn: null, examples: null, dataError: null });
}

export async function loadTextSample(): Promise<void> {
  const s = useText.getState();
  if (!isTextTask(s.task)) return;
  try {
    if (s.task === 'text-generation') {
      const base = absolute('./samples/text/');
      const manifest = (await (await fetch(new URL('manifest.json', base))).json()) as { files: string[] };
      const files = await Promise.all(
        manifest.files.map(async (name) => new File([await (await fetch(new URL(name, base))).blob()], name, { type: 'text/plain' })),
      );
      await addTextFiles(files);
    } else {
      const res = await fetch(absolute('./samples/spam-ham.csv'));
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      await addTextFiles([new File([await res.blob()], 'spam-ham.csv', { type: 'text/csv' })]);
    }
  } catch {
    useText.setState({
      dataError: 'The sample dataset could not be loaded. Check that the studio was built with `npm run build`, then reload.',
    });
  }
}

export function updateTextSettings(patch: Partial<TextSettings>): void {
  useText.setState({ settings: { ...useText.getState().settings, ...patch } });
}

/** Why training cannot start now, or null. */
export function textStartBlocker(s: TextState): string | null {
  if (!isTextTask(s.task)) return 'Choose a text task.';
  if (s.baseState !== 'loaded') return 'The language model is still loading.';
  if (s.trainable.length === 0) return 'Choose at least one part of the model to train.';
  if (s.task === 'text-generation' && s.corpus.length === 0) return 'Add text files (.txt, .md or .jsonl) in step 1.';
  if (s.task === 'text-classification') {
    if (!s.examples) return 'Add a table of texts and labels in step 1.';
    if (s.examples.labels.length < 2) return 'A classifier needs at least two labels.';
  }
  return null;
}

// ---------------------------------------------------------------- training

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
    sample:
      task === 'text-generation'
        ? { prompt: st.samplePrompt, maxTokens: Math.min(st.maxTokens, 160), temperature: st.temperature, topK: st.topK, seed: s.seed }
        : null,
  };
}

let unsubscribe: (() => void) | null = null;

function listen(): void {
  unsubscribe?.();
  unsubscribe = getClient().onEvent((e) => {
    if (e.type === 'run' && e.record.task !== 'image-classification') {
      useText.setState({ record: e.record, runLabels: e.record.labels });
      return;
    }
    if (e.type !== 'text') return;
    const ev = e.event;
    const st = useText.getState();
    switch (ev.type) {
      case 'initial':
        useText.setState({
          initial: ev.metrics,
          batchesPerEpoch: ev.batchesPerEpoch,
          status: st.status === 'loading' ? 'running' : st.status,
        });
        return;
      case 'batch':
        useText.setState({ batches: [...st.batches, { step: ev.step, loss: ev.loss }], batchesPerEpoch: ev.batches });
        return;
      case 'epoch':
        useText.setState({ history: [...st.history.filter((h) => h.epoch !== ev.metrics.epoch), ev.metrics] });
        return;
      case 'done':
        return;
    }
  });
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

export async function startTextTraining(): Promise<void> {
  const s = useText.getState();
  if (busy(s.status) || textStartBlocker(s) || !isTextTask(s.task)) return;
  const task = s.task;
  let prepared: PreparedTextData;
  try {
    prepared = textTrainingData(s, task);
  } catch (err) {
    useText.setState({ runError: userMessageOf(err), status: 'error' });
    return;
  }
  const { labels, valExamples, data } = prepared;
  useText.setState({ ...initialRun, status: 'loading', runTask: task, runLabels: labels, valExamples });
  if (!(await ensureTextBase())) {
    useText.setState({ status: 'error', runError: useText.getState().baseError ?? 'The language model could not be loaded.' });
    return;
  }
  listen();
  try {
    const run = {
      id: newRunId(),
      model: { id: TEXT_LM.id, name: TEXT_LM.name, licence: TEXT_LM.licence, source: 'bundled' },
      validationSplit: s.settings.validationSplit,
    };
    const { record, ...result } = await getClient().call({
      kind: 'textTrain',
      settings: textTrainSettings(useText.getState(), task),
      labels,
      data,
      run,
    });
    useText.setState({ result, record, status: 'done' });
  } catch (err) {
    if (err instanceof StudioError && err.code === 'cancelled') {
      useText.setState({ status: 'idle' });
      return;
    }
    useText.setState({ status: 'error', runError: userMessageOf(err) });
  }
}

export async function stopTextTraining(): Promise<void> {
  const s = useText.getState();
  if (s.status !== 'running' && s.status !== 'loading') return;
  useText.setState({ status: 'stopping' });
  await getClient()
    .call({ kind: 'stop' })
    .catch(() => undefined);
}

// ---------------------------------------------------------------- try it & export

export async function generateText(prompt: string): Promise<void> {
  const s = useText.getState();
  if (!s.result || s.runTask !== 'text-generation' || s.generating) return;
  useText.setState({ generating: true, tryError: null });
  try {
    const { text } = await getClient().call({
      kind: 'textGenerate',
      prompt,
      maxTokens: s.settings.maxTokens,
      temperature: s.settings.temperature,
      topK: s.settings.topK,
      seed: s.seed,
    });
    useText.setState({ generated: text });
  } catch (err) {
    useText.setState({ tryError: userMessageOf(err) });
  } finally {
    useText.setState({ generating: false });
  }
}

export async function classifyText(text: string): Promise<void> {
  const s = useText.getState();
  if (!s.result || s.runTask !== 'text-classification') return;
  if (text.trim() === '') {
    useText.setState({ tryError: 'Type or paste some text to classify.' });
    return;
  }
  try {
    const { probabilities } = await getClient().call({ kind: 'textClassify', texts: [text] });
    useText.setState({ classified: { text, probabilities: probabilities[0] ?? [] }, tryError: null });
  } catch (err) {
    useText.setState({ tryError: userMessageOf(err) });
  }
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

/** Downloads the fine-tuned text model as one zip (model.json, weights.bin, tokenizer.json, metadata.json, README.md, lm.js). */
export async function exportTextZip(): Promise<void> {
  const s = useText.getState();
  if (!s.result || !s.record) return;
  useText.setState({ exportError: null });
  try {
    // The worker writes metadata.json and the model card from the run's record, not from this screen.
    const { files } = await getClient().call({ kind: 'textExport' });
    const { zipSync } = await import('fflate');
    const zip = zipSync(Object.fromEntries(files.map((f) => [f.name, new Uint8Array(f.data)])));
    download(
      new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }),
      s.record.task === 'text-generation' ? 'text-generator.zip' : 'text-classifier.zip',
    );
  } catch (err) {
    useText.setState({ exportError: userMessageOf(err) });
  }
}

/** What changed since the text run trained (settings on screen, the data), as short phrases; empty when nothing did. */
export async function textRunDrift(s: TextState): Promise<string[]> {
  const r = s.record;
  if (!r) return [];
  const changes = settingsDrift(r.settings, textTrainSettings(s, r.task));
  try {
    const { labels, data } = textTrainingData(s, r.task);
    changes.push(...dataDrift(r.data, await textDataManifest(data, labels, s.settings.validationSplit)));
  } catch {
    changes.push('the data changed');
  }
  return changes;
}
