/**
 * Pre-trains the studio's small byte-level language model on public-domain English text from npm
 * (Moby Dick + State of the Union addresses) and writes public/models/text-lm/{model.json,weights.bin}.
 *
 *   npx tsx scripts/pretrain-lm.ts [--minutes 12] [--steps N] [--batch 8] [--seed 1234] [--lr 0.003]
 *                                  [--init public/models/text-lm] [--out public/models/text-lm]
 *
 * `--init DIR` continues from a saved model (its earlier training runs are kept in model.json's
 * `training.previous`); use a new --seed so the windows differ from the earlier run's.
 *
 * Seeded (initialisation, window sampling, validation windows). Adam with linear warm-up and cosine
 * decay (over --steps when given, else over the --minutes budget). WASM backend (≈4.6× faster than cpu
 * here), falling back to cpu.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { nodeModuleFiles, startNodeBackend } from './lib/node-tf';
import { createRng } from '../src/lib/random';
import { CORPORA, readCorpus, splitHoldout } from '../src/text/corpus';
import {
  countParams,
  createLm,
  DEFAULT_LM_CONFIG,
  lmLoss,
  loadLm,
  saveLm,
  shiftWindows,
  type Lm,
  type LmConfig,
  type WeightSpec,
} from '../src/text/model';
import { encode, TOKENIZER } from '../src/text/tokenizer';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nodeModules = path.join(root, 'node_modules');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name} needs a number`);
  return v;
}

const minutes = arg('minutes', 12);
const maxSteps = arg('steps', Number.POSITIVE_INFINITY);
const batch = arg('batch', 8);
const seed = arg('seed', 1234);
const peakLr = arg('lr', 3e-3);
const warmup = arg('warmup', 20);
const minLrFraction = 0.1;
const valWindowsPerCorpus = arg('val-windows', 24);
const config = DEFAULT_LM_CONFIG;

function textArg(name: string): string | null {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? null : (process.argv[i + 1] ?? null);
}
const initDir = textArg('init');
const outArg = textArg('out');

interface SavedModelJson {
  config: LmConfig;
  weightsManifest: Array<{ paths: string[]; weights: WeightSpec[] }>;
  training?: Record<string, unknown> & { previous?: unknown[] };
}

/** The model saved in `dir` and its model.json. */
function readSaved(dir: string): { lm: Lm; json: SavedModelJson } {
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as SavedModelJson;
  const group = json.weightsManifest[0];
  if (!group) throw new Error(`${dir}/model.json has no weights`);
  const bin = fs.readFileSync(path.join(dir, group.paths[0]!));
  const weights = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  return { lm: loadLm(tf, { config: json.config, weightSpecs: group.weights, weights }), json };
}
const T = config.contextLength;

function randomWindows(sources: Int32Array[], count: number, rng: () => number): Int32Array {
  const out = new Int32Array(count * (T + 1));
  for (let b = 0; b < count; b++) {
    // Equal weight per corpus so the smaller book is not drowned by the speeches.
    const src = sources[Math.floor(rng() * sources.length)] as Int32Array;
    const start = Math.floor(rng() * (src.length - T - 1));
    out.set(src.subarray(start, start + T + 1), b * (T + 1));
  }
  return out;
}

async function evaluate(lm: Lm, windows: Int32Array): Promise<number> {
  const n = windows.length / (T + 1);
  const losses: tf.Scalar[] = [];
  for (let i = 0; i < n; i += batch) {
    const count = Math.min(batch, n - i);
    losses.push(
      tf.tidy(() => {
        const w = tf.tensor2d(windows.subarray(i * (T + 1), (i + count) * (T + 1)), [count, T + 1], 'int32');
        const { inputs, targets } = shiftWindows(tf, w);
        return tf.mul(lmLoss(tf, lm, inputs, targets), count) as tf.Scalar;
      }),
    );
  }
  const total = tf.tidy(() => tf.addN(losses));
  const [sum] = await total.data();
  total.dispose();
  losses.forEach((l) => l.dispose());
  return (sum as number) / n;
}

