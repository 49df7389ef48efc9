/**
 * Image format sniffing and header parsing from bytes. Pure: no DOM, no decoding of pixels.
 * `readImageSize` reads only headers, so it accepts a truncated file whose header is intact.
 */
import type { ImageFormat, ImageSize } from './types';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** DIB header sizes of the BMP variants browsers decode. */
const BMP_DIB_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);

/** The image format named by the file's first bytes, or null when it is none the studio reads. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return 'gif';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'webp';
  if (ascii(bytes, 0, 2) === 'BM' && looksLikeBmp(bytes)) return 'bmp';
  return null;
}

/** The MIME type of a format, for Blobs handed to the browser's decoder. */
export function mimeTypeOf(format: ImageFormat): string {
  return `image/${format}`;
}

/** Width and height from the file header, or null when the header is missing or malformed. */
export function readImageSize(bytes: Uint8Array, format: ImageFormat): ImageSize | null {
  const size = readRawSize(bytes, format);
  if (!size || size.width < 1 || size.height < 1) return null;
  return size;
}

function readRawSize(bytes: Uint8Array, format: ImageFormat): ImageSize | null {
  switch (format) {
    case 'png':
      return readPngSize(bytes);
    case 'jpeg':
      return readJpegSize(bytes);
    case 'gif':
      return readGifSize(bytes);
    case 'bmp':
      return readBmpSize(bytes);
    case 'webp':
      return readWebpSize(bytes);
  }
}

function readPngSize(b: Uint8Array): ImageSize | null {
  if (b.length < 24 || !startsWith(b, PNG_SIGNATURE) || ascii(b, 12, 4) !== 'IHDR') return null;
  return { width: u32be(b, 16), height: u32be(b, 20) };
}

function readGifSize(b: Uint8Array): ImageSize | null {
  if (b.length < 10) return null;
  return { width: u16le(b, 6), height: u16le(b, 8) };
}

function looksLikeBmp(b: Uint8Array): boolean {
  return b.length < 18 || BMP_DIB_SIZES.has(u32le(b, 14));
}

function readBmpSize(b: Uint8Array): ImageSize | null {
  if (b.length < 26) return null;
  const dib = u32le(b, 14);
  if (!BMP_DIB_SIZES.has(dib)) return null;
  if (dib === 12) return { width: u16le(b, 18), height: u16le(b, 20) };
  const width = i32le(b, 18);
  // A negative height means the rows are stored top-down.
  const height = Math.abs(i32le(b, 22));
  return width > 0 ? { width, height } : null;
}

function readWebpSize(b: Uint8Array): ImageSize | null {
  if (b.length < 30) return null;
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ') {
    // Lossy: a 3-byte frame tag, the start code 9D 01 2A, then 14-bit width and height.
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return null;
    return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    // Lossless: signature 0x2F, then width-1 and height-1 as 14-bit fields.
    if (b[20] !== 0x2f) return null;
    const bits = u32le(b, 21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') {
    // Extended: canvas width-1 and height-1 as 24-bit fields.
    return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  }
  return null;
}

/** Walks the JPEG markers to the first start-of-frame (baseline, progressive, lossless, arithmetic). */
function readJpegSize(b: Uint8Array): ImageSize | null {
  let pos = 2;
  while (pos < b.length) {
    if (b[pos] !== 0xff) return null;
    // Any number of 0xFF fill bytes may precede a marker.
    while (pos < b.length && b[pos] === 0xff) pos++;
    const marker = b[pos];
    if (marker === undefined) return null;
    pos++;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    if (marker === 0xd9 || marker === 0xda || pos + 2 > b.length) return null;
    const length = u16be(b, pos);
    if (length < 2) return null;
    if (isStartOfFrame(marker)) {
      if (pos + 7 > b.length) return null;
      return { width: u16be(b, pos + 5), height: u16be(b, pos + 3) };
    }
    pos += length;
  }
  return null;
}

function isStartOfFrame(marker: number): boolean {
  // C4 (DHT), C8 (JPG extension) and CC (DAC) share the range but are not frames.
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function startsWith(b: Uint8Array, prefix: readonly number[]): boolean {
  return b.length >= prefix.length && prefix.every((v, i) => b[i] === v);
}

function ascii(b: Uint8Array, offset: number, length: number): string {
  if (b.length < offset + length) return '';
  return String.fromCharCode(...b.subarray(offset, offset + length));
}

function byte(b: Uint8Array, i: number): number {
  return b[i] ?? 0;
}

function u16be(b: Uint8Array, i: number): number {
  return (byte(b, i) << 8) | byte(b, i + 1);
}

function u16le(b: Uint8Array, i: number): number {
  return byte(b, i) | (byte(b, i + 1) << 8);
}

function u24le(b: Uint8Array, i: number): number {
  return byte(b, i) | (byte(b, i + 1) << 8) | (byte(b, i + 2) << 16);
}

function u32be(b: Uint8Array, i: number): number {
  return ((byte(b, i) << 24) | (byte(b, i + 1) << 16) | (byte(b, i + 2) << 8) | byte(b, i + 3)) >>> 0;
}

function u32le(b: Uint8Array, i: number): number {
  return i32le(b, i) >>> 0;
}

function i32le(b: Uint8Array, i: number): number {
  return byte(b, i) | (byte(b, i + 1) << 8) | (byte(b, i + 2) << 16) | (byte(b, i + 3) << 24);
}
