import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, encodePng } from '../../scripts/png.mjs';
import { createRng } from '../../scripts/make-fixtures.mjs';
import { decodePng, PngDecodeError } from './png-decode';

// A tiny PNG encoder for what scripts/png.mjs does not write: palettes, bit depths 1–16, tRNS,
// each of the five row filters, several IDAT chunks, and deliberately broken headers.
interface EncodeOptions {
  width: number;
  height: number;
  colourType: 0 | 2 | 3 | 4 | 6;
  bitDepth: number;
  /** Samples, row-major, `channels` per pixel, at the bit depth's range. */
  samples: ArrayLike<number>;
  palette?: [number, number, number][];
  trns?: number[];
  /** The filter of each row (cycled); default 0. */
  filters?: number[];
  interlace?: number;
  /** Split the compressed data into this many IDAT chunks. */
  idatChunks?: number;
}

const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function encode(o: EncodeOptions): Buffer {
  const channels = CHANNELS[o.colourType];
  const bitsPerPixel = channels * o.bitDepth;
  const stride = Math.ceil((o.width * bitsPerPixel) / 8);
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const rows: Uint8Array[] = [];
  for (let y = 0; y < o.height; y++) {
    const row = new Uint8Array(stride);
    for (let i = 0; i < o.width * channels; i++) {
      const v = o.samples[y * o.width * channels + i] ?? 0;
      if (o.bitDepth === 16) {
        row[2 * i] = v >> 8;
        row[2 * i + 1] = v & 0xff;
      } else if (o.bitDepth === 8) row[i] = v;
      else {
        const bit = i * o.bitDepth;
        row[bit >> 3] = (row[bit >> 3] ?? 0) | (v << (8 - o.bitDepth - (bit & 7)));
      }
    }
    rows.push(row);
  }
  const raw = new Uint8Array((stride + 1) * o.height);
  const filters = o.filters ?? [0];
  for (let y = 0; y < o.height; y++) {
    const filter = filters[y % filters.length] ?? 0;
    const row = rows[y] ?? new Uint8Array(stride);
    const prev = rows[y - 1] ?? new Uint8Array(stride);
    raw[y * (stride + 1)] = filter;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? (row[x - bpp] ?? 0) : 0;
      const b = prev[x] ?? 0;
      const c = x >= bpp ? (prev[x - bpp] ?? 0) : 0;
      const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter] ?? 0;
      raw[y * (stride + 1) + 1 + x] = ((row[x] ?? 0) - pred) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(o.width, 0);
  ihdr.writeUInt32BE(o.height, 4);
  ihdr[8] = o.bitDepth;
  ihdr[9] = o.colourType;
  ihdr[12] = o.interlace ?? 0;
  const z = deflateSync(raw);
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)];
  if (o.palette) parts.push(chunk('PLTE', Uint8Array.from(o.palette.flat())));
  if (o.trns) {
    const t = o.colourType === 3 ? Uint8Array.from(o.trns) : Uint8Array.from(o.trns.flatMap((v) => [v >> 8, v & 0xff]));
    parts.push(chunk('tRNS', t));
  }
  const n = o.idatChunks ?? 1;
  const step = Math.ceil(z.length / n);
  for (let i = 0; i < z.length; i += step) parts.push(chunk('IDAT', z.subarray(i, i + step)));
  parts.push(chunk('IEND', new Uint8Array(0)));
  return Buffer.concat(parts);
}

function randomSamples(n: number, max: number, seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Math.floor(rng() * (max + 1)));
}

/** The RGBA a correct decoder gives for 8-bit RGB(A) or grey samples. */
function expectedRgba(samples: ArrayLike<number>, channels: 1 | 2 | 3 | 4, scale = 1): number[] {
  const out: number[] = [];
  for (let i = 0; i < samples.length; i += channels) {
    const s = (k: number) => samples[i + k] ?? 0;
    if (channels === 1) out.push(...[s(0), s(0), s(0)].map((v) => Math.round(v * scale)), 255);
    else if (channels === 2) out.push(s(0), s(0), s(0), s(1));
    else out.push(s(0), s(1), s(2), channels === 4 ? s(3) : 255);
  }
  return out;
}

describe('decodePng on files from scripts/png.mjs', () => {
  it.each([
    [1, 'grey'],
    [3, 'rgb'],
    [4, 'rgba'],
  ] as const)('%i channel(s) → %s, every byte exact', (channels, kind) => {
    const width = 13;
    const height = 7;
    const pixels = Uint8Array.from(randomSamples(width * height * channels, 255, channels));
    const d = decodePng(encodePng(width, height, pixels, channels), 'x.png');
    expect(d).toMatchObject({ width, height, kind, bitDepth: 8 });
    expect(Array.from(d.rgba)).toEqual(expectedRgba(pixels, channels));
    if (channels === 1) expect(Array.from(d.indices ?? [])).toEqual(Array.from(pixels));
    else expect(d.indices).toBeUndefined();
  });
});

