/**
 * How the text classification defaults do, and what alternatives do, on the built-in spam/ham sample
 * and on the 3-class paragraph topic set: trains the bundled language model's classifier in Node on
 * WASM (the engine of the studio's worker) with the studio's split (`splitTextExamples`, 20 %
 * validation) for every seed, and prints validation accuracy after given epoch counts.
 *
 *   npx tsx scripts/text-defaults-study.ts [--data=spam,topics] [--seeds=1,2,3,4,5] [--epochs=5,10,20,40] [name ...]
 *   npx tsx scripts/text-defaults-study.ts --task=generation [--data=moby,emails] [--seeds=1] [name ...]
 *
 * Head-only configurations share one feature cache per dataset (the features of a text under the
 * frozen body do not depend on the split or the settings), so each adds seconds. With a constant
 * rate and no early stopping, the first N epochs of a longer run are the run of N epochs, so one run
 * per configuration and seed gives every epoch count.
 *
 * Generation: the studio's defaults (the top block, the final norm and the head train; Adam 0.001,
 * constant, 2 epochs, batch 8, 10 % of the documents held out) on the Moby Dick sample (the book the
 * model was pre-trained on) and on the sample's 200 ham e-mails (text it never saw); prints the
 * validation loss before and after, and the reduction (the bar on unseen text: ≥ 10 %).
 */
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { nodeModuleFiles, startNodeBackend } from './lib/node-tf';
import { loadPretrained, topicSet, type TextBaseModel } from './lib/text-sets';
import { parseTextTable } from '../src/data/text-table';
import { splitTextExamples } from '../src/data/text-split';
import type { TextExample } from '../src/data/text-types';
import { createTextFeatureCache, runTextTraining, type TextFeatureCache } from '../src/text/finetune';
import { createTextModel, disposeTextModel } from '../src/text/text-model';
import type { TextTrainSettings } from '../src/text/types';
import { DEFAULT_TEXT_SETTINGS, TEXT_TASK_DEFAULTS } from '../src/state/textSlice';
import { splitTextCorpus } from '../src/data/text-split';
import type { TextDocument } from '../src/data/text-types';
import { presetGroups } from '../src/text/groups';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const files = nodeModuleFiles(path.join(root, 'node_modules'));
const flag = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const names = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const datasets = flag('data', 'spam,topics').split(',');
const seeds = flag('seeds', '1,2,3,4,5').split(',').map(Number);
const checkpoints = flag('epochs', '5,10,20,40').split(',').map(Number);
const maxEpochs = Math.max(...checkpoints);

const studio = { ...DEFAULT_TEXT_SETTINGS, ...TEXT_TASK_DEFAULTS['text-classification'] };
type Config = Partial<
  Pick<TextTrainSettings, 'learningRate' | 'batchSize' | 'dropout' | 'weightDecay' | 'optimizer' | 'trainableGroups' | 'pooling'>
>;
const CONFIGS: Record<string, Config> = {
  defaults: {},
  'lr-0.01': { learningRate: 0.01 },
  'lr-0.003': { learningRate: 0.003 },
  'lr-0.03': { learningRate: 0.03 },
  'lr-0.001': { learningRate: 0.001 },
  'dropout-0.1': { dropout: 0.1 },
  'dropout-0.5': { dropout: 0.5 },
  'batch-32': { batchSize: 32 },
  'adamw-0.01': { optimizer: 'adamw', weightDecay: 0.01 },
  'lr-0.003-dropout-0.5': { learningRate: 0.003, dropout: 0.5 },
  'last-token': { pooling: 'last' },
};

function spamExamples(): TextExample[] {
  const table = parseTextTable(readFileSync(path.join(root, 'public/samples/spam-ham.csv'), 'utf8'), 'spam-ham.csv', 'csv');
  return table.rows.map((r, i) => ({ id: `row-${i}`, text: r.text as string, label: r.label as string }));
}

function topicExamples(): TextExample[] {
  const set = topicSet(files, 1234);
  return [...set.train, ...set.validation].map((e, i) => ({ id: `p-${i}`, text: e.text, label: set.classes[e.label]!.label }));
}

async function runOne(base: TextBaseModel, examples: TextExample[], seed: number, config: Config, cache: TextFeatureCache) {
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const split = splitTextExamples(examples, studio.validationSplit, seed);
  const index = new Map(labels.map((l, i) => [l, i]));
  const toLabelled = (xs: TextExample[]) => xs.map((e) => ({ text: e.text, label: index.get(e.label) ?? 0 }));
  const settings: TextTrainSettings = {
    task: 'text-classification',
    seed,
    epochs: maxEpochs,
    batchSize: studio.batchSize,
    learningRate: studio.learningRate,
    optimizer: studio.optimizer,
    weightDecay: studio.weightDecay,
    schedule: { kind: 'constant' },
    dropout: studio.dropout,
    trainableGroups: ['head'],
    pooling: studio.pooling,
    ...config,
  };
  const model = createTextModel(
    tf,
    { ...base.saved, weights: base.saved.weights.slice(0) },
    {
      task: 'text-classification',
      labels,
      pooling: settings.pooling ?? 'mean',
      seed,
    },
    base.tokenizer,
  );
  try {
    const r = await runTextTraining(
      tf,
      model,
      { task: 'text-classification', train: toLabelled(split.train), validation: toLabelled(split.val) },
      settings,
      () => {},
      { features: cache },
    );
    return checkpoints.map((n) => r.history.find((h) => h.epoch === n)?.valAccuracy ?? Number.NaN);
  } finally {
    disposeTextModel(model);
  }
}

