import { describe, expect, it } from 'vitest';
import { encodePng } from '../../scripts/png.mjs';
import { decodePng, PngDecodeError, type DecodedPng } from './png-decode';
import {
  analyseSegmentation,
  buildColourMap,
  checkMask,
  IGNORE_CLASS,
  inferClassCount,
  maskColours,
  maskToClasses,
  pairImagesAndMasks,
  readClassesTxt,
  resizeNearest,
  SegmentationDataError,
  summarise,
  type CheckedMask,
} from './segmentation';

const greyPng = (w: number, h: number, values: number[]) => decodePng(encodePng(w, h, Uint8Array.from(values), 1), 'm.png');
const rgbPng = (w: number, h: number, colours: [number, number, number][]) =>
  decodePng(encodePng(w, h, Uint8Array.from(colours.flat()), 3), 'm.png');

function palettePng(w: number, h: number, indices: number[], palette: [number, number, number][]): DecodedPng {
  const rgba = Uint8Array.from(indices.flatMap((i) => [...(palette[i] ?? [0, 0, 0]), 255]));
  return { width: w, height: h, kind: 'palette', bitDepth: 8, indices: Uint8Array.from(indices), rgba, palette };
}

function thrownMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SegmentationDataError);
    return (e as SegmentationDataError).userMessage;
  }
  throw new Error('expected a throw');
}

describe('pairImagesAndMasks', () => {
  it('pairs by base name at the root, and lists what has no partner', () => {
    const p = pairImagesAndMasks([
      'images/b.jpg',
      'images/a.png',
      'images/c.png',
      'masks/a.png',
      'masks/b.png',
      'masks/d.png',
      'classes.txt',
      'README.md',
    ]);
    expect(p.pairs).toEqual([
      { name: 'a', image: 'images/a.png', mask: 'masks/a.png' },
      { name: 'b', image: 'images/b.jpg', mask: 'masks/b.png' },
    ]);
    expect(p.imagesWithoutMask).toEqual(['images/c.png']);
    expect(p.masksWithoutImage).toEqual(['masks/d.png']);
    expect(p.classesTxt).toBe('classes.txt');
    expect(p.root).toBe('');
    expect(p.ignored).toEqual([]);
  });

  it('finds the set inside one top-level folder, skipping junk and top-level extras', () => {
    const p = pairImagesAndMasks([
      'cells/images/1.webp',
      'cells/masks/1.png',
      'cells/Classes.txt',
      '__MACOSX/cells/images/._1.webp',
      'cells/.DS_Store',
      'cells/images/Thumbs.db',
      'notes.txt',
    ]);
    expect(p.root).toBe('cells');
    expect(p.pairs).toEqual([{ name: '1', image: 'cells/images/1.webp', mask: 'cells/masks/1.png' }]);
    expect(p.classesTxt).toBe('cells/Classes.txt');
    expect(p.ignored).toEqual([]);
  });

  it('matches folder names in any case, backslashes, and keeps sub-folders in the name', () => {
    const p = pairImagesAndMasks(['Images\\x\\1.PNG', 'MASKS\\x\\1.png', 'Images/y/1.png', 'MASKS/z/1.png']);
    expect(p.pairs).toEqual([{ name: 'x/1', image: 'Images\\x\\1.PNG', mask: 'MASKS\\x\\1.png' }]);
    expect(p.imagesWithoutMask).toEqual(['Images/y/1.png']);
    expect(p.masksWithoutImage).toEqual(['MASKS/z/1.png']);
  });

  it('says why it ignores a file: not an image, a JPEG mask, a repeated base name', () => {
    const p = pairImagesAndMasks(['images/a.png', 'images/a.jpg', 'images/list.csv', 'masks/a.png', 'masks/b.jpg', 'images/b.png']);
    expect(p.pairs.map((x) => x.name)).toEqual(['a']);
    expect(p.imagesWithoutMask).toEqual(['images/b.png']);
    expect(p.ignored).toEqual([
      { path: 'images/a.jpg', reason: 'images/a.jpg has the same base name as images/a.png, so only images/a.png is used.' },
      { path: 'images/list.csv', reason: 'images/list.csv is not an image the studio reads (PNG, JPEG, WebP, BMP or GIF).' },
      {
        path: 'masks/b.jpg',
        reason: 'masks/b.jpg is not used: a mask must be a PNG (other formats change the values that name the classes).',
      },
    ]);
  });

  it('refuses a set with images/ but no masks/, and says what to add', () => {
    expect(thrownMessage(() => pairImagesAndMasks(['images/a.png', 'classes.txt']))).toBe(
      'The dataset has images/ but no masks/: add a masks/ folder with one PNG per image, named like the image, whose grey value is the class.',
    );
    expect(thrownMessage(() => pairImagesAndMasks(['set/images/a.png', 'set/masks/a.jpg']))).toBe(
      'The folder set/ has images/ but no masks/ (its masks/ folder holds no PNG): add a masks/ folder with one PNG per image, named like the image, whose grey value is the class.',
    );
  });

  it('refuses masks without images, no set at all, and two sets', () => {
    expect(thrownMessage(() => pairImagesAndMasks(['masks/a.png']))).toBe(
      'The dataset has masks/ but no images/: add an images/ folder with the picture for each mask, under the same name.',
    );
    expect(thrownMessage(() => pairImagesAndMasks(['cats/a.png', 'dogs/b.png']))).toBe(
      'A segmentation dataset needs an images/ folder and a masks/ folder (at its root or inside one top-level folder), with one PNG mask per image under the same name.',
    );
    expect(thrownMessage(() => pairImagesAndMasks(['a/images/1.png', 'a/masks/1.png', 'b/images/1.png', 'b/masks/1.png']))).toBe(
      'The dataset has images/ or masks/ folders in 2 top-level folders (a and b); keep one set, with images/ and masks/ side by side.',
    );
  });
});