describe('decodePng: filters, bit depths, palettes', () => {
  it.each([0, 1, 2, 3, 4])('filter %i on grey, RGB, grey+alpha and RGBA rows', (filter) => {
    for (const [colourType, channels] of [
      [0, 1],
      [2, 3],
      [4, 2],
      [6, 4],
    ] as const) {
      const width = 9;
      const height = 5;
      const samples = randomSamples(width * height * channels, 255, 10 * filter + colourType);
      const d = decodePng(encode({ width, height, colourType, bitDepth: 8, samples, filters: [filter] }), 'f.png');
      expect(Array.from(d.rgba)).toEqual(expectedRgba(samples, channels));
    }
  });

  it('mixed filters per row, and image data split over several IDAT chunks', () => {
    const width = 11;
    const height = 10;
    const samples = randomSamples(width * height * 3, 255, 99);
    const png = encode({ width, height, colourType: 2, bitDepth: 8, samples, filters: [4, 3, 2, 1, 0], idatChunks: 4 });
    expect(Array.from(decodePng(png).rgba)).toEqual(expectedRgba(samples, 3));
  });

  it.each([1, 2, 4])('%i-bit grey keeps the raw sample in indices and scales rgba', (bitDepth) => {
    const width = 7; // not a multiple of 8 / bitDepth: rows end with padding bits
    const height = 4;
    const max = (1 << bitDepth) - 1;
    const samples = randomSamples(width * height, max, bitDepth);
    for (const filter of [0, 4]) {
      const d = decodePng(encode({ width, height, colourType: 0, bitDepth, samples, filters: [filter, 1] }));
      expect(d.kind).toBe('grey');
      expect(d.bitDepth).toBe(bitDepth);
      expect(Array.from(d.indices ?? [])).toEqual(samples);
      expect(Array.from(d.rgba)).toEqual(expectedRgba(samples, 1, 255 / max));
    }
  });

  it.each([1, 2, 4, 8])('%i-bit palette: indices, colours and tRNS alpha', (bitDepth) => {
    const width = 6;
    const height = 3;
    const colours = Math.min(1 << bitDepth, 5);
    const palette: [number, number, number][] = Array.from({ length: colours }, (_, i) => [i * 40, 255 - i * 30, (i * 77) % 256]);
    const trns = [0, 128]; // entries 0 and 1; the rest are opaque
    const samples = randomSamples(width * height, colours - 1, 40 + bitDepth);
    const d = decodePng(encode({ width, height, colourType: 3, bitDepth, samples, palette, trns, filters: [2, 3] }));
    expect(d.kind).toBe('palette');
    expect(d.palette).toEqual(palette);
    expect(Array.from(d.indices ?? [])).toEqual(samples);
    const rgba = samples.flatMap((i) => [...(palette[i] ?? []), trns[i] ?? 255]);
    expect(Array.from(d.rgba)).toEqual(rgba);
  });

  it('tRNS on grey and RGB makes the one named colour transparent', () => {
    const grey = decodePng(encode({ width: 3, height: 1, colourType: 0, bitDepth: 8, samples: [0, 5, 9], trns: [5] }));
    expect(Array.from(grey.rgba)).toEqual([0, 0, 0, 255, 5, 5, 5, 0, 9, 9, 9, 255]);
    const rgb = decodePng(encode({ width: 2, height: 1, colourType: 2, bitDepth: 8, samples: [1, 2, 3, 4, 5, 6], trns: [4, 5, 6] }));
    expect(Array.from(rgb.rgba)).toEqual([1, 2, 3, 255, 4, 5, 6, 0]);
  });

  it('16-bit: exact when the values fit a byte, ÷257 when widened from 8 bits', () => {
    const classes = decodePng(encode({ width: 4, height: 1, colourType: 0, bitDepth: 16, samples: [0, 1, 2, 255], filters: [4] }));
    expect(Array.from(classes.indices ?? [])).toEqual([0, 1, 2, 255]);
    expect(classes.bitDepth).toBe(16);
    const binary = decodePng(encode({ width: 3, height: 1, colourType: 0, bitDepth: 16, samples: [0, 65535, 257 * 7] }));
    expect(Array.from(binary.indices ?? [])).toEqual([0, 255, 7]);
    const rgba = decodePng(encode({ width: 1, height: 1, colourType: 6, bitDepth: 16, samples: [1, 2, 3, 65535] }));
    expect(Array.from(rgba.rgba)).toEqual([1, 2, 3, 255]);
  });

  it('16-bit values that fit neither rule are refused, not rounded', () => {
    const png = encode({ width: 2, height: 1, colourType: 0, bitDepth: 16, samples: [3, 1000] });
    expect(() => decodePng(png, 'masks/deep.png')).toThrow(
      'masks/deep.png is a 16-bit PNG whose values do not fit in 8 bits; a mask holds class indices 0 to 255, so save it as an 8-bit PNG.',
    );
  });
});

