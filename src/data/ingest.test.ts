import { zipSync, type Zippable } from 'fflate';
import { describe, expect, it } from 'vitest';
import { StudioError } from '../lib/errors';
import { ingestFiles, SKIP_REASONS, type ImageProbe, type InputFile } from './ingest';
import { readImageSize } from './sniff';

/** A PNG signature and IHDR, padded with `fill` so files differ and compress. */
function png(width: number, height: number, fill = 0, padding = 64): Uint8Array {
  const head = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];
  const be = (n: number): number[] => [(n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
  return new Uint8Array([...head, ...be(width), ...be(height), 8, 2, 0, 0, 0, ...new Array<number>(padding).fill(fill)]);
}

const brokenJpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x13, 0x37, 0x42, 0x99, 0x01, 0xaa, 0x55]);
const text = new TextEncoder().encode('just some notes');

/** The header parser as the probe: rejects when the header cannot be read. */
const headerProbe: ImageProbe = async (blob, format) => {
  const size = readImageSize(new Uint8Array(await blob.arrayBuffer()), format);
  if (!size) throw new Error('undecodable');
  return size;
};

const file = (path: string, data: Uint8Array): InputFile => ({ path, data: new Blob([data as Uint8Array<ArrayBuffer>]) });
const zipFile = (path: string, tree: Zippable, level: 0 | 6 | 9 = 6): InputFile => file(path, zipSync(tree, { level }));

async function rejection(p: Promise<unknown>): Promise<StudioError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StudioError);
  return err as StudioError;
}

describe('ingestFiles with a zip', () => {
  const tree: Zippable = {
    circle: {
      '1.png': png(32, 32, 1),
      '2.png': png(32, 32, 2),
      '3.png': png(40, 30, 3),
      'notes.txt': text,
      'empty.jpg': new Uint8Array(0),
      'broken.jpg': brokenJpeg,
      'Thumbs.db': text,
    },
    root: { square: { 'x.png': png(16, 16, 4) } },
    dogs: {},
    cats: { 'readme.txt': text },
    big: { 'huge.png': png(8000, 6000, 5) },
    __MACOSX: { circle: { '._1.png': png(1, 1) } },
    '.DS_Store': text,
    'loose.png': png(8, 8, 6),
  };

  it('labels by the folder holding each image and explains every skipped file', async () => {
    const result = await ingestFiles([zipFile('shapes.zip', tree)], { probe: headerProbe, idPrefix: 'd1' });
    const byPath = Object.fromEntries(result.images.map((i) => [i.path, i]));
    expect(Object.keys(byPath).sort()).toEqual([
      'shapes.zip/big/huge.png',
      'shapes.zip/circle/1.png',
      'shapes.zip/circle/2.png',
      'shapes.zip/circle/3.png',
      'shapes.zip/loose.png',
      'shapes.zip/root/square/x.png',
    ]);
    expect(byPath['shapes.zip/root/square/x.png']?.label).toBe('square');
    expect(byPath['shapes.zip/loose.png']?.label).toBe('unlabelled');
    const three = byPath['shapes.zip/circle/3.png'];
    expect(three).toMatchObject({ label: 'circle', name: '3.png', format: 'png', width: 40, height: 30 });
    expect(three?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(three?.blob.type).toBe('image/png');
    expect(three?.bytes).toBe(three?.blob.size);

    expect(result.skipped).toEqual(
      expect.arrayContaining([
        { path: 'shapes.zip/circle/notes.txt', reason: SKIP_REASONS.notImage },
        { path: 'shapes.zip/circle/empty.jpg', reason: SKIP_REASONS.empty },
        { path: 'shapes.zip/circle/broken.jpg', reason: SKIP_REASONS.corrupt },
        { path: 'shapes.zip/cats/readme.txt', reason: SKIP_REASONS.notImage },
      ]),
    );
    expect(result.skipped).toHaveLength(4);
    expect(result.emptyClasses).toEqual(['cats', 'dogs']);
    expect(result.largeImages).toEqual(['shapes.zip/big/huge.png']);

    const ids = result.images.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^d1-\d+$/.test(id))).toBe(true);
  });

  it('uses the default label for images outside any folder', async () => {
    const result = await ingestFiles([zipFile('shapes.zip', tree)], { defaultLabel: 'misc' });
    expect(result.images.find((i) => i.name === 'loose.png')?.label).toBe('misc');
  });

  it('skips one damaged entry and keeps the rest', async () => {
    const zip = zipSync({ 'a/1.png': png(4, 4, 0, 4000), 'a/2.png': png(4, 4, 9, 4000) }, { level: 6 });
    // Corrupt the first entry's deflate stream: a first byte of 0xFF is an invalid block type.
    const dataStart = 30 + (zip[26] ?? 0) + (zip[28] ?? 0);
    zip[dataStart] = 0xff;
    const result = await ingestFiles([file('two.zip', zip)]);
    expect(result.skipped).toEqual([{ path: 'two.zip/a/1.png', reason: SKIP_REASONS.damagedEntry }]);
    expect(result.images.map((i) => i.path)).toEqual(['two.zip/a/2.png']);
  });

  it('inflates a large entry off the calling thread and keeps it intact', async () => {
    const big = png(4, 4, 7, 1_000_000);
    const result = await ingestFiles([zipFile('big.zip', { 'a/big.png': big })]);
    expect(result.skipped).toEqual([]);
    expect(result.images[0]?.bytes).toBe(big.length);
    expect(new Uint8Array(await (result.images[0]?.blob ?? new Blob()).arrayBuffer())).toEqual(big);
  });

  it('is not fooled by input order: the same drop gives the same result', async () => {
    const a = await ingestFiles([zipFile('s.zip', tree)], { concurrency: 1 });
    const b = await ingestFiles([zipFile('s.zip', tree)], { concurrency: 8 });
    expect(b.images.map((i) => [i.id, i.path])).toEqual(a.images.map((i) => [i.id, i.path]));
  });
});

