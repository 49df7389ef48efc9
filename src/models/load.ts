/**
 * Loads TF.js models — from the studio's own files, a hosted URL (with download progress and a
 * browser cache), or files a person gave — with errors a person can act on.
 * Layers models that end in a classifier are cut at their last feature map; graph models become
 * frozen feature extractors (see graph-adapter.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { StudioError } from '../lib/errors';
import { openModelCache } from '../storage/model-cache';
import { cutClassifier, cutTeachable } from './cut';
import { flattenModel, hasNestedModels } from './flatten';
import { GRAPH_LAYER_NAME, wrapGraphModel } from './graph-adapter';
import {
  baseName,
  checkSize,
  checkWeightFiles,
  describeLoadFailure,
  groupBytes,
  isGraphModel,
  manifestBytes,
  parseModelJson,
  pickModelJson,
  type ModelJson,
} from './validate';

export type ProgressFn = (loaded: number, total: number) => void;

/** A model.json and the bytes of every weight file it lists, in manifest order. */
export interface ModelArtifactsRaw {
  json: ModelJson;
  weights: ArrayBuffer;
}

export interface LoadedBackbone {
  model: tf.LayersModel;
  format: 'layers' | 'graph';
  notes: string[];
  /** For graph models: values in the graph (its one layer holds no Layers weights). */
  graphParams?: number;
  /** A studio export's own head, to continue training with its labels. */
  head?: { kernel: tf.Tensor; bias: tf.Tensor } | null;
}

// ------------------------------------------------------------------ URLs

function fetchFailure(url: string, err: unknown): StudioError {
  if (err instanceof StudioError) return err;
  return new StudioError(
    'model-load-failed',
    `The model at ${url} could not be fetched: the server did not answer, or it refused a cross-origin request (CORS). ` +
      'Check the address and your connection; if the server does not allow CORS, download model.json and its .bin files and import them as files.',
    { cause: err },
  );
}

function httpFailure(url: string, status: number): StudioError {
  return new StudioError(
    'model-load-failed',
    `The server answered HTTP ${status} for ${url}. Check the address (it should end in model.json), or download the files and import them.`,
  );
}

/** Reads a response body chunk by chunk, reporting bytes as they arrive. */
async function readWithProgress(res: Response, onChunk: (bytes: number) => void): Promise<Uint8Array> {
  const reader = res.body?.getReader();
  if (!reader) {
    const buf = new Uint8Array(await res.arrayBuffer());
    onChunk(buf.byteLength);
    return buf;
  }
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    n += value.byteLength;
    onChunk(value.byteLength);
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

async function get(url: string, cache: Cache | null): Promise<Response> {
  const hit = cache ? await cache.match(url).catch(() => undefined) : undefined;
  if (hit) return hit;
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw fetchFailure(url, err);
  }
  if (!res.ok) throw httpFailure(url, res.status);
  return res;
}

/**
 * Downloads model.json and its weight files, reporting bytes; with `keep`, stores them in the
 * browser cache and serves them from there next time.
 */
export async function fetchModel(url: string, opts: { keep?: boolean; onProgress?: ProgressFn } = {}): Promise<ModelArtifactsRaw> {
  const cache = opts.keep ? await openModelCache() : null;
  const jsonRes = await get(url, cache);
  const jsonText = await jsonRes.text().catch((err: unknown) => {
    throw fetchFailure(url, err);
  });
  const json = parseModelJson(jsonText, url);
  const total = manifestBytes(json);
  checkSize(total);
  const weights = new Uint8Array(total);
  let loaded = 0;
  opts.onProgress?.(0, total);
  const fresh: { url: string; bytes: Uint8Array }[] = [];
  for (const group of json.weightsManifest) {
    const start = loaded;
    for (const path of group.paths) {
      const shardUrl = new URL(path, url).href;
      const res = await get(shardUrl, cache);
      const bytes = await readWithProgress(res, (n) => opts.onProgress?.(Math.min(total, loaded + n), total)).catch((err: unknown) => {
        throw fetchFailure(shardUrl, err);
      });
      if (loaded + bytes.byteLength > total) {
        throw new StudioError(
          'model-invalid',
          `The weight file ${baseName(path)} is larger than ${baseName(url)} says; the files may belong to another model.`,
        );
      }
      weights.set(bytes, loaded);
      loaded += bytes.byteLength;
      opts.onProgress?.(loaded, total);
      fresh.push({ url: shardUrl, bytes });
    }
    if (loaded - start !== groupBytes(group)) {
      throw new StudioError(
        'model-invalid',
        `The weight files ${group.paths.map(baseName).join(', ')} hold ${(loaded - start).toLocaleString('en')} bytes, but model.json needs ${groupBytes(group).toLocaleString('en')}.`,
      );
    }
  }
  if (cache) {
    // Weights first, model.json last: a cached model.json means the whole model is there.
    await Promise.all(
      fresh.map((f) => cache.put(f.url, new Response(new Blob([f.bytes as Uint8Array<ArrayBuffer>]))).catch(() => undefined)),
    );
    await cache.put(url, new Response(jsonText, { headers: { 'content-type': 'application/json' } })).catch(() => undefined);
  }
  return { json, weights: weights.buffer };
}

