/**
 * A small, exact PNG decoder for segmentation masks: the bytes in the file, no colour management, no
 * gamma, no premultiplication (a browser canvas may change all three, and a mask's values are class
 * indices). Pure: runs in Node, the worker and the page.
 *
 * Reads colour types grey (0), RGB (2), palette (3, with PLTE and an optional tRNS), grey+alpha (4)
 * and RGBA (6); bit depths 1, 2, 4, 8 and 16; all five row filters. Interlaced (Adam7) files are
 * refused with a sentence: mask tools rarely write them, and re-saving fixes it.
 *
 * 16-bit samples are not read as their high byte: that would turn a 16-bit mask holding classes
 * 0, 1, 2 into all zeros. Instead each channel is read exactly when it fits in a byte (every
 * sample < 256), or divided by 257 when every sample is a multiple of 257 (an 8-bit image widened,
 * such as 0 and 65535); any other 16-bit channel is refused with a sentence rather than rounded.
 */
import { unzlibSync } from 'fflate';
import { StudioError } from '../lib/errors';

export type PngKind = 'grey' | 'palette' | 'rgb' | 'rgba' | 'grey-alpha';

export interface DecodedPng {
  width: number;
  height: number;
  kind: PngKind;
  /** Bits per sample as stored (1, 2, 4, 8 or 16). */
  bitDepth: number;
  /**
   * One value per pixel, row-major: the palette index (palette), or the grey sample as stored
   * (grey, grey-alpha) — for bit depths below 8 not scaled, so a 1-bit mask holds 0 and 1.
   * Absent for RGB and RGBA.
   */
  indices?: Uint8Array;
  /** Four bytes per pixel, row-major. Low-bit grey is scaled to 0..255 here (1-bit 1 → 255). */
  rgba: Uint8Array;
  /** The PLTE entries, for palette images. */
  palette?: [number, number, number][];
}

