import { createHash } from 'node:crypto';
import { zipSync, zlibSync, type Zippable } from 'fflate';
import { describe, expect, it } from 'vitest';
import { makeSegSample, SEG_CLASSES } from '../../scripts/make-seg-sample.mjs';
import { crc32, encodePng } from '../../scripts/png.mjs';
import { StudioError } from '../lib/errors';
import { ingestFiles, type ImageProbe, type InputFile } from './ingest';
import { analyseSegDrops, readSegDrop, type SegDataset, type SegDrop } from './seg-ingest';
import { IGNORE_CLASS, SegmentationDataError } from './segmentation';

// ── Fixtures ─────────────────────────────────────────────────────────────────────────────────────

type Bytes = Uint8Array;
const file = (path: string, data: Bytes, type = ''): InputFile => ({ path, data: new Blob([data as Uint8Array<ArrayBuffer>], { type }) });
const files = (tree: Record<string, Bytes>): InputFile[] => Object.entries(tree).map(([path, data]) => file(path, data));
const zipFile = (path: string, tree: Record<string, Bytes>): InputFile => {
  const zippable: Zippable = {};
  for (const [p, data] of Object.entries(tree)) zippable[p] = data;
  return file(path, zipSync(zippable, { level: 6 }));
};
const text = (s: string): Bytes => new TextEncoder().encode(s);

/** A w×h RGB picture whose pixels depend on `seed`, so files differ. */
const image = (w: number, h: number, seed = 0): Bytes =>
  new Uint8Array(
    encodePng(
      w,
      h,
      Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 7 + seed * 31) % 256),
      3,
    ),
  );
const grey = (w: number, h: number, values: number[]): Bytes => new Uint8Array(encodePng(w, h, Uint8Array.from(values), 1));
const rgb = (w: number, h: number, colours: [number, number, number][]): Bytes =>
  new Uint8Array(encodePng(w, h, Uint8Array.from(colours.flat()), 3));

/** An 8-bit palette PNG (colour type 3), which scripts/png.mjs does not write. */
function palettePng(w: number, h: number, indices: number[], palette: [number, number, number][]): Bytes {
  const chunk = (type: string, data: Bytes): Bytes => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(text(type), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, w);
  new DataView(ihdr.buffer).setUint32(4, h);
  ihdr.set([8, 3, 0, 0, 0], 8);
  const raw = new Uint8Array((w + 1) * h);
  for (let y = 0; y < h; y++) raw.set(indices.slice(y * w, y * w + w), y * (w + 1) + 1);
  const parts = [
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('PLTE', Uint8Array.from(palette.flat())),
    chunk('IDAT', zlibSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A JPEG that is only a header (SOI, SOF0 with its size): enough for sniffing and the header size. */
const jpegHeader = (w: number, h: number): Bytes =>
  Uint8Array.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 8, h >> 8, h & 255, w >> 8, w & 255, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);

const sha256 = (b: Bytes) => createHash('sha256').update(b).digest('hex');
const bytesOf = async (b: Blob) => new Uint8Array(await b.arrayBuffer());

async function rejection(p: Promise<unknown>): Promise<StudioError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StudioError);
  return err as StudioError;
}

/** A clean 3-class set: two 4×4 pictures, masks with values 0..2, and a classes.txt. */
const maskA = [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 0, 0, 2, 2, 0, 0];
const maskB = [0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0];
const cleanSet = (prefix = ''): Record<string, Bytes> => ({
  [`${prefix}images/a.png`]: image(4, 4, 1),
  [`${prefix}images/b.png`]: image(4, 4, 2),
  [`${prefix}masks/a.png`]: grey(4, 4, maskA),
  [`${prefix}masks/b.png`]: grey(4, 4, maskB),
  [`${prefix}classes.txt`]: text('background\nnucleus\ncell\n'),
});

const issueLines = (d: SegDataset) => d.summary.issues.map((i) => `${i.kind}: ${'message' in i ? i.message : ''}`);
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** What a drop and a dataset say, without Blobs: for comparing two runs. */
const plainDrop = (d: SegDrop) => ({ ...d, entries: d.entries.map((e) => ({ ...e, image: e.image.type, mask: e.mask.type })) });
const plainDataset = (d: SegDataset) => ({
  ...d,
  pairs: d.pairs.map((p) => ({ ...p, image: p.image.type, maskFile: p.maskFile.type, mask: Array.from(p.mask) })),
});

