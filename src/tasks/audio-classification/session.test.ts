/**
 * The audio task end to end in Node (WASM): clips → log-mel windows → the bundled MobileNetV2 with a
 * new head, trained through the worker's session; evaluated per clip; exported, and the exported
 * frontend.js (imported as the ES module a person gets) with the model reloaded by plain
 * tf.loadLayersModel gives the studio's own probabilities for a clip.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { ONNX_INPUT, ONNX_OUTPUT } from '../../models/export/onnx';
import { createTrainingEngine } from '../../engine/engine';
import { loadBundledBackbone, reloadExport } from '../../test/bundled';
import { startWasm } from '../../test/wasm';
import { createRng } from '../../lib/random';
import type { SessionContext } from '../../worker/sessions';
import type { WorkerEvent } from '../../worker/protocol';
import { AUDIO_DEFAULT_SETTINGS, DEFAULT_AUDIO } from './defaults';
import { audioClassificationSession } from './session';
import { audioSource } from './source';
import type { WorkerClip } from './types';
import * as frontend from './frontend.js';

const LABELS = ['low', 'high', 'clicks'];

/** A clip of one of three sounds: a low hum, a high whistle, or clicks — with random pitch, rate, length and noise. */
function clip(kind: number, i: number, rate: number): WorkerClip {
  const rng = createRng(kind * 1000 + i);
  const seconds = 0.6 + rng() * 1.2;
  const n = Math.round(seconds * rate);
  const x = new Float32Array(n);
  const f0 = kind === 0 ? 150 + rng() * 100 : 1800 + rng() * 800;
  const every = Math.round(rate * (0.05 + rng() * 0.05));
  let phase = 0;
  for (let t = 0; t < n; t++) {
    phase += (2 * Math.PI * f0) / rate;
    const tone = kind === 2 ? (t % every < rate / 1000 ? 0.8 * (rng() * 2 - 1) : 0) : 0.4 * Math.sin(phase);
    x[t] = tone + 0.02 * (rng() * 2 - 1);
  }
  return { id: `${LABELS[kind]}/${i}.wav`, label: kind, samples: x, sampleRate: rate };
}

const settings = {
  ...AUDIO_DEFAULT_SETTINGS,
  imageSize: 64,
  epochs: 5,
  batchSize: 8,
  learningRate: 0.003,
  headLayer: 'output',
  earlyStopping: { ...AUDIO_DEFAULT_SETTINGS.earlyStopping, enabled: false },
  augmentation: { ...AUDIO_DEFAULT_SETTINGS.augmentation, variants: 2 },
};

beforeAll(async () => {
  await startWasm();
  ort.env.wasm.numThreads = 1;
});

describe('audio windows', () => {
  it('draws the same pixels as frontend.features, and augments reproducibly for a seed', async () => {
    const c = clip(2, 1, 22050);
    const fe = { ...DEFAULT_AUDIO.frontend, imageSize: 64, inputRange: [0, 1] as [number, number] };
    const src = audioSource([c], fe, DEFAULT_AUDIO.augment);
    const { data, shape } = frontend.features(c.samples, c.sampleRate, fe);
    expect(shape[0]).toBe(src.ids.length);
    const px = await src.pixels(
      src.ids.map((_, i) => i),
      64,
    );
    expect(Math.max(...px.map((v, i) => Math.abs(v - (data[i] ?? 0))))).toBeLessThan(1e-6);
    const a = await src.augment!.pixels([0], 64, createRng(3));
    const b = await src.augment!.pixels([0], 64, createRng(3));
    const other = await src.augment!.pixels([0], 64, createRng(4));
    expect(a).toEqual(b);
    expect(a.some((v, i) => Math.abs(v - (other[i] ?? 0)) > 0.05)).toBe(true);
  });
});

