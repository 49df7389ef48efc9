import { describe, expect, it } from 'vitest';
import { readImageSize, sniffImageFormat } from './sniff';

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
const u16be = (n: number): number[] => [(n >> 8) & 255, n & 255];
const u16le = (n: number): number[] => [n & 255, (n >> 8) & 255];
const u32be = (n: number): number[] => [(n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
const u32le = (n: number): number[] => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];
const bytes = (...parts: number[][]): Uint8Array => new Uint8Array(parts.flat());

function pngHeader(width: number, height: number): Uint8Array {
  return bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], u32be(13), ascii('IHDR'), u32be(width), u32be(height), [8, 2, 0, 0, 0]);
}

function jpeg(sof: number, width: number, height: number): Uint8Array {
  const app0 = [0xff, 0xe0, ...u16be(16), ...ascii('JFIF'), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const dqt = [0xff, 0xdb, ...u16be(4), 0, 0];
  const frame = [0xff, 0xff, 0xff, sof, ...u16be(11), 8, ...u16be(height), ...u16be(width), 1, 1, 0x11, 0];
  return bytes([0xff, 0xd8], app0, dqt, frame, [0xff, 0xda, 0, 2]);
}

function riff(chunk: string, body: number[]): Uint8Array {
  return bytes(
    ascii('RIFF'),
    u32le(4 + 8 + body.length),
    ascii('WEBP'),
    ascii(chunk),
    u32le(body.length),
    body,
    new Array<number>(16).fill(0),
  );
}

describe('sniffImageFormat', () => {
  it('recognises each format by its magic bytes', () => {
    expect(sniffImageFormat(jpeg(0xc0, 10, 10))).toBe('jpeg');
    expect(sniffImageFormat(pngHeader(1, 1))).toBe('png');
    expect(sniffImageFormat(bytes(ascii('GIF87a'), [1, 0, 1, 0]))).toBe('gif');
    expect(sniffImageFormat(bytes(ascii('GIF89a'), [1, 0, 1, 0]))).toBe('gif');
    expect(sniffImageFormat(riff('VP8L', [0x2f, 0, 0, 0, 0]))).toBe('webp');
    expect(sniffImageFormat(bytes(ascii('BM'), new Array<number>(12).fill(0), u32le(40), u32le(5), u32le(5)))).toBe('bmp');
  });

  it('rejects text, empty input and lookalikes', () => {
    expect(sniffImageFormat(new Uint8Array(0))).toBeNull();
    expect(sniffImageFormat(new TextEncoder().encode('hello, world'))).toBeNull();
    expect(sniffImageFormat(new TextEncoder().encode('BMW service notes from the garage'))).toBeNull();
    expect(sniffImageFormat(bytes(ascii('RIFF'), u32le(4), ascii('WAVE')))).toBeNull();
    expect(sniffImageFormat(bytes([0x50, 0x4b, 3, 4]))).toBeNull();
  });
});

describe('readImageSize', () => {
  it('reads PNG IHDR', () => {
    expect(readImageSize(pngHeader(640, 480), 'png')).toEqual({ width: 640, height: 480 });
    expect(readImageSize(pngHeader(640, 480).subarray(0, 20), 'png')).toBeNull();
    expect(readImageSize(pngHeader(0, 480), 'png')).toBeNull();
  });

  it('walks JPEG markers to baseline and progressive frames, past fill bytes', () => {
    expect(readImageSize(jpeg(0xc0, 300, 200), 'jpeg')).toEqual({ width: 300, height: 200 });
    expect(readImageSize(jpeg(0xc2, 1024, 768), 'jpeg')).toEqual({ width: 1024, height: 768 });
  });

  it('does not take DHT for a frame and fails on truncated or frameless JPEGs', () => {
    const dht = bytes([0xff, 0xd8, 0xff, 0xc4], u16be(6), [0, 0, 0, 0], [0xff, 0xc0], u16be(11), [8], u16be(7), u16be(9), [1, 1, 0x11, 0]);
    expect(readImageSize(dht, 'jpeg')).toEqual({ width: 9, height: 7 });
    expect(readImageSize(jpeg(0xc0, 300, 200).subarray(0, 30), 'jpeg')).toBeNull();
    expect(readImageSize(bytes([0xff, 0xd8, 0xff, 0xe0, 0, 4, 1, 2, 0xff, 0xda, 0, 2]), 'jpeg')).toBeNull();
    expect(readImageSize(bytes([0xff, 0xd8, 0xff, 0xe0], [0x13, 0x37, 0x42, 0x99, 0x01]), 'jpeg')).toBeNull();
  });

  it('reads the GIF logical screen', () => {
    expect(readImageSize(bytes(ascii('GIF89a'), u16le(320), u16le(240)), 'gif')).toEqual({ width: 320, height: 240 });
  });

  it('reads BMP info headers, including top-down (negative height) and core headers', () => {
    const info = (w: number, h: number): Uint8Array =>
      bytes(ascii('BM'), new Array<number>(12).fill(0), u32le(40), u32le(w), u32le(h >>> 0));
    expect(readImageSize(info(64, 32), 'bmp')).toEqual({ width: 64, height: 32 });
    expect(readImageSize(info(64, -32), 'bmp')).toEqual({ width: 64, height: 32 });
    const core = bytes(ascii('BM'), new Array<number>(12).fill(0), u32le(12), u16le(20), u16le(10), [1, 0, 24, 0]);
    expect(readImageSize(core, 'bmp')).toEqual({ width: 20, height: 10 });
  });

  it('reads WebP VP8, VP8L and VP8X', () => {
    const vp8 = riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, ...u16le(400), ...u16le(300)]);
    expect(readImageSize(vp8, 'webp')).toEqual({ width: 400, height: 300 });
    const bits = (640 - 1) | ((480 - 1) << 14);
    expect(readImageSize(riff('VP8L', [0x2f, ...u32le(bits)]), 'webp')).toEqual({ width: 640, height: 480 });
    const w = 5000 - 1;
    const h = 4000 - 1;
    const vp8x = riff('VP8X', [0, 0, 0, 0, w & 255, (w >> 8) & 255, w >> 16, h & 255, (h >> 8) & 255, h >> 16]);
    expect(readImageSize(vp8x, 'webp')).toEqual({ width: 5000, height: 4000 });
    expect(readImageSize(riff('VP8 ', [0, 0, 0, 1, 2, 3, 0, 0, 0, 0]), 'webp')).toBeNull();
  });
});