describe('readClassesTxt', () => {
  it('reads one name a line, trimmed, blank lines skipped, BOM and CRLF handled', () => {
    expect(readClassesTxt('\uFEFFbackground\r\n  nucleus \r\n\r\ncell\n\n')).toEqual(['background', 'nucleus', 'cell']);
    expect(readClassesTxt('')).toEqual([]);
  });

  it('refuses a name given twice, and too many classes', () => {
    expect(thrownMessage(() => readClassesTxt('bg\ncat\ndog\ncat'))).toBe(
      'classes.txt names “cat” twice (classes 1 and 3); each class needs its own name.',
    );
    const many = Array.from({ length: 256 }, (_, i) => `c${i}`).join('\n');
    expect(thrownMessage(() => readClassesTxt(many))).toBe('classes.txt names 256 classes; the studio reads at most 255.');
  });
});

describe('maskToClasses', () => {
  it('grey: the value is the class', () => {
    const m = maskToClasses(greyPng(3, 2, [0, 1, 2, 2, 1, 0]));
    expect(m.mode).toBe('grey');
    expect(Array.from(m.classes)).toEqual([0, 1, 2, 2, 1, 0]);
    expect(m.values).toEqual([0, 1, 2]);
    expect([m.counts[0], m.counts[1], m.counts[2]]).toEqual([2, 2, 2]);
  });

  it('grey of only 0 and 255 is binary (255 → 1); 255 among other values is kept as 255', () => {
    const b = maskToClasses(greyPng(4, 1, [0, 255, 255, 0]));
    expect(b.mode).toBe('binary');
    expect(Array.from(b.classes)).toEqual([0, 1, 1, 0]);
    expect(b.values).toEqual([0, 1]);
    const g = maskToClasses(greyPng(3, 1, [0, 1, 255]));
    expect(g.mode).toBe('grey');
    expect(g.values).toEqual([0, 1, 255]);
    expect(maskToClasses(greyPng(2, 1, [0, 0])).values).toEqual([0]);
  });

  it('palette: the index is the class, whatever the colours', () => {
    const m = maskToClasses(
      palettePng(
        4,
        1,
        [0, 2, 1, 2],
        [
          [0, 0, 0],
          [255, 0, 0],
          [0, 0, 255],
        ],
      ),
    );
    expect(m.mode).toBe('palette');
    expect(Array.from(m.classes)).toEqual([0, 2, 1, 2]);
  });

  it('RGB whose colours are all greys is read as a grey mask', () => {
    const m = maskToClasses(
      rgbPng(3, 1, [
        [0, 0, 0],
        [255, 255, 255],
        [0, 0, 0],
      ]),
    );
    expect(m.mode).toBe('binary');
    expect(Array.from(m.classes)).toEqual([0, 1, 0]);
    expect(maskColours(rgbPng(1, 1, [[7, 7, 7]]))).toEqual([]);
  });

  it('RGB colours: numbered in #rrggbb order, black first, the same whatever the order in the file', () => {
    const red: [number, number, number] = [255, 0, 0];
    const green: [number, number, number] = [0, 255, 0];
    const black: [number, number, number] = [0, 0, 0];
    const a = rgbPng(3, 1, [red, green, black]);
    const b = rgbPng(3, 1, [green, black, red]);
    expect(maskColours(a)).toEqual(['#000000', '#00ff00', '#ff0000']);
    const ma = maskToClasses(a);
    expect(ma.mode).toBe('colour');
    expect(ma.colourMap).toEqual([
      { colour: '#000000', classIndex: 0 },
      { colour: '#00ff00', classIndex: 1 },
      { colour: '#ff0000', classIndex: 2 },
    ]);
    expect(Array.from(ma.classes)).toEqual([2, 1, 0]);
    expect(Array.from(maskToClasses(b).classes)).toEqual([1, 0, 2]);
  });

  it('a colour map for the whole set; colours it lacks become IGNORE_CLASS and are listed', () => {
    const map = buildColourMap(['#FF0000', '#000000']);
    expect(map).toEqual([
      { colour: '#000000', classIndex: 0 },
      { colour: '#ff0000', classIndex: 1 },
    ]);
    const m = maskToClasses(
      rgbPng(3, 1, [
        [255, 0, 0],
        [0, 0, 255],
        [0, 0, 0],
      ]),
      { colourMap: map },
    );
    expect(Array.from(m.classes)).toEqual([1, IGNORE_CLASS, 0]);
    expect(m.unmappedColours).toEqual(['#0000ff']);
  });

  it('an edited map can give two colours one class, and RGBA alpha is ignored', () => {
    const rgba: DecodedPng = { width: 2, height: 1, kind: 'rgba', bitDepth: 8, rgba: Uint8Array.from([10, 20, 30, 0, 40, 50, 60, 128]) };
    const m = maskToClasses(rgba, {
      colourMap: [
        { colour: '#0a141e', classIndex: 3 },
        { colour: '#28323c', classIndex: 3 },
      ],
    });
    expect(Array.from(m.classes)).toEqual([3, 3]);
  });

  it('refuses more colours than classes can hold, with the likely cause', () => {
    const colours = Array.from({ length: 300 }, (_, i) => `#${i.toString(16).padStart(6, '0')}`);
    expect(thrownMessage(() => buildColourMap(colours))).toBe(
      'The colour masks hold 300 different colours, more than the 255 classes a mask can name; a colour-coded mask uses one exact colour per class (was it saved with smoothing, or as JPEG?).',
    );
  });
});