describe('ingestFiles with loose files and folders', () => {
  it('labels from the directory listing and finds empty class folders and duplicates', async () => {
    const result = await ingestFiles(
      [
        file('root/cats/a.png', png(10, 10, 1)),
        file('root/cats/b.png', png(10, 10, 2)),
        file('root/cats/copy-of-a.png', png(10, 10, 1)),
        file('root/dogs/notes.txt', text),
        file('root/.hidden/x.png', png(10, 10)),
        file('lone.png', png(10, 10, 3)),
      ],
      { defaultLabel: 'misc' },
    );
    expect(result.images.map((i) => [i.path, i.label])).toEqual([
      ['root/cats/a.png', 'cats'],
      ['root/cats/b.png', 'cats'],
      ['root/cats/copy-of-a.png', 'cats'],
      ['lone.png', 'misc'],
    ]);
    expect(result.images[0]?.hash).toBe(result.images[2]?.hash);
    expect(result.images[0]?.id).toBe('img-1');
    expect(result.emptyClasses).toEqual(['dogs']);
    expect(result.skipped).toEqual([{ path: 'root/dogs/notes.txt', reason: SKIP_REASONS.notImage }]);
  });

  it('skips a file larger than the per-image limit without reading it', async () => {
    const result = await ingestFiles([file('a/big.png', png(4, 4, 0, 2000))], { limits: { maxFileBytes: 1000 } });
    expect(result.images).toEqual([]);
    expect(result.skipped[0]?.reason).toMatch(/larger than 1000 bytes/);
  });

  it('refuses a drop with too many files', async () => {
    const files = Array.from({ length: 5 }, (_, i) => file(`a/${i}.png`, png(4, 4, i)));
    const err = await rejection(ingestFiles(files, { limits: { maxFiles: 3 } }));
    expect(err.code).toBe('dataset-invalid');
    expect(err.userMessage).toMatch(/more than 3 files/);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await rejection(ingestFiles([file('a/1.png', png(4, 4))], { signal: controller.signal }));
    expect(err.code).toBe('cancelled');
  });

  it('reports a nested zip instead of opening it', async () => {
    const inner = zipSync({ 'x/1.png': png(4, 4) });
    const result = await ingestFiles([zipFile('outer.zip', { x: { 'inner.zip': inner, '1.png': png(4, 4) } })]);
    expect(result.skipped).toEqual([{ path: 'outer.zip/x/inner.zip', reason: SKIP_REASONS.nestedZip }]);
  });
});

describe('ingestFiles refuses zip bombs and corrupt zips', () => {
  it('refuses a zip whose uncompressed size is over the limit, before inflating', async () => {
    const zeros = new Uint8Array(20 * 1024 * 1024);
    zeros.set(png(4, 4));
    const bomb = zipFile('bomb.zip', { a: { 'big.png': zeros } }, 9);
    expect(bomb.data.size).toBeLessThan(100_000);
    const err = await rejection(ingestFiles([bomb], { limits: { maxTotalBytes: 10 * 1024 * 1024 } }));
    expect(err.code).toBe('zip-too-large');
    expect(err.userMessage).toContain('“bomb.zip” would unpack to 20 MB, more than the 10 MB');
  });

  it('trusts the central directory: a declared 4 GB entry is refused with the default limits', async () => {
    const zip = zipSync({ 'a/1.png': png(4, 4) });
    const central = findSignature(zip, 0x02014b50);
    new DataView(zip.buffer).setUint32(central + 24, 0xfffffff0, true);
    const err = await rejection(ingestFiles([file('liar.zip', zip)]));
    expect(err.code).toBe('zip-too-large');
  });

  it('refuses a zip with too many entries', async () => {
    const tree = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`a/${i}.png`, png(4, 4, i)]));
    const err = await rejection(ingestFiles([zipFile('many.zip', tree)], { limits: { maxEntries: 5 } }));
    expect(err.code).toBe('zip-too-large');
    expect(err.userMessage).toMatch(/“many.zip” holds 6 files, more than the 5/);
  });

  it('throws zip-invalid for garbage and for a truncated zip', async () => {
    const garbage = file(
      'garbage.zip',
      Uint8Array.from({ length: 500 }, (_, i) => (i * 97) & 255),
    );
    expect((await rejection(ingestFiles([garbage]))).code).toBe('zip-invalid');
    const whole = zipSync({ a: { '1.png': png(4, 4), '2.png': png(4, 4, 1) } });
    const truncated = file('cut.zip', whole.subarray(0, Math.floor(whole.length / 2)));
    const err = await rejection(ingestFiles([truncated]));
    expect(err.code).toBe('zip-invalid');
    expect(err.userMessage).toContain('“cut.zip” could not be opened');
  });
});

function findSignature(b: Uint8Array, sig: number): number {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i + 4 <= b.length; i++) if (view.getUint32(i, true) === sig) return i;
  throw new Error('signature not found');
}
