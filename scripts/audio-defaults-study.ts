/**
 * How audio settings do on the built-in voices sample, judged on voices never heard: trains in Node on
 * WASM (the studio's worker session and engine) on public/samples/voices (12 voices) split by voice
 * as the studio splits it, then scores per clip on a held-out set of 6 other voices made by
 * scripts/make-audio-sample.mjs (--first-voice 101 --seed 7). Prints validation and held-out UAR per
 * configuration.
 * `npx tsx --import ./scripts/lib/raw-loader.mjs scripts/audio-defaults-study.ts [name ...]`
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createTrainingEngine } from '../src/engine/engine';
import type { TrainSettings } from '../src/engine/types';
import { startWasm } from '../src/test/wasm';
import { audioSplitOf } from '../src/data/audio-split';
import { parseWav, toMono } from '../src/data/wav';
import { buildBackbone } from '../src/models/load';
import { AUDIO_DEFAULT_SETTINGS } from '../src/tasks/audio-classification/defaults';
import { audioClassificationSession } from '../src/tasks/audio-classification/session';
import type { WorkerClip } from '../src/tasks/audio-classification/types';
import { writeAudioSample } from './make-audio-sample.mjs';

const root = join(import.meta.dirname, '..');
const LABELS = ['angry', 'happy', 'neutral', 'sad'];

function readClips(dir: string): (WorkerClip & { voice: string })[] {
  return LABELS.flatMap((label, k) =>
    readdirSync(join(dir, label))
      .filter((f) => f.endsWith('.wav'))
      .sort()
      .map((f) => {
        const wav = parseWav(new Uint8Array(readFileSync(join(dir, label, f))));
        return { id: `${label}/${f}`, label: k, samples: toMono(wav), sampleRate: wav.sampleRate, voice: /^(v\d+)_/.exec(f)?.[1] ?? f };
      }),
  );
}

async function loadModel(id: string) {
  const dir = join(root, 'public/models', id);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const bin = readFileSync(join(dir, 'weights.bin'));
  return buildBackbone({ json, weights: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) } as never, {
    key: id,
    inputSize: 224,
  });
}

const CONFIGS: Record<string, { model: string; settings: Partial<TrainSettings> }> = {
  defaults: { model: 'mobilenet-v2', settings: {} },
  'mnv2-lr3e-3': { model: 'mobilenet-v2', settings: { learningRate: 0.003 } },
  'mnv2-block16': { model: 'mobilenet-v2', settings: { headLayer: 'block_16_project_BN' } },
  'mnv2-128': { model: 'mobilenet-v2', settings: { imageSize: 128 } },
  'scratch-full': { model: 'small-cnn', settings: { mode: 'fine-tune', headLayer: 'output', learningRate: 0.001, epochs: 30 } },
};

await startWasm();
const train = readClips(join(root, 'public/samples/voices'));
const heldDir = mkdtempSync(join(tmpdir(), 'voices-held-'));
writeAudioSample({ out: heldDir, voices: 6, clipsPerVoice: 6, seed: 7, firstVoice: 101 });
const held = readClips(heldDir);
const wanted = process.argv.slice(2);
for (const [name, cfg] of Object.entries(CONFIGS)) {
  if (wanted.length && !wanted.includes(name)) continue;
  const engine = createTrainingEngine(tf);
  const built = await loadModel(cfg.model);
  await engine.loadModel(cfg.model, cfg.model, async () => built, [-1, 1]);
  const layers = engine
    .summary()!
    .layers.filter((l) => l.hasWeights && !l.name.startsWith('head_'))
    .map((l) => l.name);
  const settings: TrainSettings = { ...AUDIO_DEFAULT_SETTINGS, ...cfg.settings };
  if (settings.mode === 'fine-tune') settings.trainableLayers = layers;
  const split = audioSplitOf(train, settings.validationSplit, settings.seed, (c) => (c as { voice: string }).voice);
  const ids = (xs: string[]) => new Set(xs);
  const [tr, va] = [ids(split.train), ids(split.val)];
  const post = (e: { type: string; phase?: string; done?: number; total?: number; metrics?: unknown; message?: string }) => {
    if (e.type === 'epoch' || e.type === 'log' || (e.type === 'phase' && e.done === e.total))
      console.error(name, JSON.stringify(e).slice(0, 200), Math.round(performance.now() / 1000));
  };
  const session = audioClassificationSession(
    { post: post as never, backend: () => 'wasm', checkDevice: () => {} },
    { engine, load: async () => engine.summary()! },
  );
  const started = performance.now();
  const result = await session.train({
    settings,
    labels: LABELS,
    train: train.filter((c) => tr.has(c.id)),
    val: train.filter((c) => va.has(c.id)),
  });
  const seconds = (performance.now() - started) / 1000;
  const v = await session.evaluate({ clips: train.filter((c) => va.has(c.id)) });
  const h = await session.evaluate({ clips: held });
  console.log(
    JSON.stringify({
      name,
      epochs: result.epochsCompleted,
      seconds: Math.round(seconds),
      valUar: +v.uar.toFixed(3),
      heldUar: +h.uar.toFixed(3),
      heldAcc: +h.accuracy.toFixed(3),
      confusion: h.confusion,
    }),
  );
}