describe('resizeNearest', () => {
  it('doubles by repeating, halves by taking the pixel under each centre', () => {
    expect(Array.from(resizeNearest(Uint8Array.from([1, 2, 3, 4]), 2, 2, 4, 4))).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    const four = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(Array.from(resizeNearest(four, 4, 4, 2, 2))).toEqual([5, 7, 13, 15]);
  });

  it('handles ratios that are not whole and never invents a value', () => {
    expect(Array.from(resizeNearest(Uint8Array.from([0, 1, 2]), 3, 1, 5, 1))).toEqual([0, 0, 1, 2, 2]);
    const src = Uint8Array.from({ length: 7 * 5 }, (_, i) => (i * 37) % 3);
    const out = resizeNearest(src, 7, 5, 16, 11);
    expect(out.length).toBe(16 * 11);
    expect(new Set(out)).toEqual(new Set(src));
  });

  it('copies at the same size, and refuses a length that does not fit', () => {
    const src = Uint8Array.from([1, 2]);
    const same = resizeNearest(src, 2, 1, 2, 1);
    expect(same).toEqual(src);
    expect(same).not.toBe(src);
    expect(() => resizeNearest(src, 3, 1, 2, 1)).toThrow(RangeError);
  });
});

describe('checkMask', () => {
  it('resizes a mask of another size with nearest neighbour, and says so with both sizes', () => {
    const mask = maskToClasses(greyPng(2, 2, [0, 1, 1, 0]));
    const c = checkMask({ maskPath: 'masks/a.png', mask, imageSize: { width: 4, height: 4 }, classCount: 2 });
    expect([c.width, c.height]).toEqual([4, 4]);
    expect(Array.from(c.classes)).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0]);
    expect(c.issues).toEqual([
      {
        kind: 'mask-resized',
        file: 'masks/a.png',
        from: { width: 2, height: 2 },
        to: { width: 4, height: 4 },
        message: 'masks/a.png is 2×2 but its image is 4×4; the mask was resized to 4×4 with nearest neighbour.',
      },
    ]);
  });

  it('names values beyond the classes and the file, and leaves those pixels out', () => {
    const mask = maskToClasses(greyPng(4, 1, [0, 1, 7, 7]));
    const c = checkMask({ maskPath: 'masks/b.png', mask, imageSize: { width: 4, height: 1 }, classCount: 3, classSource: 'classes.txt' });
    expect(Array.from(c.classes)).toEqual([0, 1, IGNORE_CLASS, IGNORE_CLASS]);
    expect(c.issues.map((i) => i.message)).toEqual([
      'masks/b.png holds the value 7, beyond the 3 classes in classes.txt (0–2); those 2 pixels are ignored in training and in the class shares.',
    ]);
    const two = checkMask({
      maskPath: 'm.png',
      mask: maskToClasses(greyPng(3, 1, [4, 255, 0])),
      imageSize: { width: 3, height: 1 },
      classCount: 2,
    });
    expect(two.issues.map((i) => i.message)).toEqual([
      'm.png holds the values 4 and 255, beyond the 2 classes (0–1); those 2 pixels are ignored in training and in the class shares.',
    ]);
    expect(mask.classes[2]).toBe(7); // the input is not changed
  });

  it('names colours the colour map lacks', () => {
    const mask = maskToClasses(
      rgbPng(2, 1, [
        [0, 0, 0],
        [1, 2, 3],
      ]),
      { colourMap: [{ colour: '#000000', classIndex: 0 }] },
    );
    const c = checkMask({ maskPath: 'masks/c.png', mask, imageSize: { width: 2, height: 1 }, classCount: 2 });
    expect(c.issues.map((i) => i.message)).toEqual([
      'masks/c.png uses the colour #010203, which the colour map does not name; those pixels are ignored until the map gives it a class.',
    ]);
  });

  it('a clean mask has no issues and its own copy of the classes', () => {
    const mask = maskToClasses(greyPng(2, 1, [0, 1]));
    const c = checkMask({ maskPath: 'm.png', mask, imageSize: { width: 2, height: 1 }, classCount: 2 });
    expect(c.issues).toEqual([]);
    expect(c.classes).not.toBe(mask.classes);
  });
});