const GENERATION: Record<string, Partial<TextTrainSettings> & { blocks?: number }> = {
  defaults: {},
  'lr-0.003': { learningRate: 0.003 },
  'two-blocks': { blocks: 2 },
};

function documents(data: string): TextDocument[] {
  const doc = (name: string, text: string): TextDocument => ({ name, text, bytes: Buffer.byteLength(text) });
  if (data === 'moby') {
    const dir = path.join(root, 'public/samples/text');
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { files: string[] };
    return manifest.files.map((f) => doc(f, readFileSync(path.join(dir, f), 'utf8')));
  }
  return spamExamples()
    .filter((e) => e.label === 'ham')
    .map((e) => doc(e.id, e.text));
}

async function generation(base: TextBaseModel): Promise<void> {
  const gen = { ...DEFAULT_TEXT_SETTINGS, ...TEXT_TASK_DEFAULTS['text-generation'] };
  console.log(`generation defaults: lr ${gen.learningRate}, batch ${gen.batchSize}, ${gen.epochs} epochs, top block trains`);
  for (const data of flag('data', 'moby,emails').split(',')) {
    const docs = documents(data);
    for (const name of names.length ? names : ['defaults']) {
      const { blocks = 1, ...config } = GENERATION[name] ?? {};
      for (const seed of seeds) {
        const split = splitTextCorpus(docs, gen.validationSplit, seed);
        const settings: TextTrainSettings = {
          task: 'text-generation',
          seed,
          epochs: gen.epochs,
          batchSize: gen.batchSize,
          learningRate: gen.learningRate,
          optimizer: gen.optimizer,
          weightDecay: gen.weightDecay,
          schedule: { kind: gen.schedule },
          dropout: gen.dropout,
          trainableGroups: presetGroups(base.saved.config, { kind: 'top-blocks', blocks }),
          ...config,
        };
        const model = createTextModel(
          tf,
          { ...base.saved, weights: base.saved.weights.slice(0) },
          { task: 'text-generation' },
          base.tokenizer,
        );
        const started = Date.now();
        const r = await runTextTraining(
          tf,
          model,
          {
            task: 'text-generation',
            train: split.train.map((d) => d.text).join('\n'),
            validation: split.val.map((d) => d.text).join('\n'),
          },
          settings,
          () => {},
        );
        disposeTextModel(model);
        const drop = 1 - r.final.valLoss / r.initial.valLoss;
        console.log(
          `  ${data} ${name} seed ${seed}: ${docs.length} documents; val loss ${r.initial.valLoss.toFixed(4)} → ${r.history.map((h) => h.valLoss.toFixed(4)).join(' → ')} (−${(drop * 100).toFixed(1)} %; ${((Date.now() - started) / 1000).toFixed(0)} s)`,
        );
      }
    }
  }
}

async function main(): Promise<void> {
  const backend = await startNodeBackend(path.join(root, 'node_modules'));
  const base = await loadPretrained(root);
  if (flag('task', 'classification') === 'generation') return generation(base);
  const chosen = names.length ? names : Object.keys(CONFIGS);
  console.log(
    `backend ${backend}; studio defaults: lr ${studio.learningRate}, batch ${studio.batchSize}, dropout ${studio.dropout}, ${studio.epochs} epochs, head only; seeds ${seeds.join(',')}`,
  );
  for (const data of datasets) {
    const examples = data === 'spam' ? spamExamples() : topicExamples();
    const cache = createTextFeatureCache();
    console.log(`\n${data}: ${examples.length} texts; mean validation accuracy after epochs ${checkpoints.join(' / ')}`);
    for (const name of chosen) {
      const config = CONFIGS[name];
      if (!config) throw new Error(`no configuration ${name}`);
      const started = Date.now();
      const per: number[][] = [];
      for (const seed of seeds) per.push(await runOne(base, examples, seed, config, cache));
      const mean = checkpoints.map((_, j) => per.reduce((s, p) => s + (p[j] as number), 0) / per.length);
      const spread = checkpoints.map(
        (_, j) => Math.min(...per.map((p) => p[j] as number)).toFixed(2) + '–' + Math.max(...per.map((p) => p[j] as number)).toFixed(2),
      );
      console.log(
        `  ${name.padEnd(22)} ${mean.map((m) => m.toFixed(3)).join(' / ')}   (range ${spread.join(' / ')}; ${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
    }
  }
}

void main();
