/**
 * train.py (the PyTorch side of export.job) against the studio, in Node with Debian's python3 and
 * torch (.ci/run installs them): a job made by the engine's `jobStart` and `jobEntries` from
 * digit-like PNGs, unpacked and run as the person would run it.
 * - Before any training, PyTorch's model built from the job equals the studio's own on the same
 *   pixels (|Δp| < 1e-4), for the bundled MobileNetV2 with a fresh head and for the small CNN.
 * - A changed or missing data file stops the job before it starts, naming the file.
 * - Two processes (gloo on loopback) train an epoch with a batch-norm layer training; a second
 *   command with the same OUT resumes from the checkpoint as one process; the model.zip it writes
 *   gives in tfjs what the PyTorch model gives.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { unzipSync, strFromU8 } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createTrainingEngine, type TrainingEngine } from '../engine/engine';
import { arraySource } from '../engine/sources';
import { classificationManifest } from '../engine/run-record';
import { DEFAULT_SETTINGS, type TrainSettings } from '../engine/types';
import { loadBundledBackbone } from '../test/bundled';
import { startWasm } from '../test/wasm';
import { makeDigits } from '../../scripts/make-digits.mjs';
import { PYTHON, freePort, readMetrics, runJob, unpackJob } from '../../scripts/job-runner.mjs';
import { JOB_ACTIVATIONS, JOB_LAYER_CLASSES, jobEntries, jobLayerProblem, zipJob, type JobImage } from './job-export';
import trainPy from './train.py?raw';

const SIZE = 32;
const digits = makeDigits({ perClass: 6, size: SIZE, seed: 77 });
const LABELS = digits.labels;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const images: (JobImage & { pixels: Float32Array; index: number })[] = digits.images.map((img, i) => ({
  id: `d${i}`,
  label: img.label,
  name: `${img.label}-${i}.png`,
  bytes: new Uint8Array(img.png),
  sha256: sha256(new Uint8Array(img.png)),
  split: i % 4 === 0 ? 'val' : 'train',
  pixels: Float32Array.from({ length: SIZE * SIZE * 3 }, (_, p) => (img.grey[Math.floor(p / 3)] ?? 0) / 255),
  index: LABELS.indexOf(img.label),
}));
const source = (split: 'train' | 'val') => {
  const xs = images.filter((i) => i.split === split);
  return arraySource(
    xs.map((i) => i.pixels),
    xs.map((i) => i.index),
    SIZE,
    xs.map((i) => i.id),
  );
};
const settings = (over: Partial<TrainSettings>): TrainSettings => ({
  ...DEFAULT_SETTINGS,
  imageSize: SIZE,
  batchSize: 8,
  seed: 3,
  ...over,
});
/** Layers WASM can train here (a regular convolution and its batch norm); their head starts Glorot, not zero. */
const TOP = ['Conv_1', 'Conv_1_bn'];

async function modelFiles(dir: string): Promise<() => Promise<tf.LayersModel>> {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const bin = readFileSync(join(dir, 'weights.bin'));
  return () =>
    tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }),
    );
}

/** The job of a run with `asked` on `engine`'s model, unpacked into a new folder; returns that folder. */
async function exportJob(
  engine: TrainingEngine,
  asked: TrainSettings,
  model = { id: 'mobilenet-v2', name: 'MobileNetV2' },
): Promise<string> {
  const content = (split: string) => images.filter((i) => i.split === split).map((i) => ({ key: i.sha256, label: i.index }));
  const data = classificationManifest(LABELS, content('train'), content('val'), asked.validationSplit);
  const job = await engine.jobStart(asked, LABELS, source('train'), () => {}, {
    run: { id: 'run-py', model: { ...model, licence: 'test', source: 'bundled' }, data },
  });
  const entries = jobEntries({ folder: 'digits-job', ...job, images, weights: job.files, trainPy, createdAt: new Date().toISOString() });
  return unpackJob(zipJob(entries));
}