async function main(): Promise<void> {
  const backend = await startNodeBackend(nodeModules);
  const files = nodeModuleFiles(nodeModules);
  const trainSets: Int32Array[] = [];
  const valSets: Int32Array[] = [];
  const corpusInfo = [];
  for (const source of CORPORA) {
    const text = readCorpus(source, files);
    const { train, validation } = splitHoldout(text, 0.05);
    const trainIds = encode(train);
    const valIds = encode(validation);
    trainSets.push(trainIds);
    valSets.push(valIds);
    corpusInfo.push({
      name: source.name,
      package: source.packageDir,
      licence: source.licence,
      description: source.description,
      trainBytes: trainIds.length,
      validationBytes: valIds.length,
    });
  }
  const valRng = createRng(seed ^ 0x5eed);
  const valWindows = new Int32Array(valSets.length * valWindowsPerCorpus * (T + 1));
  valSets.forEach((v, c) => valWindows.set(randomWindows([v], valWindowsPerCorpus, valRng), c * valWindowsPerCorpus * (T + 1)));

  const init = initDir ? readSaved(path.resolve(root, initDir)) : null;
  const lm = init ? init.lm : createLm(tf, config, seed);
  if (init) console.log(`continuing from ${initDir}`);
  console.log(
    `backend ${backend}; ${countParams(config)} parameters; corpora`,
    corpusInfo.map((c) => `${c.name} ${c.trainBytes}+${c.validationBytes} B`).join(', '),
  );
  const initialValLoss = await evaluate(lm, valWindows);
  console.log(`initial held-out loss ${initialValLoss.toFixed(4)}`);

  const optimizer = tf.train.adam(peakLr, 0.9, 0.95, 1e-8);
  const settable = optimizer as unknown as { learningRate: number };
  const rng = createRng(seed);
  const budgetMs = minutes * 60_000;
  const started = Date.now();
  let step = 0;
  let ema = NaN;
  const vars = [...lm.vars.values()];
  while (step < maxSteps && Date.now() - started < budgetMs) {
    const progress = Number.isFinite(maxSteps) ? step / maxSteps : (Date.now() - started) / budgetMs;
    const warm = Math.min(1, (step + 1) / warmup);
    const cosine = minLrFraction + (1 - minLrFraction) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
    settable.learningRate = peakLr * warm * cosine;
    const windows = randomWindows(trainSets, batch, rng);
    const cost = optimizer.minimize(
      () =>
        tf.tidy(() => {
          const { inputs, targets } = shiftWindows(tf, tf.tensor2d(windows, [batch, T + 1], 'int32'));
          return lmLoss(tf, lm, inputs, targets);
        }),
      true,
      vars,
    );
    if (!cost) throw new Error('no cost returned');
    const [loss] = await cost.data();
    cost.dispose();
    ema = Number.isNaN(ema) ? (loss as number) : 0.95 * ema + 0.05 * (loss as number);
    step++;
    if (step % 10 === 0) {
      const s = ((Date.now() - started) / 1000).toFixed(0);
      console.log(
        `step ${step} ${s}s lr ${settable.learningRate.toExponential(2)} loss ${(loss as number).toFixed(4)} ema ${ema.toFixed(4)} tensors ${tf.memory().numTensors}`,
      );
    }
  }
  const trainSeconds = (Date.now() - started) / 1000;
  const finalValLoss = await evaluate(lm, valWindows);
  const perplexity = Math.exp(finalValLoss);
  console.log(
    `done: ${step} steps in ${trainSeconds.toFixed(0)}s; held-out loss ${finalValLoss.toFixed(4)} nats/byte, perplexity ${perplexity.toFixed(3)}, ${(finalValLoss / Math.LN2).toFixed(3)} bits/byte`,
  );

  const saved = await saveLm(lm);
  const outDir = path.resolve(root, outArg ?? 'public/models/text-lm');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'weights.bin'), new Uint8Array(saved.weights));
  const modelJson = {
    format: 'finetune-studio/text-lm',
    formatVersion: 1,
    config: saved.config,
    parameters: countParams(config),
    tokenizer: TOKENIZER,
    weightsManifest: [{ paths: ['weights.bin'], weights: saved.weightSpecs }],
    training: {
      corpora: corpusInfo,
      holdout: 'last 5% of each corpus (by characters)',
      seed,
      backend,
      steps: step,
      batchWindows: batch,
      windowBytes: T + 1,
      optimizer: {
        name: 'adam',
        beta1: 0.9,
        beta2: 0.95,
        epsilon: 1e-8,
        peakLearningRate: peakLr,
        warmupSteps: warmup,
        schedule: `cosine to ${minLrFraction}× peak over the ${Number.isFinite(maxSteps) ? 'step' : 'time'} budget`,
      },
      trainSeconds: Math.round(trainSeconds),
      validationWindows: valWindows.length / (T + 1),
      initialValidationLoss: initialValLoss,
      finalValidationLoss: finalValLoss,
      finalValidationPerplexity: perplexity,
      bitsPerByte: finalValLoss / Math.LN2,
      date: new Date().toISOString(),
      command: `npx tsx scripts/pretrain-lm.ts --minutes ${minutes}${Number.isFinite(maxSteps) ? ` --steps ${maxSteps}` : ''} --batch ${batch} --seed ${seed} --lr ${peakLr}${initDir ? ` --init ${initDir}` : ''}`,
      // Earlier runs this one continued from, oldest first.
      previous: init ? [...(init.json.training?.previous ?? []), { ...init.json.training, previous: undefined }] : [],
    },
  };
  fs.writeFileSync(path.join(outDir, 'model.json'), JSON.stringify(modelJson, null, 2) + '\n');
  optimizer.dispose();
  console.log(`wrote ${outDir}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