// ------------------------------------------------------------------ files

export interface NamedBlob {
  name: string;
  blob: Blob;
}

/** Validates model.json and the given weight files, then joins the weights in manifest order. */
export async function readModelFiles(files: readonly NamedBlob[]): Promise<ModelArtifactsRaw> {
  const sized = files.map((f) => ({ ...f, size: f.blob.size }));
  const jsonFile = pickModelJson(sized);
  const json = parseModelJson(await jsonFile.blob.text(), jsonFile.name);
  const ordered = checkWeightFiles(json, sized, baseName(jsonFile.name));
  const weights = await new Blob(ordered.map((f) => f.blob)).arrayBuffer();
  return { json, weights };
}

// ------------------------------------------------------------------ building

/** Builds a backbone from model.json + weights: cut at the features (Layers) or wrapped (graph). */
export async function buildBackbone(
  raw: ModelArtifactsRaw,
  opts: { key: string; inputSize: number; teachable?: boolean },
): Promise<LoadedBackbone> {
  const artifacts = await tf.io.getModelArtifactsForJSON(raw.json as unknown as tf.io.ModelJSON, async (manifest) => [
    manifest.flatMap((g) => g.weights),
    raw.weights,
  ]);
  const handler: tf.io.IOHandler = { load: async () => artifacts };
  if (isGraphModel(raw.json)) {
    let graph: tf.GraphModel;
    try {
      graph = await tf.loadGraphModel(handler);
    } catch (err) {
      throw describeLoadFailure(err);
    }
    try {
      const wrapped = wrapGraphModel(tf, graph, opts.key, opts.inputSize);
      return {
        model: wrapped.model,
        format: 'graph',
        graphParams: wrapped.params,
        notes: [
          `A TF.js graph model: it runs as one frozen feature extractor (${GRAPH_LAYER_NAME}); graph models cannot be trained, so only the new head trains.`,
        ],
      };
    } catch (err) {
      graph.dispose();
      throw new StudioError(
        'model-invalid',
        `This graph model cannot be used as a feature extractor: ${err instanceof Error ? (err.message.split('\n')[0] ?? '') : 'unknown error'}. Graph models with control flow (executeAsync) are not supported.`,
        { cause: err },
      );
    }
  }
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(handler);
  } catch (err) {
    throw describeLoadFailure(err);
  }
  if (model.inputs.length !== 1 || (model.inputs[0]?.shape.length ?? 0) !== 4) {
    model.dispose();
    throw new StudioError(
      'model-invalid',
      'The studio imports image models with one input of shape [height, width, channels]; this model has another input.',
    );
  }
  const opened = await openNestedModels(model);
  model = opened.model;
  const cut = (opts.teachable ? cutTeachable(tf, model) : null) ?? cutClassifier(tf, model);
  return { model: cut.model, format: 'layers', notes: [...opened.notes, ...(cut.note ? [cut.note] : [])], head: cut.head };
}

/**
 * A model with nested models inside (Teachable Machine's, or any Sequential/Model used as a layer)
 * becomes one flat model of its real layers, so each can be listed, frozen, trained and exported.
 * When that is not possible (a layer used twice), the model stays as it was, and the note says so.
 */
async function openNestedModels(model: tf.LayersModel): Promise<{ model: tf.LayersModel; notes: string[] }> {
  if (!hasNestedModels(model)) return { model, notes: [] };
  try {
    const flat = await flattenModel(tf, model);
    model.dispose(); // the flat layers keep the weights' data
    const n = flat.containers.length;
    const notes = [
      `Its nested model${n === 1 ? '' : 's'} (${flat.containers.join(', ')}) ${n === 1 ? 'was' : 'were'} opened: all ${flat.model.layers.length} real layers are listed, and each can be frozen or trained.`,
    ];
    if (flat.renamed.length) {
      notes.push(`Renamed to keep layer names unique: ${flat.renamed.map((r) => `${r.from} → ${r.to}`).join(', ')}.`);
    }
    return { model: flat.model, notes };
  } catch (err) {
    const why = err instanceof Error ? (err.message.split('\n')[0] ?? '') : 'unknown reason';
    return { model, notes: [`Its nested models stay single layers (they could not be opened: ${why}); they train or freeze as a whole.`] };
  }
}
