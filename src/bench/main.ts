/**
 * The benchmark page (bench.html): trains the same model on the same data with the studio's worker
 * and with a plain `model.fit` baseline, side by side, and hands bench/run.mjs the raw measurements:
 * each epoch's milliseconds and tensor count, the time to a trained model, and main-thread long tasks.
 * bench/table.mjs turns them into results.json's numbers.
 */
import { createTrainingClient } from '../worker/client';
import { presetTrainable, type FreezePreset } from '../models/freeze';
import { DEFAULT_SETTINGS, NO_AUGMENTATION, type BackendName, type TrainSettings } from '../engine/types';
import { SEG_DEFAULT_SETTINGS } from '../tasks/image-segmentation/defaults';
import { DEFAULT_SEG_LOSS } from '../tasks/image-segmentation/types';
import type { BaselineEvent, BaselineRequest, SegBaselineRequest } from './protocol';
import { makeBenchImages } from './data';

/** One image–mask pair as bench/run.mjs sends it: the PNG file and the class map (size × size), base64. */
export interface SegPairSpec {
  image: string;
  mask: string;
}

/** One case as bench/cases.mjs lists it, with the backend resolved. */
export interface BenchSpec {
  id: string;
  /** Absent: image classification. */
  task?: 'image-classification' | 'image-segmentation';
  preset: FreezePreset;
  backend: BackendName;
  imageSize: number;
  batchSize: number;
  epochs: number;
  images: number;
  /** Segmentation: the pairs (made in Node by scripts/make-seg-sample.mjs) and their class names. */
  pairs?: SegPairSpec[];
  classes?: string[];
}

interface Failed {
  error: string;
}

export interface StudioRaw {
  epoch_ms: number[];
  tensors: number[];
  /** From sending the train command until it resolves. */
  total_ms: number;
  /** From sending the train command until its first training step (decoding, resizing, the cache). */
  prepare_ms: number;
  /** From the start of the frozen-prefix cache until the first training step; 0 when nothing is cached. */
  cache_ms: number;
  /** Durations of the main thread's long tasks while the studio trained. */
  long_tasks: number[];
}

export interface BaselineRaw {
  epoch_ms: number[];
  tensors: number[];
  total_ms: number;
  prepare_ms: number;
}

export interface BenchRaw {
  id: string;
  task: 'image-classification' | 'image-segmentation';
  preset: FreezePreset['kind'];
  backend: string;
  imageSize: number;
  batchSize: number;
  images: number;
  epochs: number;
  trainable_layers: number;
  trainable_blocks: string[];
  studio: StudioRaw | Failed;
  baseline: BaselineRaw | Failed;
}

const log = (msg: string) => {
  const el = document.getElementById('log');
  if (el) el.textContent += `\n${msg}`;
  console.log(msg);
};

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function runBaseline(req: BaselineRequest | SegBaselineRequest): Promise<BaselineRaw> {
  const worker = new Worker(new URL('./baseline.worker.ts', import.meta.url), { type: 'module' });
  const epoch_ms: number[] = [];
  const tensors: number[] = [];
  try {
    const done = await new Promise<{ prepareMs: number; totalMs: number }>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<BaselineEvent>) => {
        const ev = e.data;
        if (ev.type === 'epoch') {
          epoch_ms.push(ev.ms);
          tensors.push(ev.numTensors);
          log(`baseline epoch ${ev.epoch}: ${ev.ms.toFixed(0)} ms`);
        } else if (ev.type === 'done') resolve(ev);
        else reject(new Error(ev.message));
      };
      worker.onerror = (e) => reject(new Error(e.message || 'the baseline worker crashed'));
      worker.postMessage(req);
    });
    log(`baseline total ${done.totalMs.toFixed(0)} ms`);
    return { epoch_ms, tensors, total_ms: done.totalMs, prepare_ms: done.prepareMs };
  } finally {
    worker.terminate();
  }
}