// ── readSegDrop ──────────────────────────────────────────────────────────────────────────────────

describe('readSegDrop: where the set lies', () => {
  it('reads a folder set at the root: pairs, typed images, sizes, hashes and classes.txt', async () => {
    const tree = cleanSet();
    const drop = await readSegDrop([...files(tree), file('README.md', text('hello')), file('.DS_Store', text('x'))], { id: 'd1' });
    expect(drop.id).toBe('d1');
    expect(drop.entries.map((e) => [e.id, e.name, e.imagePath, e.maskPath, e.width, e.height])).toEqual([
      ['d1:a', 'a', 'images/a.png', 'masks/a.png', 4, 4],
      ['d1:b', 'b', 'images/b.png', 'masks/b.png', 4, 4],
    ]);
    const a = drop.entries[0];
    expect(a?.image.type).toBe('image/png'); // typed from sniffing though the file had no type
    expect(a?.mask.type).toBe('image/png');
    expect(a?.hash).toBe(sha256(tree['images/a.png'] ?? new Uint8Array()));
    expect(await bytesOf(a?.image ?? new Blob())).toEqual(tree['images/a.png']);
    expect(await bytesOf(a?.mask ?? new Blob())).toEqual(tree['masks/a.png']);
    expect(drop.classesTxt).toBe('background\nnucleus\ncell\n');
    expect(drop).toMatchObject({ imagesWithoutMask: [], masksWithoutImage: [], unreadable: [], unreadableMasks: [], ignored: [] });

    const set = await analyseSegDrops([drop]);
    expect(set.classNames).toEqual(['background', 'nucleus', 'cell']);
    expect(set.classSource).toBe('classes.txt');
    expect(set.colourMap).toBeNull();
    expect(set.summary.issues).toEqual([]);
    expect(set.pairs.map((p) => [p.id, p.mode, p.classes])).toEqual([
      ['d1:a', 'grey', [0, 1, 2]],
      ['d1:b', 'grey', [0, 1]],
    ]);
    expect(Array.from(set.pairs[0]?.mask ?? [])).toEqual(maskA);
    expect(Array.from(set.pairs[1]?.mask ?? [])).toEqual(maskB);
    // a: 8 background, 4 nucleus, 4 cell; b: 12 background, 4 nucleus.
    expect(set.summary.pixelCounts).toEqual([20, 8, 4]);
    expect(sum(set.summary.pixelShare)).toBeCloseTo(1, 12);
  });

  it('reads the set inside one top-level folder, and a zip of it (at its root or inside a folder), alike', async () => {
    const loose = await readSegDrop(files(cleanSet('cells/')), { id: 'x' });
    const zipped = await readSegDrop([zipFile('cells.zip', cleanSet('cells/'))], { id: 'x' });
    const atRoot = await readSegDrop([zipFile('cells.zip', cleanSet())], { id: 'x' });
    expect(loose.entries.map((e) => e.imagePath)).toEqual(['cells/images/a.png', 'cells/images/b.png']);
    // A zip's content counts as if unpacked where the zip lies.
    expect(plainDrop(zipped)).toEqual(plainDrop(loose));
    expect(atRoot.entries.map((e) => [e.imagePath, e.maskPath])).toEqual([
      ['images/a.png', 'masks/a.png'],
      ['images/b.png', 'masks/b.png'],
    ]);
    expect(atRoot.entries.map((e) => e.hash)).toEqual(loose.entries.map((e) => e.hash));
    expect(atRoot.classesTxt).toBe(loose.classesTxt);
    for (const e of zipped.entries) {
      expect(e.image.type).toBe('image/png');
      expect(e.mask.type).toBe('image/png');
      expect(await bytesOf(e.image)).toEqual(cleanSet('cells/')[e.imagePath]);
      expect(await bytesOf(e.mask)).toEqual(cleanSet('cells/')[e.maskPath]);
    }
    const both = await readSegDrop([...files(cleanSet()), zipFile('set.zip', cleanSet())], { id: 'x' });
    expect(both.entries.map((e) => e.imagePath)).toEqual(['images/a.png', 'images/b.png']);
    expect(both.ignored.map((i) => i.reason)).toContain(
      'images/a.png is in this drop twice (loose and in a zip, or in two zips), so only the first is used.',
    );
    const inFolder = await readSegDrop([zipFile('uploads/set.zip', cleanSet())], { id: 'x' });
    expect(inFolder.entries.map((e) => e.imagePath)).toEqual(['uploads/images/a.png', 'uploads/images/b.png']);

    const [a, b] = await Promise.all([analyseSegDrops([loose]), analyseSegDrops([zipped])]);
    expect(plainDataset(b)).toEqual(plainDataset(a));
  });

  it('types each image from its bytes (a JPEG named .png is image/jpeg) and takes its size from the header', async () => {
    const drop = await readSegDrop(
      [file('images/j.png', jpegHeader(3, 2), 'image/png'), file('masks/j.png', grey(3, 2, [0, 1, 0, 1, 0, 1]))],
      { id: 'd' },
    );
    expect(drop.entries.map((e) => [e.image.type, e.width, e.height])).toEqual([['image/jpeg', 3, 2]]);
  });

  it('takes the size from the probe when one is given, and leaves out images the probe cannot decode', async () => {
    const seen: string[] = [];
    const probe: ImageProbe = async (blob, format) => {
      seen.push(format);
      const bytes = await bytesOf(blob);
      if (bytes[bytes.length - 20] === 0) throw new Error('undecodable');
      return { width: 8, height: 8 };
    };
    const broken = image(4, 4, 3);
    broken[broken.length - 20] = 0; // the probe refuses it
    const drop = await readSegDrop(
      [...files(cleanSet()), file('images/c.png', broken), file('masks/c.png', grey(4, 4, new Array<number>(16).fill(0)))],
      { id: 'd', probe },
    );
    expect(seen).toEqual(['png', 'png', 'png']);
    expect(drop.entries.map((e) => [e.name, e.width, e.height])).toEqual([
      ['a', 8, 8],
      ['b', 8, 8],
    ]);
    expect(drop.unreadable).toEqual([{ file: 'images/c.png', message: 'images/c.png could not be decoded; the file may be corrupt.' }]);
    const set = await analyseSegDrops([drop]);
    expect(set.pairs[0]?.mask).toHaveLength(64); // the mask is read at the image's size
    expect(set.summary.issues.map((i) => i.kind)).toEqual(['image-unreadable', 'mask-resized', 'mask-resized']);
  });
});