describe('the audio session', () => {
  it('trains, evaluates per clip, and exports a zip whose frontend.js and model give the studio’s probabilities', async () => {
    const engine = createTrainingEngine(tf);
    await engine.loadModel('mobilenet-v2', 'MobileNetV2', loadBundledBackbone, [-1, 1]);
    const events: WorkerEvent[] = [];
    const ctx: SessionContext = { post: (e) => events.push(e), backend: () => 'wasm', checkDevice: () => {} };
    const session = audioClassificationSession(ctx, { engine, load: async () => engine.summary()! });
    const train = [0, 1, 2].flatMap((k) => Array.from({ length: 8 }, (_, i) => clip(k, i, i % 2 ? 16000 : 44100)));
    const val = [0, 1, 2].flatMap((k) => Array.from({ length: 4 }, (_, i) => clip(k, 100 + i, 16000)));
    const result = await session.train({ settings, labels: LABELS, train, val });
    expect(result.epochsCompleted).toBe(5);
    const record = engine.record()!;
    expect(record.task).toBe('audio-classification');
    expect(record.settings.audio?.frontend.imageSize).toBe(64);
    expect(record.settings.audio?.frontend.inputRange).toEqual([-1, 1]);

    const evaluation = await session.evaluate({ clips: val });
    expect(evaluation.predictions).toHaveLength(val.length);
    expect(evaluation.windows).toBeGreaterThan(val.length);
    expect(evaluation.uar).toBeGreaterThan(0.8);
    expect(engine.record()?.metrics.evaluation?.uar).toBe(evaluation.uar);

    const { files } = await session.export({ format: 'tfjs', name: 'tones' });
    const names = files.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['model.json', 'weights.bin', 'metadata.json', 'frontend.js', 'README.md']));
    const text = (name: string) => new TextDecoder().decode(files.find((f) => f.name === name)!.data);
    const meta = JSON.parse(text('metadata.json'));
    expect(meta.task).toBe('audio-classification');
    expect(meta.labels).toEqual(LABELS);
    expect(meta.frontend.imageSize).toBe(64);

    // frontend.js as a person gets it: written out and imported, no imports of its own.
    const dir = mkdtempSync(join(tmpdir(), 'audio-export-'));
    writeFileSync(join(dir, 'frontend.js'), text('frontend.js'));
    expect(text('frontend.js')).not.toMatch(/^import /m);
    const exported = (await import(pathToFileURL(join(dir, 'frontend.js')).href)) as typeof frontend;
    expect(exported.SETTINGS.imageSize).toBe(64);
    const model = await reloadExport(files);
    for (const c of [val[0]!, val[5]!, val[10]!]) {
      const studio = await session.infer({ samples: c.samples, sampleRate: c.sampleRate });
      const { data, shape } = exported.features(c.samples, c.sampleRate);
      const probs = tf.tidy(() => (model.predict(tf.tensor(data, shape)) as tf.Tensor).mean(0).arraySync() as number[]);
      const diff = Math.max(...probs.map((p, i) => Math.abs(p - (studio.probabilities[i] ?? 0))));
      expect(diff).toBeLessThan(1e-4);
    }
    model.dispose();

    // The ONNX download: the same windows in, the same probabilities out.
    const onnx = await session.export({ format: 'onnx', name: 'tones' });
    const ortSession = await ort.InferenceSession.create(new Uint8Array(onnx.files[0]!.data), { executionProviders: ['wasm'] });
    const c = val[3]!;
    const { data, shape } = exported.features(c.samples, c.sampleRate);
    const out = (await ortSession.run({ [ONNX_INPUT]: new ort.Tensor('float32', data, shape) }))[ONNX_OUTPUT]!;
    const rows = out.data as Float32Array;
    const k = LABELS.length;
    const windows = shape[0]!;
    const mean = LABELS.map((_, j) => Array.from({ length: windows }, (_, w) => rows[w * k + j]!).reduce((a, b) => a + b, 0) / windows);
    const studio = await session.infer({ samples: c.samples, sampleRate: c.sampleRate });
    expect(Math.max(...mean.map((p, j) => Math.abs(p - (studio.probabilities[j] ?? 0))))).toBeLessThan(1e-4);
  }, 240_000);
});