/** PyTorch's probabilities for `pixels` ([n, SIZE, SIZE, 3] in [0, 1]) from the model train.py builds, in inference mode. */
function torchPredict(root: string, pixels: Float32Array, n: number, weights = ''): number[][] {
  const file = join(mkdtempSync(join(tmpdir(), 'studio-px-')), 'x.bin');
  writeFileSync(file, pixels);
  const code = [
    'import sys, json, numpy as np, torch',
    `sys.path.insert(0, ${JSON.stringify(root)})`,
    'import train',
    `job = train.Job(${JSON.stringify(root)})`,
    weights ? `job.model.load_state_dict(torch.load(${JSON.stringify(weights)})['model'])` : '',
    `x = torch.from_numpy(np.fromfile(${JSON.stringify(file)}, dtype='<f4').reshape(${n}, ${SIZE}, ${SIZE}, 3))`,
    'print(json.dumps(job.predict(x).numpy().tolist()))',
  ].join('\n');
  const run = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '[]');
}

const maxDiff = (a: number[][], b: number[][]) => Math.max(...a.flatMap((row, i) => row.map((v, j) => Math.abs(v - (b[i]?.[j] ?? NaN)))));
const spread = (p: number[][]) => Math.max(...p.map((row) => Math.max(...row) - Math.min(...row)));

const probe = images.slice(0, 6);
const probePixels = Float32Array.from(probe.flatMap((i) => Array.from(i.pixels)));

beforeAll(async () => {
  await startWasm();
});