describe('readSegDrop: drops it refuses, each with a sentence', () => {
  it('a zip with images/ and no masks/', async () => {
    const err = await rejection(readSegDrop([zipFile('set.zip', { 'set/images/a.png': image(4, 4) })], { id: 'd' }));
    expect(err).toBeInstanceOf(SegmentationDataError);
    expect(err.userMessage).toBe(
      'The folder set/ has images/ but no masks/: add a masks/ folder with one PNG per image, named like the image, whose grey value is the class.',
    );
  });

  it('a drop of only masks', async () => {
    const err = await rejection(readSegDrop(files({ 'masks/a.png': grey(1, 1, [0]), 'masks/b.png': grey(1, 1, [1]) }), { id: 'd' }));
    expect(err.userMessage).toBe(
      'The dataset has masks/ but no images/: add an images/ folder with the picture for each mask, under the same name.',
    );
  });

  it('loose pictures with no images/ or masks/ at all', async () => {
    const err = await rejection(readSegDrop(files({ 'cats/a.png': image(2, 2) }), { id: 'd' }));
    expect(err.userMessage).toMatch(/^A segmentation dataset needs an images\/ folder and a masks\/ folder/);
  });

  it('images and masks whose names never match: how many of each, and one example of each', async () => {
    const err = await rejection(
      readSegDrop(
        files({
          'images/photo-2.jpg': jpegHeader(2, 2),
          'images/photo-1.jpg': jpegHeader(2, 2),
          'masks/photo-1_mask.png': grey(2, 2, [0, 1, 1, 0]),
        }),
        { id: 'd' },
      ),
    );
    expect(err).toBeInstanceOf(SegmentationDataError);
    expect(err.userMessage).toBe(
      'The drop has 2 images and 1 mask, but no mask has the base name of an image (for example images/photo-1.jpg and masks/photo-1_mask.png); name each mask like its image (images/a.jpg → masks/a.png).',
    );
  });

  it('a corrupt zip, a zip bomb and too many files: the same sentences as ingestFiles', async () => {
    const corrupt = file('set.zip', text('PK not really a zip'));
    const corruptErr = await rejection(readSegDrop([corrupt], { id: 'd' }));
    expect(corruptErr.code).toBe('zip-invalid');
    expect(corruptErr.userMessage).toBe((await rejection(ingestFiles([corrupt]))).userMessage);

    const big = zipFile('set.zip', { ...cleanSet(), 'images/zeros.png': new Uint8Array(200_000) });
    const limits = { maxTotalBytes: 100_000 };
    const bombErr = await rejection(readSegDrop([big], { id: 'd', limits }));
    expect(bombErr.code).toBe('zip-too-large');
    expect(bombErr.userMessage).toBe((await rejection(ingestFiles([big], { limits }))).userMessage);
    expect(bombErr.userMessage).toMatch(/^“?set\.zip”? would unpack to/);

    const many = { maxFiles: 3 };
    const manyErr = await rejection(readSegDrop(files(cleanSet()), { id: 'd', limits: many }));
    expect(manyErr.userMessage).toBe((await rejection(ingestFiles(files(cleanSet()), { limits: many }))).userMessage);
    const entriesErr = await rejection(readSegDrop([zipFile('set.zip', cleanSet())], { id: 'd', limits: { maxEntries: 2 } }));
    expect(entriesErr.userMessage).toMatch(/holds 5 files, more than the 2 the studio takes from one zip/);
  });

  it('a classes.txt that names a class twice', async () => {
    const err = await rejection(readSegDrop(files({ ...cleanSet(), 'classes.txt': text('bg\ncell\ncell\n') }), { id: 'd' }));
    expect(err.userMessage).toBe('classes.txt names “cell” twice (classes 1 and 2); each class needs its own name.');
  });

  it('pairs none of whose images can be read', async () => {
    const err = await rejection(readSegDrop(files({ 'images/a.png': new Uint8Array(0), 'masks/a.png': grey(1, 1, [1]) }), { id: 'd' }));
    expect(err.userMessage).toBe(
      'The only image–mask pair in this drop could not be read: images/a.png is empty (0 bytes). Replace the damaged files and add the set again.',
    );
    const two = await rejection(
      readSegDrop(
        files({ 'images/a.png': text('no'), 'images/b.png': text('no'), 'masks/a.png': grey(1, 1, [1]), 'masks/b.png': grey(1, 1, [1]) }),
        { id: 'd' },
      ),
    );
    expect(two.userMessage).toBe(
      'None of the 2 image–mask pairs in this drop could be read; for example, images/a.png is not an image (JPEG, PNG, WebP, GIF or BMP). Replace the damaged files and add the set again.',
    );
  });
});