describe('summarise', () => {
  const checked = (w: number, h: number, values: number[], classCount: number): CheckedMask =>
    checkMask({ maskPath: 'm.png', mask: maskToClasses(greyPng(w, h, values)), imageSize: { width: w, height: h }, classCount });
  const noMissing = { imagesWithoutMask: [], masksWithoutImage: [] };

  it('gives each class its share of the pixels, summing to 1, ignored pixels left out', () => {
    const s = summarise({
      pairing: noMissing,
      masks: [checked(4, 1, [0, 0, 0, 1], 3), checked(4, 1, [0, 2, 2, 9], 3)],
      classCount: 3,
      classNames: ['background', 'nucleus', 'cell'],
    });
    expect(s.pixelCounts).toEqual([4, 1, 2]);
    expect(s.pixelShare).toEqual([4 / 7, 1 / 7, 2 / 7]);
    expect(s.pixelShare.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(s.ignoredPixels).toBe(1);
    expect(s.classNames).toEqual(['background', 'nucleus', 'cell']);
    expect(s.issues.map((i) => i.kind)).toEqual(['values-beyond-classes']);
  });

  it('says which images have no mask and which masks no image', () => {
    const s = summarise({
      pairing: { imagesWithoutMask: ['images/c.png'], masksWithoutImage: ['masks/d.png'] },
      masks: [checked(2, 1, [0, 1], 2)],
      classCount: 2,
    });
    expect(s.issues.map((i) => i.message)).toEqual([
      'images/c.png has no mask in masks/ under the same name, so it is left out.',
      'masks/d.png has no image in images/ under the same name, so it is left out.',
    ]);
    expect(s.classNames).toEqual(['background', 'class 1']);
  });

  it('names a class from classes.txt that no mask uses', () => {
    const s = summarise({
      pairing: noMissing,
      masks: [checked(3, 1, [0, 2, 2], 3)],
      classCount: 3,
      classNames: ['background', 'nucleus', 'cell'],
    });
    expect(s.issues).toEqual([
      {
        kind: 'empty-class',
        classIndex: 1,
        name: 'nucleus',
        message:
          'No mask uses class 1 “nucleus” from classes.txt, so the model cannot learn it; add masks that show it, or remove it from classes.txt.',
      },
    ]);
    expect(s.pixelShare).toEqual([1 / 3, 0, 2 / 3]);
  });

  it('without classes.txt: a gap in the values, and masks of only background', () => {
    const masks = [maskToClasses(greyPng(3, 1, [0, 3, 1]))];
    expect(inferClassCount(masks)).toBe(4);
    const gap = summarise({ pairing: noMissing, masks: [checked(3, 1, [0, 3, 1], 4)], classCount: 4 });
    expect(gap.issues.map((i) => i.message)).toEqual([
      'No mask uses class 2, though masks use higher values, so the model cannot learn it; add a classes.txt to name the classes, or renumber the masks.',
    ]);
    const blank = summarise({
      pairing: noMissing,
      masks: [checked(2, 1, [0, 0], 2)],
      classCount: inferClassCount([maskToClasses(greyPng(2, 1, [0, 0]))]),
    });
    expect(blank.classCount).toBe(2);
    expect(blank.issues.map((i) => i.message)).toEqual([
      'Every mask holds only the background (0), so there is nothing to segment; check that the masks’ values are the class indices.',
    ]);
  });
});

describe('analyseSegmentation: a whole set', () => {
  it('pairs, decodes, checks and summarises, with one issue per problem', () => {
    const files: Record<string, Uint8Array> = {
      'set/images/a.png': encodePng(4, 4, new Uint8Array(48), 3),
      'set/images/b.png': encodePng(4, 4, new Uint8Array(48), 3),
      'set/images/c.png': encodePng(4, 4, new Uint8Array(48), 3),
      'set/images/d.png': encodePng(4, 4, new Uint8Array(48), 3),
      'set/images/e.png': encodePng(4, 4, new Uint8Array(48), 3),
      'set/masks/a.png': encodePng(4, 4, Uint8Array.from([0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 0, 0, 2, 2, 0, 0]), 1),
      'set/masks/b.png': encodePng(2, 2, Uint8Array.from([0, 1, 2, 0]), 1), // smaller: resized
      'set/masks/c.png': encodePng(
        4,
        4,
        Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 5 : 0)),
        1,
      ), // 5 is beyond
      'set/masks/d.png': new TextEncoder().encode('not a png'),
      'set/masks/z.png': encodePng(1, 1, new Uint8Array(1), 1),
    };
    const classesTxt = 'background\nnucleus\ncell\n';
    const pairing = pairImagesAndMasks([...Object.keys(files), 'set/classes.txt']);
    expect(pairing.classesTxt).toBe('set/classes.txt');
    const decoded = new Map<string, DecodedPng | Error>();
    for (const { mask } of pairing.pairs) {
      try {
        decoded.set(mask, decodePng(files[mask] ?? new Uint8Array(0), mask));
      } catch (e) {
        decoded.set(mask, e as PngDecodeError);
      }
    }
    const imageSizes = new Map(pairing.pairs.map((p) => [p.image, { width: 4, height: 4 }]));
    const { summary, masks } = analyseSegmentation({ pairing, decoded, imageSizes, classesTxt });
    expect(summary.classCount).toBe(3);
    expect(summary.usablePairs).toBe(3);
    expect([...masks.keys()]).toEqual(['a', 'b', 'c']);
    expect(summary.issues.map((i) => `${i.kind}: ${i.message}`)).toEqual([
      'image-without-mask: set/images/e.png has no mask in masks/ under the same name, so it is left out.',
      'mask-without-image: set/masks/z.png has no image in images/ under the same name, so it is left out.',
      'mask-unreadable: set/masks/d.png is not a PNG file (its first bytes are not the PNG signature).',
      'mask-resized: set/masks/b.png is 2×2 but its image is 4×4; the mask was resized to 4×4 with nearest neighbour.',
      'values-beyond-classes: set/masks/c.png holds the value 5, beyond the 3 classes in classes.txt (0–2); that pixel is ignored in training and in the class shares.',
    ]);
    // a: 8 bg, 4 nucleus, 4 cell; b resized: 8 bg, 4, 4; c: 15 bg (one ignored).
    expect(summary.pixelCounts).toEqual([31, 8, 8]);
    expect(summary.pixelShare.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
  });

  it('looks pairs up by their key when they carry one (paths may repeat across drops), and reports unreadable images', () => {
    const pairs = [
      { key: 'd1:a', name: 'a', image: 'images/a.png', mask: 'masks/a.png' },
      { key: 'd2:b', name: 'b', image: 'images/a.png', mask: 'masks/a.png' },
    ];
    const decoded = new Map<string, DecodedPng | Error>([
      ['d1:a', greyPng(2, 1, [0, 1])],
      [
        'd2:b',
        palettePng(
          2,
          1,
          [2, 0],
          [
            [0, 0, 0],
            [9, 9, 9],
            [50, 50, 50],
          ],
        ),
      ],
    ]);
    const imageSizes = new Map([
      ['d1:a', { width: 2, height: 1 }],
      ['d2:b', { width: 4, height: 1 }],
    ]);
    const unreadableImages = [{ file: 'images/z.png', message: 'images/z.png is empty (0 bytes).' }];
    const unreadableMasks = [{ file: 'masks/y.png', message: 'masks/y.png is larger than 1 KB, the most the studio takes for one image.' }];
    const { masks, summary } = analyseSegmentation({
      pairing: { pairs, imagesWithoutMask: [], masksWithoutImage: [] },
      decoded,
      imageSizes,
      unreadableImages,
      unreadableMasks,
    });
    expect([...masks.keys()]).toEqual(['d1:a', 'd2:b']);
    expect(masks.get('d1:a')).toMatchObject({ mode: 'grey', width: 2 });
    expect(masks.get('d2:b')).toMatchObject({ mode: 'palette', width: 4 });
    expect(Array.from(masks.get('d2:b')?.classes ?? [])).toEqual([2, 2, 0, 0]);
    expect(summary.issues.map((i) => i.kind)).toEqual(['image-unreadable', 'mask-unreadable', 'mask-resized']);
    expect(summary.issues[0]?.message).toBe('images/z.png is empty (0 bytes).');
  });

  it('builds one colour map for all colour masks of the set', () => {
    const red: [number, number, number] = [200, 0, 0];
    const blue: [number, number, number] = [0, 0, 200];
    const black: [number, number, number] = [0, 0, 0];
    const pairing = pairImagesAndMasks(['images/1.png', 'images/2.png', 'masks/1.png', 'masks/2.png']);
    const decoded = new Map<string, DecodedPng | Error>([
      ['masks/1.png', rgbPng(2, 1, [black, red])],
      ['masks/2.png', rgbPng(2, 1, [blue, black])],
    ]);
    const imageSizes = new Map([
      ['images/1.png', { width: 2, height: 1 }],
      ['images/2.png', { width: 2, height: 1 }],
    ]);
    const a = analyseSegmentation({ pairing, decoded, imageSizes });
    expect(a.colourMap).toEqual([
      { colour: '#000000', classIndex: 0 },
      { colour: '#0000c8', classIndex: 1 },
      { colour: '#c80000', classIndex: 2 },
    ]);
    expect(Array.from(a.masks.get('1')?.classes ?? [])).toEqual([0, 2]);
    expect(Array.from(a.masks.get('2')?.classes ?? [])).toEqual([1, 0]);
    expect(a.summary.classCount).toBe(3);
    expect(a.summary.issues).toEqual([]);
  });
});