async function runCase(spec: BenchSpec): Promise<BenchRaw> {
  return spec.task === 'image-segmentation' ? runSegCase(spec) : runClassificationCase(spec);
}

async function runClassificationCase(spec: BenchSpec): Promise<BenchRaw> {
  const { backend, imageSize, batchSize, epochs } = spec;
  const wasmPath = new URL('./wasm/', location.href).href;
  const modelUrl = new URL('./models/mobilenet-v2/model.json', location.href).href;
  const images = await makeBenchImages(spec.images, 4, 96, 1);

  const client = createTrainingClient();
  const { backend: real } = await client.call({ kind: 'init', backend, wasmPath });
  const summary = await client.call({
    kind: 'load',
    task: 'image-classification',
    source: 'url',
    modelId: 'mobilenet-v2',
    url: modelUrl,
  });
  const trainable = [...presetTrainable(summary.layers, spec.preset)];
  const blocks = [...new Set(summary.layers.filter((l) => trainable.includes(l.name)).map((l) => l.block))];
  const settings: TrainSettings = {
    ...DEFAULT_SETTINGS,
    seed: 1,
    epochs,
    batchSize,
    imageSize,
    mode: trainable.length ? 'fine-tune' : 'head-only',
    trainableLayers: trainable,
    headLayer: 'output', // the throughput of the whole backbone, as every earlier measurement
  };

  const watch = watchStudio(client);
  let studio: StudioRaw | Failed;
  const sent = performance.now();
  try {
    await client.call({
      kind: 'train',
      task: 'image-classification',
      settings,
      labels: ['circle', 'square', 'triangle', 'ellipse'],
      train: images.map((im, i) => ({ id: `b${i}`, label: im.label, blob: im.blob })),
      val: [],
    });
    studio = watch.finish(sent);
  } catch (err) {
    watch.stop();
    studio = { error: message(err) };
    log(`studio failed: ${studio.error}`);
  } finally {
    client.cancel();
  }

  let baseline: BaselineRaw | Failed;
  try {
    baseline = await runBaseline({
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
  } catch (err) {
    baseline = { error: message(err) };
    log(`baseline failed: ${baseline.error}`);
  }
  return {
    id: spec.id,
    task: 'image-classification',
    preset: spec.preset.kind,
    backend: real,
    imageSize,
    batchSize,
    images: spec.images,
    epochs,
    trainable_layers: trainable.length,
    trainable_blocks: blocks,
    studio,
    baseline,
  };
}

const fromBase64 = (b64: string): Uint8Array => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/** Studio measurements from the worker's events while `train` runs: epochs, tensors, the cache, long tasks. */
function watchStudio(client: ReturnType<typeof createTrainingClient>) {
  const longTasks: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push(e.duration);
  });
  observer.observe({ type: 'longtask', buffered: false });
  const epoch_ms: number[] = [];
  const tensors: number[] = [];
  let cacheStart: number | null = null;
  let trainStart: number | null = null;
  client.onEvent((e) => {
    if (e.type === 'phase' && e.phase === 'caching') cacheStart ??= performance.now();
    if (e.type === 'phase' && e.phase === 'training') trainStart ??= performance.now();
    if (e.type === 'epoch' && e.metrics.epoch > 0) {
      epoch_ms.push(e.metrics.ms);
      tensors.push(e.metrics.numTensors);
      log(`studio epoch ${e.metrics.epoch}: ${e.metrics.ms} ms, ${e.metrics.numTensors} tensors`);
    }
  });
  return {
    finish(sent: number): StudioRaw {
      observer.disconnect();
      const total = performance.now() - sent;
      const started = trainStart ?? sent;
      log(`studio total ${total.toFixed(0)} ms`);
      return {
        epoch_ms,
        tensors,
        total_ms: total,
        prepare_ms: started - sent,
        cache_ms: cacheStart === null ? 0 : started - cacheStart,
        long_tasks: longTasks,
      };
    },
    stop: () => observer.disconnect(),
  };
}