// ── Masks and checks ─────────────────────────────────────────────────────────────────────────────

describe('analyseSegDrops: how masks are read', () => {
  it('binary 0/255 masks: background and one class, inferred names', async () => {
    const drop = await readSegDrop(
      files({
        'images/a.png': image(2, 2),
        'images/b.png': image(2, 2, 1),
        'masks/a.png': grey(2, 2, [0, 255, 255, 0]),
        'masks/b.png': grey(2, 2, [0, 0, 0, 255]),
      }),
      { id: 'd' },
    );
    const set = await analyseSegDrops([drop]);
    expect(set.classNames).toEqual(['background', 'class 1']);
    expect(set.classSource).toBe('inferred');
    expect(set.pairs.map((p) => [p.mode, p.classes, Array.from(p.mask)])).toEqual([
      ['binary', [0, 1], [0, 1, 1, 0]],
      ['binary', [0, 1], [0, 0, 0, 1]],
    ]);
    expect(set.summary.pixelShare).toEqual([5 / 8, 3 / 8]);
    expect(set.summary.issues).toEqual([]);
  });

  it('a palette mask: the index is the class, whatever the colours', async () => {
    const palette: [number, number, number][] = [
      [10, 200, 30],
      [255, 255, 255],
      [0, 0, 0],
    ];
    const drop = await readSegDrop(files({ 'images/p.png': image(3, 2), 'masks/p.png': palettePng(3, 2, [2, 0, 1, 1, 0, 2], palette) }), {
      id: 'd',
    });
    const set = await analyseSegDrops([drop]);
    expect(set.pairs.map((p) => [p.mode, p.classes, Array.from(p.mask)])).toEqual([['palette', [0, 1, 2], [2, 0, 1, 1, 0, 2]]]);
    expect(set.classNames).toEqual(['background', 'class 1', 'class 2']);
    expect(set.colourMap).toBeNull();
  });

  it('RGB colour masks: one map built from every colour mask of every drop, or the map given', async () => {
    const black: [number, number, number] = [0, 0, 0];
    const red: [number, number, number] = [200, 0, 0];
    const blue: [number, number, number] = [0, 0, 200];
    const one = await readSegDrop(files({ 'images/1.png': image(2, 1), 'masks/1.png': rgb(2, 1, [black, red]) }), { id: 'd1' });
    const two = await readSegDrop(files({ 'images/2.png': image(2, 1), 'masks/2.png': rgb(2, 1, [blue, black]) }), { id: 'd2' });
    const built = await analyseSegDrops([one, two]);
    expect(built.colourMap).toEqual([
      { colour: '#000000', classIndex: 0 },
      { colour: '#0000c8', classIndex: 1 },
      { colour: '#c80000', classIndex: 2 },
    ]);
    expect(built.pairs.map((p) => [p.name, p.mode, Array.from(p.mask)])).toEqual([
      ['1', 'colour', [0, 2]],
      ['2', 'colour', [1, 0]],
    ]);
    expect(built.summary.issues).toEqual([]);

    const given = [
      { colour: '#000000', classIndex: 0 },
      { colour: '#c80000', classIndex: 1 },
    ];
    const mapped = await analyseSegDrops([one, two], { colourMap: given });
    expect(mapped.colourMap).toEqual(given);
    expect(mapped.pairs.map((p) => [p.classes, Array.from(p.mask)])).toEqual([
      [
        [0, 1],
        [0, 1],
      ],
      [[0], [IGNORE_CLASS, 0]],
    ]);
    expect(issueLines(mapped)).toEqual([
      'unmapped-colours: masks/2.png uses the colour #0000c8, which the colour map does not name; those pixels are ignored until the map gives it a class.',
    ]);
    expect(mapped.summary.ignoredPixels).toBe(1);
  });

  it('decodes each mask once, however often the set is analysed', async () => {
    let reads = 0;
    class CountingBlob extends Blob {
      override arrayBuffer(): Promise<ArrayBuffer> {
        reads++;
        return super.arrayBuffer();
      }
    }
    const mask = new CountingBlob([grey(2, 1, [0, 1]) as Uint8Array<ArrayBuffer>], { type: 'image/png' });
    const drop = await readSegDrop([file('images/a.png', image(2, 1)), { path: 'masks/a.png', data: mask }], { id: 'd' });
    expect(drop.entries[0]?.mask).toBe(mask);
    const first = await analyseSegDrops([drop]);
    const again = await analyseSegDrops([drop]);
    expect(reads).toBe(1);
    expect(plainDataset(again)).toEqual(plainDataset(first));
  });
});