/** The most pixels one mask may have (a 8192×8192 mask; its RGBA copy is 256 MB). */
export const MAX_PNG_PIXELS = 8192 * 8192;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Colour type → channels per pixel, kind, and the bit depths the PNG specification allows. */
const COLOUR_TYPES: Record<number, { channels: number; kind: PngKind; depths: readonly number[] }> = {
  0: { channels: 1, kind: 'grey', depths: [1, 2, 4, 8, 16] },
  2: { channels: 3, kind: 'rgb', depths: [8, 16] },
  3: { channels: 1, kind: 'palette', depths: [1, 2, 4, 8] },
  4: { channels: 2, kind: 'grey-alpha', depths: [8, 16] },
  6: { channels: 4, kind: 'rgba', depths: [8, 16] },
};

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = (CRC_TABLE[(c ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return ~c >>> 0;
}

/** Why a PNG could not be read; the sentence names the file. */
export class PngDecodeError extends StudioError {
  readonly file: string;

  constructor(file: string, userMessage: string) {
    super('file-unreadable', userMessage);
    this.name = 'PngDecodeError';
    this.file = file;
  }
}

interface Header {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
}

/**
 * Decodes a PNG exactly. `name` (a path or file name) is used in the error sentences.
 * Throws a `PngDecodeError` for a file that is not a PNG, is damaged, cut short or interlaced.
 */
export function decodePng(bytes: Uint8Array, name = 'The file'): DecodedPng {
  const fail = (why: string): never => {
    throw new PngDecodeError(name, `${name} ${why}`);
  };
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) fail('is not a PNG file (its first bytes are not the PNG signature).');

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: Header | undefined;
  let palette: [number, number, number][] | undefined;
  let trns: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;
  let pos = 8;
  while (pos < bytes.length) {
    if (pos + 12 > bytes.length) fail('is cut short (a chunk header runs past the end of the file).');
    const length = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) fail(`is damaged (a chunk at byte ${pos} has no valid type).`);
    if (pos + 12 + length > bytes.length) fail(`is cut short (its ${type} chunk runs past the end of the file).`);
    const data = bytes.subarray(pos + 8, pos + 8 + length);
    const stored = view.getUint32(pos + 8 + length);
    if (crc32(bytes.subarray(pos + 4, pos + 8 + length)) !== stored) fail(`is damaged (the checksum of its ${type} chunk does not match).`);
    pos += 12 + length;

    if (!header && type !== 'IHDR') fail('is damaged (it does not start with an IHDR chunk).');
    if (type === 'IHDR') {
      if (header) fail('is damaged (it has two IHDR chunks).');
      header = readHeader(data, fail);
    } else if (type === 'PLTE') {
      if (length % 3 !== 0 || length === 0 || length > 256 * 3)
        fail(`is damaged (its palette has ${length} bytes, not 3 per colour for 1 to 256 colours).`);
      palette = [];
      for (let i = 0; i < length; i += 3) palette.push([data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0]);
    } else if (type === 'tRNS') {
      trns = data;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      ended = true;
      break;
    } else if (type.charCodeAt(0) < 0x61) {
      // An upper-case first letter marks a critical chunk: one a decoder must understand.
      fail(`uses a PNG feature the studio does not read (a critical ${type} chunk).`);
    }
  }
  if (!header) return fail('is cut short (it has no IHDR chunk).');
  if (!ended) fail('is cut short (it has no IEND chunk at its end).');
  if (idat.length === 0) fail('has no image data (no IDAT chunk).');

  const { width, height, bitDepth, colourType } = header;
  const info = COLOUR_TYPES[colourType];
  if (!info) return fail(`is damaged (colour type ${colourType} does not exist).`);
  if (info.kind === 'palette' && !palette) fail('is a palette PNG without a palette (no PLTE chunk).');

  const bitsPerPixel = bitDepth * info.channels;
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  const expected = (stride + 1) * height;
  const compressed = concat(idat);
  let raw: Uint8Array;
  try {
    raw = unzlibSync(compressed, { out: new Uint8Array(expected) });
  } catch {
    return fail('is damaged (its image data does not decompress).');
  }
  if (raw.length < expected) fail(`is cut short (its image data holds ${raw.length} of ${expected} bytes).`);

  unfilter(raw, stride, height, Math.max(1, bitsPerPixel >> 3), fail);
  const samples = unpackSamples(raw, width, height, stride, info.channels, bitDepth);
  const samples8 = bitDepth === 16 ? narrow16(samples, info.channels, fail) : samples;

  const pixels = width * height;
  const rgba = new Uint8Array(pixels * 4);
  const result: DecodedPng = { width, height, kind: info.kind, bitDepth, rgba };
  const scale = bitDepth < 8 ? 255 / ((1 << bitDepth) - 1) : 1;

  if (info.kind === 'palette' && palette) {
    const alpha = trns ?? new Uint8Array(0);
    if (alpha.length > palette.length)
      fail(`is damaged (its transparency table has more entries than its ${palette.length}-colour palette).`);
    const indices = samples8 as Uint8Array;
    for (let i = 0; i < pixels; i++) {
      const idx = indices[i] ?? 0;
      const colour = palette[idx];
      if (!colour) return fail(`uses colour ${idx}, but its palette has only ${palette.length} colours.`);
      rgba[i * 4] = colour[0];
      rgba[i * 4 + 1] = colour[1];
      rgba[i * 4 + 2] = colour[2];
      rgba[i * 4 + 3] = alpha[idx] ?? 255;
    }
    result.indices = indices;
    result.palette = palette;
    return result;
  }

  // A tRNS chunk for grey or RGB names one sample value (as stored, 16 bits wide) that is transparent.
  const key = trns && (colourType === 0 || colourType === 2) ? transparentKey(trns, colourType, fail) : undefined;
  const c = info.channels;
  if (info.kind === 'grey' || info.kind === 'grey-alpha') {
    const indices = new Uint8Array(pixels);
    for (let i = 0; i < pixels; i++) {
      const g = samples8[i * c] ?? 0;
      indices[i] = g;
      const v = Math.round(g * scale);
      rgba[i * 4] = v;
      rgba[i * 4 + 1] = v;
      rgba[i * 4 + 2] = v;
      rgba[i * 4 + 3] = c === 2 ? (samples8[i * 2 + 1] ?? 255) : key && samples[i] === key[0] ? 0 : 255;
    }
    result.indices = indices;
    return result;
  }
  for (let i = 0; i < pixels; i++) {
    rgba[i * 4] = samples8[i * c] ?? 0;
    rgba[i * 4 + 1] = samples8[i * c + 1] ?? 0;
    rgba[i * 4 + 2] = samples8[i * c + 2] ?? 0;
    const transparent = key && samples[i * 3] === key[0] && samples[i * 3 + 1] === key[1] && samples[i * 3 + 2] === key[2];
    rgba[i * 4 + 3] = c === 4 ? (samples8[i * 4 + 3] ?? 255) : transparent ? 0 : 255;
  }
  return result;
}