describe('decodePng refuses broken files with a sentence naming the file', () => {
  const good = () => encode({ width: 4, height: 4, colourType: 0, bitDepth: 8, samples: randomSamples(16, 255, 5) });
  const idatAt = (png: Buffer) => png.indexOf('IDAT') + 4;

  function ihdrWith(edit: (ihdr: Buffer) => void): Buffer {
    const png = Buffer.from(good());
    const ihdr = png.subarray(16, 29);
    edit(ihdr);
    png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
    return png;
  }

  it.each<[string, () => Uint8Array, string]>([
    [
      'not a PNG',
      () => new TextEncoder().encode('GIF89a, honestly'),
      'm.png is not a PNG file (its first bytes are not the PNG signature).',
    ],
    ['empty', () => new Uint8Array(0), 'm.png is not a PNG file (its first bytes are not the PNG signature).'],
    [
      'a flipped byte in IDAT',
      () => {
        const png = Buffer.from(good());
        const at = idatAt(png) + 3;
        png[at] = (png[at] ?? 0) ^ 0x10;
        return png;
      },
      'm.png is damaged (the checksum of its IDAT chunk does not match).',
    ],
    ['cut in the IDAT', () => good().subarray(0, 45), 'm.png is cut short (its IDAT chunk runs past the end of the file).'],
    ['cut before IEND', () => good().subarray(0, good().length - 12), 'm.png is cut short (it has no IEND chunk at its end).'],
    ['width 0', () => ihdrWith((h) => h.writeUInt32BE(0, 0)), 'm.png is damaged (its header gives a size of 0×4).'],
    ['bit depth 3', () => ihdrWith((h) => (h[8] = 3)), 'm.png is damaged (bit depth 3 is not allowed for a grey PNG).'],
    ['colour type 5', () => ihdrWith((h) => (h[9] = 5)), 'm.png is damaged (colour type 5 does not exist).'],
    [
      'interlaced',
      () => ihdrWith((h) => (h[12] = 1)),
      'm.png is interlaced (Adam7), which the studio does not read for masks; save it again without interlacing.',
    ],
    [
      'IHDR of 12 bytes',
      () => {
        const png = good();
        const body = Buffer.from(png.subarray(8 + 8, 8 + 8 + 12));
        return Buffer.concat([png.subarray(0, 8), chunk('IHDR', body), png.subarray(33)]);
      },
      'm.png is damaged (its IHDR chunk has 12 bytes, not 13).',
    ],
    [
      'palette without PLTE',
      () => encode({ width: 2, height: 1, colourType: 3, bitDepth: 8, samples: [0, 0] }),
      'm.png is a palette PNG without a palette (no PLTE chunk).',
    ],
    [
      'index beyond the palette',
      () => encode({ width: 2, height: 1, colourType: 3, bitDepth: 8, samples: [0, 2], palette: [[0, 0, 0]] }),
      'm.png uses colour 2, but its palette has only 1 colours.',
    ],
    [
      'unknown filter type',
      () => encode({ width: 2, height: 2, colourType: 0, bitDepth: 8, samples: [1, 2, 3, 4], filters: [0, 5] }),
      'm.png is damaged (row 1 uses filter type 5, which does not exist).',
    ],
    [
      'image data too short',
      () => {
        const png = good();
        const shortRaw = deflateSync(new Uint8Array(10));
        const start = png.indexOf('IDAT') - 4;
        return Buffer.concat([png.subarray(0, start), chunk('IDAT', shortRaw), chunk('IEND', new Uint8Array(0))]);
      },
      'm.png is cut short (its image data holds 10 of 20 bytes).',
    ],
    [
      'image data not zlib',
      () => {
        const png = good();
        const start = png.indexOf('IDAT') - 4;
        return Buffer.concat([png.subarray(0, start), chunk('IDAT', new Uint8Array([1, 2, 3, 4, 5])), chunk('IEND', new Uint8Array(0))]);
      },
      'm.png is damaged (its image data does not decompress).',
    ],
  ])('%s', (_, bytes, sentence) => {
    let thrown: unknown;
    try {
      decodePng(bytes(), 'm.png');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(PngDecodeError);
    expect((thrown as PngDecodeError).userMessage).toBe(sentence);
    expect((thrown as PngDecodeError).code).toBe('file-unreadable');
    expect((thrown as PngDecodeError).file).toBe('m.png');
  });
});