describe('analyseSegDrops: problems become issues, with a sentence naming the file', () => {
  it('a mask of another size, values beyond classes.txt, partners missing, a corrupt image and a corrupt mask', async () => {
    const drop = await readSegDrop(
      files({
        ...cleanSet('set/'),
        'set/images/small.png': image(4, 4, 5),
        'set/masks/small.png': grey(2, 2, [0, 1, 2, 0]), // resized to 4×4
        'set/images/beyond.png': image(2, 2, 6),
        'set/masks/beyond.png': grey(2, 2, [0, 5, 7, 1]), // 5 and 7 are beyond the 3 classes
        'set/images/lonely.png': image(2, 2, 7), // no mask
        'set/masks/orphan.png': grey(2, 2, [0, 0, 0, 0]), // no image
        'set/images/empty.png': new Uint8Array(0),
        'set/masks/empty.png': grey(2, 2, [0, 1, 1, 0]),
        'set/images/notes.png': text('not a picture at all'),
        'set/masks/notes.png': grey(2, 2, [0, 1, 1, 0]),
        'set/images/broken.png': image(2, 2, 8),
        'set/masks/broken.png': text('not a png'),
        'set/images/readme.txt': text('ignored'),
      }),
      { id: 'd' },
    );
    expect(drop.imagesWithoutMask).toEqual(['set/images/lonely.png']);
    expect(drop.masksWithoutImage).toEqual(['set/masks/orphan.png']);
    expect(drop.unreadable).toEqual([
      { file: 'set/images/empty.png', message: 'set/images/empty.png is empty (0 bytes).' },
      { file: 'set/images/notes.png', message: 'set/images/notes.png is not an image (JPEG, PNG, WebP, GIF or BMP).' },
    ]);
    expect(drop.ignored).toEqual([
      { path: 'set/images/readme.txt', reason: 'set/images/readme.txt is not an image the studio reads (PNG, JPEG, WebP, BMP or GIF).' },
    ]);
    expect(drop.entries.map((e) => e.name)).toEqual(['a', 'b', 'beyond', 'broken', 'small']);

    const set = await analyseSegDrops([drop]);
    expect(set.pairs.map((p) => p.name)).toEqual(['a', 'b', 'beyond', 'small']);
    expect(issueLines(set)).toEqual([
      'image-without-mask: set/images/lonely.png has no mask in masks/ under the same name, so it is left out.',
      'mask-without-image: set/masks/orphan.png has no image in images/ under the same name, so it is left out.',
      'image-unreadable: set/images/empty.png is empty (0 bytes).',
      'image-unreadable: set/images/notes.png is not an image (JPEG, PNG, WebP, GIF or BMP).',
      'mask-unreadable: set/masks/broken.png is not a PNG file (its first bytes are not the PNG signature).',
      'values-beyond-classes: set/masks/beyond.png holds the values 5 and 7, beyond the 3 classes in classes.txt (0–2); those 2 pixels are ignored in training and in the class shares.',
      'mask-resized: set/masks/small.png is 2×2 but its image is 4×4; the mask was resized to 4×4 with nearest neighbour.',
    ]);
    const beyond = set.pairs.find((p) => p.name === 'beyond');
    expect(Array.from(beyond?.mask ?? [])).toEqual([0, IGNORE_CLASS, IGNORE_CLASS, 1]);
    expect(beyond?.classes).toEqual([0, 1]);
    const small = set.pairs.find((p) => p.name === 'small');
    expect(Array.from(small?.mask ?? [])).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 0, 0, 2, 2, 0, 0]);
    expect([small?.width, small?.height]).toEqual([4, 4]);
    expect(set.summary.usablePairs).toBe(4);
    expect(set.summary.ignoredPixels).toBe(2);
    expect(sum(set.summary.pixelShare)).toBeCloseTo(1, 12);
    expect(sum(set.summary.pixelCounts)).toBe(16 + 16 + 2 + 16);
  });
});