function readHeader(data: Uint8Array, fail: (why: string) => never): Header {
  if (data.length !== 13) fail(`is damaged (its IHDR chunk has ${data.length} bytes, not 13).`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const width = view.getUint32(0);
  const height = view.getUint32(4);
  const bitDepth = data[8] ?? 0;
  const colourType = data[9] ?? 0;
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff)
    fail(`is damaged (its header gives a size of ${width}×${height}).`);
  const info = COLOUR_TYPES[colourType];
  if (!info) fail(`is damaged (colour type ${colourType} does not exist).`);
  if (info && !info.depths.includes(bitDepth)) fail(`is damaged (bit depth ${bitDepth} is not allowed for a ${info.kind} PNG).`);
  if (data[10] !== 0 || data[11] !== 0) fail('is damaged (its header names an unknown compression or filter method).');
  if (data[12] === 1) fail('is interlaced (Adam7), which the studio does not read for masks; save it again without interlacing.');
  if (data[12] !== 0) fail(`is damaged (interlace method ${data[12]} does not exist).`);
  if (width * height > MAX_PNG_PIXELS)
    fail(`is ${width}×${height} pixels, more than the ${MAX_PNG_PIXELS} pixels the studio reads in one mask.`);
  return { width, height, bitDepth, colourType };
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Undoes the row filters in place; each row is one filter byte then `stride` bytes. */
function unfilter(raw: Uint8Array, stride: number, height: number, bpp: number, fail: (why: string) => never): void {
  for (let y = 0; y < height; y++) {
    const start = y * (stride + 1) + 1;
    const prev = start - stride - 1; // the previous row's first byte (meaningless for y = 0)
    const filter = raw[start - 1];
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? (raw[start + x - bpp] ?? 0) : 0;
      const b = y > 0 ? (raw[prev + x] ?? 0) : 0;
      const cc = y > 0 && x >= bpp ? (raw[prev + x - bpp] ?? 0) : 0;
      let add: number;
      switch (filter) {
        case 0:
          add = 0;
          break;
        case 1:
          add = a;
          break;
        case 2:
          add = b;
          break;
        case 3:
          add = (a + b) >> 1;
          break;
        case 4: {
          const p = a + b - cc;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - cc);
          add = pa <= pb && pa <= pc ? a : pb <= pc ? b : cc;
          break;
        }
        default:
          return fail(`is damaged (row ${y} uses filter type ${filter}, which does not exist).`);
      }
      raw[start + x] = ((raw[start + x] ?? 0) + add) & 0xff;
    }
  }
}

/** The samples, row-major, as stored: one value per channel per pixel (16-bit ones widened). */
function unpackSamples(
  raw: Uint8Array,
  width: number,
  height: number,
  stride: number,
  channels: number,
  depth: number,
): Uint8Array | Uint16Array {
  const perRow = width * channels;
  const out = depth === 16 ? new Uint16Array(perRow * height) : new Uint8Array(perRow * height);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1) + 1;
    for (let i = 0; i < perRow; i++) {
      let v: number;
      if (depth === 8) v = raw[row + i] ?? 0;
      else if (depth === 16) v = ((raw[row + 2 * i] ?? 0) << 8) | (raw[row + 2 * i + 1] ?? 0);
      else {
        const bit = i * depth;
        v = ((raw[row + (bit >> 3)] ?? 0) >> (8 - depth - (bit & 7))) & mask;
      }
      out[y * perRow + i] = v;
    }
  }
  return out;
}

/** 16-bit samples to bytes, per channel: exact when they fit, ÷257 when widened from 8 bits, else refused. */
function narrow16(samples: Uint8Array | Uint16Array, channels: number, fail: (why: string) => never): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let ch = 0; ch < channels; ch++) {
    let fits = true;
    let widened = true;
    for (let i = ch; i < samples.length; i += channels) {
      const v = samples[i] ?? 0;
      if (v > 255) fits = false;
      if (v % 257 !== 0) widened = false;
    }
    if (!fits && !widened) {
      fail('is a 16-bit PNG whose values do not fit in 8 bits; a mask holds class indices 0 to 255, so save it as an 8-bit PNG.');
    }
    const div = fits ? 1 : 257;
    for (let i = ch; i < samples.length; i += channels) out[i] = (samples[i] ?? 0) / div;
  }
  return out;
}

function transparentKey(trns: Uint8Array, colourType: number, fail: (why: string) => never): number[] {
  const n = colourType === 0 ? 1 : 3;
  if (trns.length !== n * 2) fail(`is damaged (its tRNS chunk has ${trns.length} bytes, not ${n * 2}).`);
  return Array.from({ length: n }, (_, i) => ((trns[2 * i] ?? 0) << 8) | (trns[2 * i + 1] ?? 0));
}