describe('train.py, the PyTorch side of a training job', () => {
  it('builds the studio model: its forward pass equals the studio’s before training (MobileNetV2 and the small CNN)', async () => {
    const engine = createTrainingEngine(tf);
    await engine.loadModel('mobilenet-v2', 'MobileNetV2', loadBundledBackbone, [-1, 1]);
    // The studio's own forward pass of the model a run starts with: a run of no epochs, then its predictions.
    const asked = settings({ mode: 'fine-tune', trainableLayers: TOP, headLayer: 'output', epochs: 0 });
    await engine.train(asked, LABELS, source('train'), source('val'), () => {});
    const studio = await engine.predictMany(probePixels, probe.length);
    const root = await exportJob(engine, asked);
    const torch = torchPredict(root, probePixels, probe.length);
    expect(spread(studio)).toBeGreaterThan(0.02); // a Glorot head: not the uniform answer of a zero head
    console.log(`MobileNetV2: PyTorch vs studio, max |Δp| ${maxDiff(torch, studio).toExponential(2)}`);
    expect(maxDiff(torch, studio)).toBeLessThan(1e-4);
    engine.dispose();

    // The small CNN (max pooling, batch norm that trains from scratch): another architecture from the same code.
    const cnnDir = join(import.meta.dirname, '../../public/models/small-cnn');
    const cnn = createTrainingEngine(tf);
    await cnn.loadModel('small-cnn', 'Small CNN', await modelFiles(cnnDir), [0, 1]);
    const all = settings({ mode: 'fine-tune', trainableLayers: ['block_1_conv', 'block_1_bn'], headLayer: 'output', epochs: 0 });
    await cnn.train(all, LABELS, source('train'), source('val'), () => {});
    const cnnStudio = await cnn.predictMany(probePixels, probe.length);
    const cnnTorch = torchPredict(await exportJob(cnn, all, { id: 'small-cnn', name: 'Small CNN' }), probePixels, probe.length);
    expect(spread(cnnStudio)).toBeGreaterThan(0.02);
    console.log(`small CNN: PyTorch vs studio, max |Δp| ${maxDiff(cnnTorch, cnnStudio).toExponential(2)}`);
    expect(maxDiff(cnnTorch, cnnStudio)).toBeLessThan(1e-4);
    cnn.dispose();
  }, 240_000);

  it('is refused in the studio exactly when train.py could not build a layer', () => {
    const root = join(import.meta.dirname);
    const code = `import sys, json; sys.path.insert(0, ${JSON.stringify(root)}); import train; print(json.dumps([sorted(train.LAYERS), sorted(train.ACTIVATIONS)]))`;
    const run = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const [layers, activations] = JSON.parse(run.stdout) as [string[], string[]];
    expect([...JOB_LAYER_CLASSES].sort()).toEqual(layers);
    expect([...JOB_ACTIVATIONS].sort()).toEqual(activations);
    expect(
      jobLayerProblem([
        { name: 'input_1', className: 'InputLayer' },
        { name: 'conv', className: 'Conv2D', activation: 'relu' },
      ]),
    ).toBeNull();
    expect(jobLayerProblem([{ name: 'sep', className: 'SeparableConv2D' }])).toMatch(
      /layer sep is a SeparableConv2D, which train\.py does not build/,
    );
    expect(jobLayerProblem([{ name: 'd', className: 'Dense', activation: 'gelu' }])).toMatch(/layer d uses the activation gelu/);
  });

  it('refuses to start when a data file changed or is missing, and names it', async () => {
    const engine = createTrainingEngine(tf);
    await engine.loadModel('mobilenet-v2', 'MobileNetV2', loadBundledBackbone, [-1, 1]);
    const root = await exportJob(engine, settings({ mode: 'head-only', headLayer: 'output', epochs: 1 }));
    engine.dispose();
    const manifest = JSON.parse(readFileSync(join(root, 'data/manifest.json'), 'utf8')) as { files: { path: string }[] };
    const [first, second] = manifest.files;
    const bytes = readFileSync(join(root, first!.path));
    const at = bytes.length - 20;
    bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    writeFileSync(join(root, first!.path), bytes);
    const out = mkdtempSync(join(tmpdir(), 'studio-job-out-'));
    const [changed] = await runJob(root, out);
    expect(changed?.code).toBe(2);
    expect(changed?.output).toContain(`${first!.path} does not match its sha256`);
    expect(readFileSync(join(root, 'train.py'), 'utf8')).toBe(trainPy);

    writeFileSync(join(root, first!.path), Buffer.from(images.find((i) => first!.path.endsWith(i.name))!.bytes));
    rmSync(join(root, second!.path));
    const [missing] = await runJob(root, out);
    expect(missing?.code).toBe(2);
    expect(missing?.output).toContain(`${second!.path} is listed in data/manifest.json but missing`);
  }, 120_000);

  it('takes the same steps as two processes as it does as one (a batch-norm layer training, no dropout)', async () => {
    const engine = createTrainingEngine(tf);
    await engine.loadModel('mobilenet-v2', 'MobileNetV2', loadBundledBackbone, [-1, 1]);
    // Without dropout or augmentation nothing random is drawn per process: DDP's averaged gradients
    // and the batch norm's statistics over the global batch make the two runs the same computation.
    const root = await exportJob(engine, settings({ mode: 'fine-tune', trainableLayers: TOP, headLayer: 'output', epochs: 2, dropout: 0 }));
    engine.dispose();
    const outs = [mkdtempSync(join(tmpdir(), 'studio-job-1-')), mkdtempSync(join(tmpdir(), 'studio-job-2-'))];
    for (const [i, procs] of [1, 2].entries()) for (const r of await runJob(root, outs[i]!, { procs })) expect(r.code, r.output).toBe(0);
    const [one, two] = outs.map((out) => readMetrics(out!));
    expect(two!.map((m) => m.world_size)).toEqual([2, 2, 2]);
    for (const [i, m] of one!.entries()) expect(Math.abs((m.val_loss ?? 0) - (two![i]!.val_loss ?? 0))).toBeLessThan(1e-4);
    const p1 = torchPredict(root, probePixels, probe.length, join(outs[0]!, 'checkpoint.pt'));
    const p2 = torchPredict(root, probePixels, probe.length, join(outs[1]!, 'checkpoint.pt'));
    console.log(`1 vs 2 processes after 2 epochs, max |Δp| ${maxDiff(p1, p2).toExponential(2)}`);
    expect(maxDiff(p1, p2)).toBeLessThan(1e-4);
    expect(maxDiff(p1, torchPredict(root, probePixels, probe.length))).toBeGreaterThan(1e-3); // and they did train
  }, 240_000);

  it('runs under torchrun itself, with a c10d rendezvous, and takes the steps it takes under the variables torchrun sets', async () => {
    const engine = createTrainingEngine(tf);
    await engine.loadModel('mobilenet-v2', 'MobileNetV2', loadBundledBackbone, [-1, 1]);
    const root = await exportJob(engine, settings({ mode: 'head-only', headLayer: 'output', epochs: 1 }));
    engine.dispose();
    const viaEnv = mkdtempSync(join(tmpdir(), 'studio-job-env-'));
    for (const r of await runJob(root, viaEnv, { procs: 2 })) expect(r.code, r.output).toBe(0);
    const viaTorchrun = mkdtempSync(join(tmpdir(), 'studio-job-torchrun-'));
    const launcher = join(import.meta.dirname, '../../scripts/torchrun.py');
    const endpoint = `127.0.0.1:${await freePort()}`;
    const args = [
      '--nnodes=1',
      '--nproc_per_node=2',
      '--rdzv_backend=c10d',
      `--rdzv_endpoint=${endpoint}`,
      'train.py',
      '--out',
      viaTorchrun,
    ];
    const run = spawnSync(PYTHON, [launcher, ...args], { cwd: root, encoding: 'utf8', timeout: 180_000 });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const strip = (m: Record<string, unknown>) => ({ ...m, seconds: 0 });
    expect(readMetrics(viaTorchrun).map(strip)).toEqual(readMetrics(viaEnv).map(strip));
    expect(readMetrics(viaTorchrun).map((m) => m.world_size)).toEqual([2, 2]);
  }, 240_000);

  it('trains data-parallel, resumes from its checkpoint, and writes a model.zip that tfjs reads as PyTorch left it', async () => {
    const engine = createTrainingEngine(tf);
    await engine.loadModel('mobilenet-v2', 'MobileNetV2', loadBundledBackbone, [-1, 1]);
    const root = await exportJob(
      engine,
      settings({ mode: 'fine-tune', trainableLayers: TOP, headLayer: 'output', epochs: 2, optimizer: 'adamw', weightDecay: 0.01 }),
    );
    engine.dispose();
    const out = mkdtempSync(join(tmpdir(), 'studio-job-out-'));
    const first = await runJob(root, out, { procs: 2, args: ['--epochs', '1'] });
    for (const r of first) expect(r.code, r.output).toBe(0);
    const second = await runJob(root, out, { procs: 1 });
    expect(second[0]?.code, second[0]?.output).toBe(0);
    expect(second[0]?.output).toContain('Resuming after epoch 1');
    const metrics = readMetrics(out);
    expect(metrics.map((m) => [m.epoch, m.world_size])).toEqual([
      [0, 2],
      [1, 2],
      [2, 1],
    ]);

    // model.zip in plain tfjs gives what the PyTorch model (its last checkpoint) gives.
    const files = unzipSync(new Uint8Array(readFileSync(join(out, 'model.zip'))));
    const dir = mkdtempSync(join(tmpdir(), 'studio-job-model-'));
    for (const name of ['model.json', 'weights.bin']) writeFileSync(join(dir, name), files[name] as Uint8Array);
    const model = await (await modelFiles(dir))();
    const meta = JSON.parse(strFromU8(files['metadata.json'] as Uint8Array));
    expect(meta.labels).toEqual(LABELS);
    expect(meta.trainedBy.worldSize).toBe(1);
    expect(meta.metrics.history).toHaveLength(2);
    const x = tf.tidy(() => tf.sub(tf.mul(tf.tensor4d(probePixels, [probe.length, SIZE, SIZE, 3]), 2), 1));
    const tfjs = (await (model.predict(x) as tf.Tensor).array()) as number[][];
    const torch = torchPredict(root, probePixels, probe.length, join(out, 'checkpoint.pt'));
    console.log(`model.zip in tfjs vs PyTorch after training, max |Δp| ${maxDiff(tfjs, torch).toExponential(2)}`);
    expect(maxDiff(tfjs, torch)).toBeLessThan(1e-4);
    // And it is not the model the job started from: the epochs trained it.
    const start = torchPredict(root, probePixels, probe.length);
    expect(maxDiff(start, torch)).toBeGreaterThan(1e-3);
  }, 240_000);
});