describe('readSegDrop: masks it cannot take out of the drop', () => {
  it('a mask over the size limit, loose or in a zip: a mask-unreadable issue, its pair left out', async () => {
    const small = image(2, 2);
    const big = grey(
      32,
      32,
      Array.from({ length: 1024 }, (_, i) => ((i * 2654435761) >>> 13) & 1),
    );
    const limits = { maxFileBytes: small.length + 16 };
    expect(big.length).toBeGreaterThan(limits.maxFileBytes);
    const tree = { 'images/a.png': small, 'images/b.png': image(2, 2, 1), 'masks/a.png': big, 'masks/b.png': grey(2, 2, [0, 1, 1, 0]) };
    for (const input of [files(tree), [zipFile('set.zip', tree)]]) {
      const drop = await readSegDrop(input, { id: 'd', limits });
      expect(drop.entries.map((e) => e.name)).toEqual(['b']);
      expect(drop.unreadableMasks).toEqual([
        {
          file: 'masks/a.png',
          message: `masks/a.png is larger than ${limits.maxFileBytes} bytes, the most the studio takes for one image.`,
        },
      ]);
      const set = await analyseSegDrops([drop]);
      expect(set.pairs.map((p) => p.name)).toEqual(['b']);
      expect(set.summary.issues.map((i) => i.kind)).toEqual(['mask-unreadable']);
    }
  });
});

