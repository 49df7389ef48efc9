/**
 * The benchmark page (bench.html): trains the same model on the same data with the studio's worker
 * and with a plain `model.fit` baseline, and reports milliseconds per epoch (epochs after the
 * first), tensor growth per epoch and main-thread long tasks. Driven by bench/run.mjs.
 */
import { createTrainingClient } from '../worker/client';
import { presetTrainable, type FreezePreset } from '../models/freeze';
import { DEFAULT_SETTINGS, type BackendName, type EpochMetrics, type TrainSettings } from '../engine/types';
import type { BaselineEvent, BaselineRequest } from './protocol';
import { makeBenchImages } from './data';

export interface BenchCaseResult {
  name: string;
  backend: string;
  imageSize: number;
  batchSize: number;
  images: number;
  epochs: number;
  studio_ms_per_epoch: number;
  baseline_ms_per_epoch: number;
  speedup: number;
  studio_first_epoch_ms: number;
  baseline_first_epoch_ms: number;
  tensor_growth_per_epoch: number;
  baseline_tensor_growth_per_epoch: number;
  main_thread_long_tasks: number;
  longest_main_thread_task_ms: number;
}

const log = (msg: string) => {
  const el = document.getElementById('log');
  if (el) el.textContent += `\n${msg}`;
  console.log(msg);
};

const PRESETS: Record<string, FreezePreset> = {
  'head-only': { kind: 'head-only' },
  'top-blocks': { kind: 'top-blocks', blocks: 2 },
  full: { kind: 'full' },
};

function steady(values: number[]): number {
  const rest = values.slice(1);
  return rest.reduce((s, v) => s + v, 0) / Math.max(1, rest.length);
}

function growth(counts: number[]): number {
  const rest = counts.slice(1);
  if (rest.length < 2) return 0;
  return ((rest.at(-1) ?? 0) - (rest[0] ?? 0)) / (rest.length - 1);
}

async function runBaseline(req: BaselineRequest): Promise<{ ms: number[]; tensors: number[] }> {
  const worker = new Worker(new URL('./baseline.worker.ts', import.meta.url), { type: 'module' });
  const ms: number[] = [];
  const tensors: number[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<BaselineEvent>) => {
        const ev = e.data;
        if (ev.type === 'epoch') {
          ms.push(ev.ms);
          tensors.push(ev.numTensors);
          log(`baseline epoch ${ev.epoch}: ${ev.ms.toFixed(0)} ms`);
        } else if (ev.type === 'done') resolve();
        else reject(new Error(ev.message));
      };
      worker.onerror = (e) => reject(new Error(e.message));
      worker.postMessage(req);
    });
  } finally {
    worker.terminate();
  }
  return { ms, tensors };
}

async function runCase(
  name: string,
  backend: BackendName,
  imageSize: number,
  batchSize: number,
  epochs: number,
  count: number,
): Promise<BenchCaseResult> {
  const preset = PRESETS[name];
  if (!preset) throw new Error(`unknown case ${name}`);
  const wasmPath = new URL('./wasm/', location.href).href;
  const modelUrl = new URL('./models/mobilenet-v2/model.json', location.href).href;
  const images = await makeBenchImages(count, 4, 96, 1);

  const longTasks: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push(e.duration);
  });
  observer.observe({ type: 'longtask', buffered: false });

  const client = createTrainingClient();
  const epochsSeen: EpochMetrics[] = [];
  client.onEvent((e) => {
    if (e.type === 'epoch' && e.metrics.epoch > 0) {
      epochsSeen.push(e.metrics);
      log(`studio epoch ${e.metrics.epoch}: ${e.metrics.ms} ms, ${e.metrics.numTensors} tensors`);
    }
  });
  const { backend: real } = await client.call({ kind: 'init', backend, wasmPath });
  const summary = await client.call({ kind: 'loadModel', modelId: 'mobilenet-v2', url: modelUrl });
  const trainable = [...presetTrainable(summary.layers, preset)];
  const settings: TrainSettings = {
    ...DEFAULT_SETTINGS,
    seed: 1,
    epochs,
    batchSize,
    imageSize,
    mode: trainable.length ? 'fine-tune' : 'head-only',
    trainableLayers: trainable,
  };
  const started = performance.now();
  await client.call({
    kind: 'train',
    settings,
    labels: ['circle', 'square', 'triangle', 'ellipse'],
    train: images.map((im, i) => ({ id: `b${i}`, label: im.label, blob: im.blob })),
    val: [],
  });
  const studioTotal = performance.now() - started;
  observer.disconnect();
  client.cancel();
  log(`studio total ${studioTotal.toFixed(0)} ms`);

  const baseline = await runBaseline({
    backend: real,
    wasmPath,
    modelUrl,
    images,
    numClasses: 4,
    imageSize,
    batchSize,
    epochs,
    trainable,
    learningRate: settings.learningRate,
    seed: 1,
  });
  const studioMs = steady(epochsSeen.map((e) => e.ms));
  const baselineMs = steady(baseline.ms);
  return {
    name,
    backend: real,
    imageSize,
    batchSize,
    images: count,
    epochs,
    studio_ms_per_epoch: Math.round(studioMs * 10) / 10,
    baseline_ms_per_epoch: Math.round(baselineMs * 10) / 10,
    speedup: Math.round((baselineMs / Math.max(studioMs, 0.1)) * 100) / 100,
    studio_first_epoch_ms: epochsSeen[0]?.ms ?? 0,
    baseline_first_epoch_ms: Math.round(baseline.ms[0] ?? 0),
    tensor_growth_per_epoch: growth(epochsSeen.map((e) => e.numTensors)),
    baseline_tensor_growth_per_epoch: growth(baseline.tensors),
    main_thread_long_tasks: longTasks.filter((d) => d > 50).length,
    longest_main_thread_task_ms: Math.round(Math.max(0, ...longTasks)),
  };
}

declare global {
  interface Window {
    runBenchCase?: typeof runCase;
  }
}
window.runBenchCase = runCase;
log('ready');
