/**
 * The training job (`export.job`) in Node on WASM: the bundled MobileNetV2 composed by the engine's
 * `jobStart`, the zip built from it and a small set of PNGs, read back and checked against
 * independent references (node:crypto's SHA-256, a classifier composed here, the given split).
 */
import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createTrainingEngine, type TrainingEngine } from '../engine/engine';
import { arraySource } from '../engine/sources';
import { classificationManifest } from '../engine/run-record';
import { DEFAULT_SETTINGS, type TrainSettings } from '../engine/types';
import { composeClassifier, headInit } from '../models/head';
import { bundledBackboneAt, loadBundledBackbone, reloadExport } from '../test/bundled';
import { startWasm } from '../test/wasm';
import { encodePng } from '../../scripts/png.mjs';
import { dataPaths, jobEntries, safeSegment, zipJob, type JobImage, type ManifestFile } from './job-export';

const SIZE = 32;
const LABELS = ['cat', 'dog', 'fox'];
const PER_CLASS = 4; // 3 training images and 1 validation image each

/** A seeded picture of class `c`: its own hue in a noisy gradient. */
function picture(c: number, k: number): Uint8Array {
  const px = new Uint8Array(SIZE * SIZE * 3);
  let s = (c * 97 + k * 13 + 1) >>> 0;
  for (let i = 0; i < SIZE * SIZE; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    const noise = (s >>> 24) / 8;
    const ramp = ((i % SIZE) / SIZE) * 120;
    px[i * 3 + c] = Math.min(255, 100 + ramp + noise);
    px[i * 3 + ((c + 1) % 3)] = noise * 2;
  }
  return px;
}