describe('analyseSegDrops: several drops', () => {
  it('keeps the pairs of every drop; a repeated name is replaced by the later drop; its classes.txt wins', async () => {
    const first = await readSegDrop(
      files({
        'images/a.png': image(2, 2, 1),
        'images/b.png': image(2, 2, 2),
        'images/c.png': image(2, 2, 3), // no mask
        'masks/a.png': grey(2, 2, [0, 1, 0, 1]),
        'masks/b.png': grey(2, 2, [1, 1, 0, 0]),
        'classes.txt': text('bg\nfg\n'),
      }),
      { id: 'one' },
    );
    const second = await readSegDrop(
      [
        zipFile('more.zip', {
          'more/images/b.png': image(2, 2, 4),
          'more/images/d.png': image(2, 2, 5),
          'more/masks/b.png': grey(2, 2, [2, 2, 2, 0]),
          'more/masks/d.png': grey(2, 2, [0, 2, 1, 0]),
          'more/masks/e.png': grey(2, 2, [0, 0, 0, 0]), // no image
          'more/classes.txt': text('background\nnucleus\ncell\n'),
        }),
      ],
      { id: 'two' },
    );
    const set = await analyseSegDrops([first, second]);
    expect(set.pairs.map((p) => [p.id, p.imagePath])).toEqual([
      ['one:a', 'images/a.png'],
      ['two:b', 'more/images/b.png'],
      ['two:d', 'more/images/d.png'],
    ]);
    expect(Array.from(set.pairs[1]?.mask ?? [])).toEqual([2, 2, 2, 0]);
    expect(set.pairs[1]?.hash).toBe(second.entries[0]?.hash);
    expect(set.classNames).toEqual(['background', 'nucleus', 'cell']);
    expect(set.classSource).toBe('classes.txt');
    expect(set.summary.issues.map((i) => `${i.kind} ${'file' in i ? i.file : ''}`)).toEqual([
      'image-without-mask images/c.png',
      'mask-without-image more/masks/e.png',
    ]);
    // a: 2 bg, 2 class 1; b (the second drop's): 1 bg, 3 class 2; d: 2 bg, 1, 1.
    expect(set.summary.pixelCounts).toEqual([5, 3, 4]);
    expect(sum(set.summary.pixelShare)).toBeCloseTo(1, 12);

    // The earlier classes.txt is kept when the later drop has none; with none at all the names are inferred.
    const withoutTxt = { ...second, classesTxt: undefined };
    expect((await analyseSegDrops([first, withoutTxt])).classNames).toEqual(['bg', 'fg']);
    const inferred = await analyseSegDrops([{ ...first, classesTxt: undefined }, withoutTxt]);
    expect([inferred.classNames, inferred.classSource]).toEqual([['background', 'class 1', 'class 2'], 'inferred']);
    expect(await analyseSegDrops([])).toMatchObject({ pairs: [], classSource: 'inferred', colourMap: null });
  });

  it('is deterministic: the same files in another order give the same drop and dataset', async () => {
    const tree = {
      ...cleanSet('s/'),
      's/images/c.png': image(4, 4, 9),
      's/masks/c.png': grey(2, 2, [0, 1, 2, 1]),
      's/images/x.png': image(4, 4, 9),
    };
    const forward = files(tree);
    const run = async (input: InputFile[]) => {
      const drop = await readSegDrop(input, { id: 'd' });
      return { drop: plainDrop(drop), set: plainDataset(await analyseSegDrops([drop])) };
    };
    const a = await run(forward);
    const b = await run([...forward].reverse());
    expect(b).toEqual(a);
    expect(a.set.pairs.map((p) => p.name)).toEqual(['a', 'b', 'c']);
  });
});

describe('the generated segmentation sample', () => {
  it('reads as 12 clean pairs of 3 classes whose masks are the generator’s', async () => {
    const sample = makeSegSample({ count: 12, size: 64, seed: 3 });
    const input: InputFile[] = [
      ...sample.items.flatMap((item) => [file(`images/${item.name}.png`, item.imagePng), file(`masks/${item.name}.png`, item.maskPng)]),
      file('classes.txt', text(`${sample.classes.join('\n')}\n`)),
    ];
    const drop = await readSegDrop(input, { id: 'sample' });
    expect(drop.entries).toHaveLength(12);
    const set = await analyseSegDrops([drop]);
    expect(set.pairs).toHaveLength(12);
    expect(set.classNames).toEqual(SEG_CLASSES);
    expect(set.summary.classCount).toBe(3);
    expect(set.summary.issues).toEqual([]);
    sample.items.forEach((item, i) => {
      const pair = set.pairs[i];
      expect(pair?.name).toBe(item.name);
      expect([pair?.width, pair?.height, pair?.mode]).toEqual([64, 64, 'grey']);
      expect(pair?.mask).toEqual(item.mask);
    });
    expect(sum(set.summary.pixelShare)).toBeCloseTo(1, 12);
  });
});
