/**
 * The safetensors format (Hugging Face's `model.safetensors`), read and written without tfjs: an
 * 8-byte little-endian header length N, N bytes of JSON (`{name: {dtype, shape, data_offsets:
 * [begin, end]}, "__metadata__": {string: string}}`, offsets relative to the end of the header), then
 * the tensors' bytes, little-endian, row-major. The first piece of importing Hugging Face
 * checkpoints (issue 13): every float type is read as float32 (F16 and BF16 upcast exactly, F64
 * rounded), integer buffers (BERT's `position_ids`, I64) as float32 too; the writer writes F32.
 *
 * Every problem is a StudioError naming the file and, where there is one, the tensor: a header
 * longer than the file, JSON that is not an object, a dtype the studio does not read, a shape whose
 * size disagrees with its byte range, a range outside the data or overlapping another.
 */
import { StudioError } from '../../lib/errors';

/** Bytes per element of each dtype the reader knows. */
const DTYPE_BYTES = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 } as const;
export type SafetensorsDtype = keyof typeof DTYPE_BYTES;

export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte offsets [begin, end) into the data section. */
  offsets: [number, number];
}

export interface SafetensorsFile {
  /** The tensors' names, in header order. */
  names: string[];
  entries: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
  /** The values of tensor `name` as float32 (upcast or converted); throws for a name the file does not hold. */
  read(name: string): Float32Array;
}

/** Larger headers are refused before parsing (the official library's limit is 100 MB too). */
const MAX_HEADER_BYTES = 100_000_000;

const fail = (file: string, why: string) =>
  new StudioError('model-load-failed', `“${file}” is not a safetensors file the studio can read: ${why}.`);

const sizeOf = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

/** Parses the header of `bytes` (a whole .safetensors file) and checks every entry; values are read on demand. */
export function readSafetensors(bytes: Uint8Array | ArrayBuffer, file = 'model.safetensors'): SafetensorsFile {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (u8.byteLength < 8) throw fail(file, 'it is shorter than its 8-byte header length');
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, u8.byteLength - 8))) {
    throw fail(file, `its header says it is ${headerLength} bytes long, more than the file holds`);
  }
  const n = Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(u8.subarray(8, 8 + n)));
  } catch {
    throw fail(file, 'its header is not valid JSON');
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw fail(file, 'its header is not a JSON object');
  const dataStart = 8 + n;
  const dataLength = u8.byteLength - dataStart;
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (!raw || typeof raw !== 'object' || Object.values(raw).some((v) => typeof v !== 'string')) {
        throw fail(file, 'its __metadata__ is not a map of strings');
      }
      metadata = { ...(raw as Record<string, string>) };
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = e?.dtype;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) {
      throw fail(file, `tensor “${name}” has dtype ${JSON.stringify(dtype)}, which the studio does not read`);
    }
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw fail(file, `tensor “${name}” has no valid shape`);
    }
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw fail(file, `tensor “${name}” has no valid data_offsets`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLength)
      throw fail(file, `tensor “${name}” lies outside the file's data (bytes ${begin}–${end} of ${dataLength})`);
    const expected = sizeOf(shape as number[]) * DTYPE_BYTES[dtype as SafetensorsDtype];
    if (end - begin !== expected) {
      throw fail(
        file,
        `tensor “${name}” of shape [${(shape as number[]).join(', ')}] ${dtype} needs ${expected} bytes, but has ${end - begin}`,
      );
    }
    entries.set(name, { dtype: dtype as SafetensorsDtype, shape: [...(shape as number[])], offsets: [begin, end] });
  }
  const ranges = [...entries.entries()].filter(([, e]) => e.offsets[1] > e.offsets[0]).sort((a, b) => a[1].offsets[0] - b[1].offsets[0]);
  for (let i = 1; i < ranges.length; i++) {
    const [prevName, prev] = ranges[i - 1] as [string, SafetensorsEntry];
    const [name, cur] = ranges[i] as [string, SafetensorsEntry];
    if (cur.offsets[0] < prev.offsets[1]) throw fail(file, `tensors “${prevName}” and “${name}” overlap`);
  }
  return {
    names: [...entries.keys()],
    entries,
    metadata,
    read(name) {
      const entry = entries.get(name);
      if (!entry) throw new StudioError('model-load-failed', `“${file}” has no tensor “${name}”.`);
      const [begin, end] = entry.offsets;
      return toFloat32(entry.dtype, u8.subarray(dataStart + begin, dataStart + end));
    },
  };
}

/** One IEEE 754 half-precision value as a number (exact: every f16 is an f32). */
export function f16ToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Converts little-endian values of `dtype` to float32. */
function toFloat32(dtype: SafetensorsDtype, bytes: Uint8Array): Float32Array {
  const count = bytes.byteLength / DTYPE_BYTES[dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      break;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = f16ToNumber(view.getUint16(i * 2, true));
      break;
    case 'BF16': {
      // bfloat16 is the top half of a float32: shift it back into place.
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      break;
    }
    case 'I64':
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(i * 8, true));
      break;
    case 'I32':
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      break;
    case 'I16':
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
      break;
    case 'I8':
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      break;
    case 'U8':
    case 'BOOL':
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
      break;
  }
  return out;
}

export interface TensorToWrite {
  name: string;
  shape: number[];
  values: Float32Array;
}

/**
 * A safetensors file of F32 tensors, in the order given, with `metadata` (PEFT and transformers
 * write `{"format": "pt"}`). The header is padded with spaces to a multiple of 8 bytes, as the
 * official library pads it, so the data section starts aligned.
 */
export function writeSafetensors(tensors: readonly TensorToWrite[], metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let at = 0;
  const seen = new Set<string>();
  for (const t of tensors) {
    if (seen.has(t.name)) throw new Error(`tensor ${t.name} is given twice`);
    seen.add(t.name);
    if (sizeOf(t.shape) !== t.values.length)
      throw new Error(`tensor ${t.name}: shape [${t.shape.join(', ')}] does not hold ${t.values.length} values`);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [at, at + t.values.length * 4] };
    at += t.values.length * 4;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + at);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let offset = 8 + padded;
  for (const t of tensors) {
    for (let i = 0; i < t.values.length; i++) view.setFloat32(offset + i * 4, t.values[i] as number, true);
    offset += t.values.length * 4;
  }
  return out;
}

/**
 * Which shard holds each tensor, from a sharded checkpoint's `model.safetensors.index.json`
 * (`{"weight_map": {tensor: file}}`); the files it names, in first-use order.
 */
export function readSafetensorsIndex(
  text: string,
  file = 'model.safetensors.index.json',
): { weightMap: Map<string, string>; files: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StudioError('model-load-failed', `“${file}” is not valid JSON.`);
  }
  const map = (json as { weight_map?: unknown })?.weight_map;
  if (!map || typeof map !== 'object' || Array.isArray(map) || Object.values(map).some((v) => typeof v !== 'string')) {
    throw new StudioError('model-load-failed', `“${file}” has no weight_map of tensor names to shard files.`);
  }
  const weightMap = new Map(Object.entries(map as Record<string, string>));
  return { weightMap, files: [...new Set(weightMap.values())] };
}