/**
 * A segmentation case: the studio's worker trains the U-Net segmenter through its `train` verb
 * (task 'image-segmentation'; decoder only means the encoder frozen and cached), then the baseline
 * worker trains the same model with `model.fit`. Same pairs, size, frozen layers, optimizer, learning
 * rate, loss, batch size and epochs. No augmentation and no validation split on either side, so both
 * do the same work: the studio's default flips would double its cache, and the baseline has none.
 */
async function runSegCase(spec: BenchSpec): Promise<BenchRaw> {
  const { backend, imageSize, batchSize, epochs } = spec;
  const classes = spec.classes ?? ['background', 'nucleus', 'cell'];
  const wasmPath = new URL('./wasm/', location.href).href;
  const modelUrl = new URL('./models/mobilenet-v2/model.json', location.href).href;
  const pairs = (spec.pairs ?? []).map((p) => ({
    blob: new Blob([fromBase64(p.image) as BlobPart], { type: 'image/png' }),
    mask: fromBase64(p.mask),
  }));
  if (pairs.length !== spec.images) throw new Error(`the case lists ${spec.images} pairs, ${pairs.length} were sent`);

  const client = createTrainingClient();
  const { backend: real } = await client.call({ kind: 'init', backend, wasmPath });
  const summary = await client.call({ kind: 'load', task: 'image-segmentation', source: 'url', modelId: 'mobilenet-v2', url: modelUrl });
  const trainable = [...presetTrainable(summary.layers, spec.preset)];
  const blocks = [...new Set(summary.layers.filter((l) => trainable.includes(l.name)).map((l) => l.block))];
  // The baseline's loss has no class weights; the studio's default has none either.
  const loss = { ...(SEG_DEFAULT_SETTINGS.segmentation ?? DEFAULT_SEG_LOSS), classWeights: 'none' as const };
  const settings: TrainSettings = {
    ...SEG_DEFAULT_SETTINGS,
    segmentation: loss,
    seed: 1,
    epochs,
    batchSize,
    imageSize,
    mode: trainable.length ? 'fine-tune' : 'head-only',
    trainableLayers: trainable,
    augmentation: NO_AUGMENTATION,
    backboneLrMultiplier: 1, // one learning rate for every trainable layer, as the baseline's one Adam
    earlyStopping: { ...SEG_DEFAULT_SETTINGS.earlyStopping, enabled: false },
  };

  const watch = watchStudio(client);
  let studio: StudioRaw | Failed;
  const sent = performance.now();
  try {
    await client.call({
      kind: 'train',
      task: 'image-segmentation',
      settings,
      labels: classes,
      // Copies: the baseline gets its own masks.
      train: pairs.map((p, i) => ({ id: `p${i}`, blob: p.blob, mask: p.mask.slice(), width: imageSize, height: imageSize })),
      val: [],
    });
    studio = watch.finish(sent);
  } catch (err) {
    watch.stop();
    studio = { error: message(err) };
    log(`studio failed: ${studio.error}`);
  } finally {
    client.cancel();
  }

  let baseline: BaselineRaw | Failed;
  try {
    baseline = await runBaseline({
      kind: 'segmentation',
      backend: real,
      wasmPath,
      modelUrl,
      pairs,
      numClasses: classes.length,
      imageSize,
      inputRange: summary.inputRange,
      batchSize,
      epochs,
      trainable,
      learningRate: settings.learningRate,
      diceWeight: loss.diceWeight,
      seed: settings.seed,
    });
  } catch (err) {
    baseline = { error: message(err) };
    log(`baseline failed: ${baseline.error}`);
  }
  return {
    id: spec.id,
    task: 'image-segmentation',
    preset: spec.preset.kind,
    backend: real,
    imageSize,
    batchSize,
    images: spec.images,
    epochs,
    trainable_layers: trainable.length,
    trainable_blocks: blocks,
    studio,
    baseline,
  };
}

declare global {
  interface Window {
    runBenchCase?: typeof runCase;
  }
}
window.runBenchCase = runCase;
log('ready');
