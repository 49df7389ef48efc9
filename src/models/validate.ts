/**
 * Checks a TF.js model.json and its weight files before anything is loaded: plain data in, a typed
 * error naming the problem out. No tfjs here, so it runs (and is tested) in Node.
 */
import { StudioError } from '../lib/errors';

/** The largest model the studio imports: weights plus model.json. */
export const MAX_MODEL_BYTES = 500_000_000;

export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}

export interface WeightGroup {
  paths: string[];
  weights: WeightEntry[];
}

export interface ModelJson {
  format?: string;
  modelTopology?: unknown;
  weightsManifest: WeightGroup[];
  [key: string]: unknown;
}

/** A file the user gave, by name and size. */
export interface GivenFile {
  name: string;
  size: number;
}

const DTYPE_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  uint8: 1,
  uint16: 2,
  float16: 2,
  bool: 1,
  complex64: 8,
  int8: 1,
  int16: 2,
};

export function baseName(path: string): string {
  const clean = path.split(/[?#]/)[0] ?? path;
  const parts = clean.split('/');
  return parts[parts.length - 1] ?? clean;
}

/** Whether a model.json is a TF.js graph model (from the converter's `format` field). */
export function isGraphModel(json: Pick<ModelJson, 'format'>): boolean {
  return json.format === 'graph-model';
}

/** Parses and shape-checks a model.json; `source` (a file name or URL) goes into the message. */
export function parseModelJson(text: string, source: string): ModelJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new StudioError(
      'model-invalid',
      `${source} is not valid JSON, so it is not a TF.js model.json. Pick the model.json that came with the weight files.`,
    );
  }
  const json = raw as Partial<ModelJson> | null;
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new StudioError(
      'model-invalid',
      `${source} is not a TF.js model.json: it has no modelTopology or weightsManifest. Convert the model with tensorflowjs_converter first.`,
    );
  }
  for (const group of json.weightsManifest) {
    if (!group || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new StudioError('model-invalid', `${source} has a malformed weightsManifest (each group needs paths and weights).`);
    }
  }
  return json as ModelJson;
}

/** Bytes one weight takes in the weight files (quantised weights take their stored dtype's size). */
export function weightBytes(w: WeightEntry): number {
  const count = w.shape.reduce((a, b) => a * b, 1);
  const dtype = w.quantization?.dtype ?? w.dtype;
  const size = DTYPE_BYTES[dtype];
  if (size === undefined) {
    throw new StudioError('model-invalid', `Weight ${w.name} has dtype ${dtype}, which the studio cannot import.`);
  }
  return count * size;
}

/** Bytes the weight files of one manifest group should hold together. */
export function groupBytes(group: WeightGroup): number {
  return group.weights.reduce((s, w) => s + weightBytes(w), 0);
}

/** Bytes of every weight file a model.json lists. */
export function manifestBytes(json: ModelJson): number {
  return json.weightsManifest.reduce((s, g) => s + groupBytes(g), 0);
}

/** Every weight file path a model.json lists, in order. */
export function weightPaths(json: ModelJson): string[] {
  return json.weightsManifest.flatMap((g) => g.paths);
}

/**
 * Checks that every weight file the manifest lists is among `files` (by base name) and that each
 * group's files add up to the bytes its weights need, and that the whole stays under the size limit.
 * Returns the given files in manifest order.
 */
export function checkWeightFiles<F extends GivenFile>(json: ModelJson, files: readonly F[], source = 'model.json'): F[] {
  const byName = new Map(files.map((f) => [baseName(f.name), f]));
  const missing = weightPaths(json).filter((p) => !byName.has(baseName(p)));
  if (missing.length > 0) {
    const list = missing.map(baseName).join(', ');
    throw new StudioError(
      'model-invalid',
      `${source} lists the weight file${missing.length === 1 ? '' : 's'} ${list}, which ${missing.length === 1 ? 'was' : 'were'} not given. ` +
        'Pick or drop model.json together with all of its .bin files.',
    );
  }
  const ordered: F[] = [];
  let total = 0;
  for (const group of json.weightsManifest) {
    const groupFiles = group.paths.map((p) => byName.get(baseName(p)) as F);
    const have = groupFiles.reduce((s, f) => s + f.size, 0);
    const want = groupBytes(group);
    if (have !== want) {
      const names = group.paths.map(baseName).join(', ');
      throw new StudioError(
        'model-invalid',
        `The weight file${group.paths.length === 1 ? '' : 's'} ${names} hold${group.paths.length === 1 ? 's' : ''} ${have.toLocaleString('en')} bytes, but ${source} needs ${want.toLocaleString('en')}. ` +
          'The files may be truncated or belong to another model; download them again.',
      );
    }
    total += have;
    ordered.push(...groupFiles);
  }
  checkSize(total);
  return ordered;
}

export function checkSize(bytes: number): void {
  if (bytes > MAX_MODEL_BYTES) {
    throw new StudioError(
      'model-invalid',
      `This model's weights take ${(bytes / 1e6).toFixed(0)} MB; the studio imports models up to ${MAX_MODEL_BYTES / 1e6} MB. Pick a smaller model.`,
    );
  }
}

/** Which of the given files is the model.json: the only .json, or the one named model.json. */
export function pickModelJson<F extends GivenFile>(files: readonly F[]): F {
  const jsons = files.filter((f) => /\.json$/i.test(f.name));
  const named = jsons.find((f) => baseName(f.name).toLowerCase() === 'model.json');
  const pick = named ?? (jsons.length === 1 ? jsons[0] : undefined);
  if (!pick) {
    throw new StudioError(
      'model-invalid',
      jsons.length === 0
        ? 'No model.json among the files. Pick a TF.js model: its model.json together with its .bin weight files.'
        : `Several .json files were given (${jsons.map((f) => f.name).join(', ')}); give only the model's model.json and its .bin files.`,
    );
  }
  return pick;
}

/** A plain sentence for a tfjs deserialisation failure (unknown layer classes named). */
export function describeLoadFailure(err: unknown): StudioError {
  const text = err instanceof Error ? err.message : String(err);
  const unknown =
    /Unknown (layer|op|initializer|regularizer|constraint|activation)[^:]*:\s*'?([\w.]+)'?/i.exec(text) ??
    /(op) is not supported:\s*'?([\w.]+)/i.exec(text);
  if (unknown) {
    const kind = (unknown[1] ?? 'layer').toLowerCase();
    const name = unknown[2] ?? 'unknown';
    return new StudioError(
      'model-invalid',
      `The model uses ${kind === 'op' ? 'an op' : `a ${kind}`} TF.js does not know: ${name}. ` +
        'Custom layers cannot be imported; rebuild the model with standard Keras layers, or pick another model.',
      { cause: err },
    );
  }
  return new StudioError('model-invalid', `The model could not be built: ${text.split('\n')[0] ?? text}.`, { cause: err });
}