interface Example {
  image: JobImage;
  pixels: Float32Array;
  labelIndex: number;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function examples(): Example[] {
  const out: Example[] = [];
  LABELS.forEach((label, c) => {
    for (let k = 0; k < PER_CLASS; k++) {
      const raw = picture(c, k);
      const bytes = new Uint8Array(encodePng(SIZE, SIZE, raw, 3));
      // Two of a class's files share a name (from two folders of a drop): the job keeps both.
      const name = k < 2 ? 'photo.png' : `${label}-${k}.png`;
      out.push({
        image: { id: `${label}-${k}`, label, name, bytes, sha256: sha256(bytes), split: k === 0 ? 'val' : 'train' },
        pixels: Float32Array.from(raw, (v) => v / 255),
        labelIndex: c,
      });
    }
  });
  return out;
}

const settings = (over: Partial<TrainSettings> = {}): TrainSettings => ({
  ...DEFAULT_SETTINGS,
  imageSize: SIZE,
  epochs: 1,
  batchSize: 4,
  seed: 5,
  ...over,
});

/** Top layers WASM can train (a regular convolution and its batch norm: no depthwise convolution at or above them). */
const TOP = ['Conv_1', 'Conv_1_bn'];
/** Layers WASM cannot train through (block 16's depthwise convolution); PyTorch can. */
const DEEPER = ['block_16_depthwise', 'block_16_depthwise_BN', 'block_16_project', 'block_16_project_BN', ...TOP];

function sources(set: Example[]) {
  const of = (split: 'train' | 'val') => {
    const xs = set.filter((e) => e.image.split === split);
    return arraySource(
      xs.map((e) => e.pixels),
      xs.map((e) => e.labelIndex),
      SIZE,
      xs.map((e) => e.image.id),
    );
  };
  return { train: of('train'), val: of('val') };
}

function manifestOf(set: Example[], s: TrainSettings) {
  const content = (split: string) => set.filter((e) => e.image.split === split).map((e) => ({ key: e.image.sha256, label: e.labelIndex }));
  return classificationManifest(LABELS, content('train'), content('val'), s.validationSplit);
}

async function loadEngine(): Promise<TrainingEngine> {
  const engine = createTrainingEngine(tf);
  await engine.loadModel('mobilenet-v2', 'MobileNetV2', loadBundledBackbone, [0, 1]);
  return engine;
}

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

beforeAll(async () => {
  await startWasm();
});

describe('training job (export.job)', () => {
  it('hands the run as it would start here to PyTorch, and leaves the last run as it was', async () => {
    const set = examples();
    const { train, val } = sources(set);
    const engine = await loadEngine();
    const probe = set.slice(0, 3).map((e) => e.pixels);
    const flat = Float32Array.from(probe.flatMap((p) => Array.from(p)));

    // The last run: the top layers trained a little, so its backbone differs from the pre-trained one.
    await engine.train(settings({ mode: 'fine-tune', trainableLayers: TOP }), LABELS, train, val, () => {});
    const before = await engine.predictMany(flat, probe.length);

    // On WASM a run here cannot train through block 16's depthwise convolution; the job is for PyTorch, so it is not refused.
    const asked = settings({ mode: 'fine-tune', trainableLayers: DEEPER, headLayer: 'auto', epochs: 7 });
    await expect(
      engine.findLearningRate(
        asked,
        LABELS,
        train,
        () => {},
        () => {},
      ),
    ).rejects.toThrow(/WASM backend cannot train through block_16_depthwise/);
    const data = manifestOf(set, asked);
    const job = await engine.jobStart(asked, LABELS, train, () => {}, {
      run: { id: 'run-job', model: { id: 'mobilenet-v2', name: 'MobileNetV2', licence: 'Apache-2.0', source: 'bundled' }, data },
    });

    // The last run's model is untouched: same predictions, same record.
    expect(await engine.predictMany(flat, probe.length)).toEqual(before);
    expect(engine.record()?.settings.trainableLayers).toEqual(TOP);

    const images = set.map((e) => e.image);
    const entries = jobEntries({
      folder: 'pets-job',
      ...job,
      images,
      weights: job.files,
      trainPy: 'print("train")\n',
      createdAt: '2025-01-02T03:04:05.000Z',
    });
    const zip = unzipSync(zipJob(entries));
    expect(Object.keys(zip).every((p) => p.startsWith('pets-job/'))).toBe(true);
    for (const f of [
      'train.py',
      'config.json',
      'requirements.txt',
      'README.md',
      'weights/model.json',
      'weights/weights.bin',
      'data/manifest.json',
    ]) {
      expect(zip[`pets-job/${f}`], f).toBeDefined();
    }
    expect(text(zip['pets-job/requirements.txt'])).toBe('torch==1.13.1\nnumpy==1.24.2\nPillow==9.4.0\n');
    expect(text(zip['pets-job/README.md'])).toContain(
      'torchrun --nnodes=N --node_rank=R --nproc_per_node=K --rdzv_backend=c10d --rdzv_endpoint=HOST:PORT train.py --out OUT',
    );

    // Every file of the manifest is in the zip, byte for byte, with its hash; the splits are the ones given.
    const manifest = JSON.parse(text(zip['pets-job/data/manifest.json'])) as { format: string; version: number; files: ManifestFile[] };
    expect(manifest.format).toBe('finetune-studio-data');
    expect(manifest.files).toHaveLength(images.length);
    for (const f of manifest.files) {
      const bytes = zip[`pets-job/${f.path}`];
      const given = images.find((i) => i.id === f.id)!;
      expect(bytes, f.path).toBeDefined();
      expect(sha256(bytes!)).toBe(f.sha256);
      expect(Buffer.from(bytes!).equals(Buffer.from(given.bytes))).toBe(true);
      expect([f.label, f.split]).toEqual([given.label, given.split]);
      expect(f.path.startsWith(`data/${given.label}/`)).toBe(true);
    }
    expect(manifest.files.filter((f) => f.path.endsWith('photo.png') || f.path.endsWith('photo-2.png'))).toHaveLength(6);

    // config.json: the record a run here would start with, resolved, and what trains by name.
    const config = JSON.parse(text(zip['pets-job/config.json']));
    expect(config.settings.headLayer).toBe('output'); // Auto keeps the output when backbone layers train
    expect(config.auto.layer).toBe('output');
    expect(config.settings.epochs).toBe(7);
    expect(config.labels).toEqual(LABELS);
    expect(config.data).toEqual(data);
    expect(config.metrics.history).toEqual([]);
    expect(config.input).toEqual({ imageSize: SIZE, inputRange: [0, 1], resize: asked.resize });
    expect(config.trainable).toEqual([...DEEPER, 'head_dense']);
    expect(config.trainableParams).toBeGreaterThan(0);
    expect(config.job.format).toBe('finetune-studio-job');
    expect(config.job.createdAt).toBe('2025-01-02T03:04:05.000Z');
    expect(config.job.head).toEqual(['head_pool', 'head_dropout', 'head_dense']);
    expect(config.job.parts).toEqual([
      { name: 'top', layers: TOP },
      { name: 'block_16', layers: DEEPER.slice(0, 4) },
    ]);

    // weights/: loads with plain tf.loadLayersModel and answers as a classifier composed here from the pre-trained backbone.
    const reloaded = await reloadExport([
      { name: 'model.json', data: zip['pets-job/weights/model.json']!.slice().buffer },
      { name: 'weights.bin', data: zip['pets-job/weights/weights.bin']!.slice().buffer },
    ]);
    const backbone = await bundledBackboneAt(SIZE);
    const reference = composeClassifier(tf, backbone, {
      numClasses: 3,
      dropout: asked.dropout,
      seed: asked.seed,
      layer: 'output',
      init: headInit(asked),
    });
    const x = tf.tensor4d(flat, [probe.length, SIZE, SIZE, 3]);
    const got = await (reloaded.predict(x) as tf.Tensor).data();
    const want = await (reference.predict(x) as tf.Tensor).data();
    expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i]!)))).toBeLessThan(1e-5);
    // The head is seeded Glorot (layers of the backbone train), not a uniform answer.
    expect(Math.max(...Array.from(got)) - Math.min(...Array.from(got))).toBeGreaterThan(1e-3);
    const trainableInJson = (reloaded.layers as { name: string; trainable: boolean }[]).filter((l) => l.trainable).map((l) => l.name);
    expect(trainableInJson).toEqual(expect.arrayContaining([...DEEPER, 'head_dense']));
    [x, reloaded, reference].forEach((t) => t.dispose()); // the reference disposes the backbone it shares
    engine.dispose();
  });

  it('resolves Auto from the training images when only the head trains, and refuses what a run refuses', async () => {
    const set = examples();
    const { train } = sources(set);
    const engine = await loadEngine();
    const job = await engine.jobStart(settings({ headLayer: 'auto' }), LABELS, train, () => {});
    const layer = job.record.settings.headLayer;
    expect(layer).not.toBe('auto');
    expect(job.record.auto?.layer).toBe(layer);
    expect(job.record.trainable).toEqual(['head_dense']);
    expect(job.parts).toEqual([]);
    const model = await reloadExport(job.files);
    // The model ends at the head's layer: the head's pooling reads it (the backbone's output is out_relu).
    const pool = model.getLayer('head_pool');
    const feeding = (pool.inboundNodes[0]?.inboundLayers ?? []).map((l) => l.name);
    expect(feeding).toEqual([layer === 'output' ? 'out_relu' : layer]);
    model.dispose();

    await expect(engine.jobStart(settings(), ['cat'], train, () => {})).rejects.toThrow('Add at least two classes');
    const none = arraySource([], [], SIZE);
    await expect(engine.jobStart(settings(), LABELS, none, () => {})).rejects.toThrow('The training split holds no images.');
    engine.dispose();
  });
});

describe('job file names', () => {
  it('keeps every file of a class: a repeated name gets -2, -3 before its extension (any case)', () => {
    const paths = dataPaths([
      { label: 'a', name: 'x.png' },
      { label: 'a', name: 'x.png' },
      { label: 'a', name: 'X.PNG' },
      { label: 'b', name: 'x.png' },
      { label: 'a', name: 'x-2.png' },
      { label: 'a', name: 'README' },
      { label: 'a', name: 'README' },
      { label: 'a', name: '.hidden' },
      { label: 'a', name: '.hidden' },
    ]);
    expect(paths).toEqual([
      'data/a/x.png',
      'data/a/x-2.png',
      'data/a/X-3.PNG',
      'data/b/x.png',
      'data/a/x-2-2.png',
      'data/a/README',
      'data/a/README-2',
      'data/a/.hidden',
      'data/a/.hidden-2',
    ]);
  });

  it('never leaves data/: separators and dot folders in names become _', () => {
    expect(safeSegment('a/b\\c')).toBe('a_b_c');
    expect(safeSegment('..')).toBe('_');
    expect(dataPaths([{ label: '..', name: '../../evil.png' }])).toEqual(['data/_/.._.._evil.png']);
  });
});
