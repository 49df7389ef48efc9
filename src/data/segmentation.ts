/**
 * Segmentation data primitives: pair images with masks, read `classes.txt`, turn a decoded mask
 * into class indices, resize it, and check a set (sizes, values, empty classes, pixel shares).
 * Pure: typed arrays and strings, no DOM, no tfjs; the browser side decodes the files.
 *
 * The dataset shape is CONTRACT.md's: `images/` and `masks/` at the root or inside one top-level
 * folder, a mask per image with the image's base name, and an optional `classes.txt`.
 */
import { StudioError } from '../lib/errors';
import type { DecodedPng } from './png-decode';
import { isJunkPath, pathSegments } from './paths';

/** The value a class map holds where a pixel has no usable class: left out of training and of the shares. */
export const IGNORE_CLASS = 255;
/** Class indices 0..254; 255 is `IGNORE_CLASS`. */
export const MAX_CLASSES = 255;

const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'webp', 'bmp', 'gif']);

export interface SegPair {
  /** The base name both share: the path under images/ (or masks/) without its extension. */
  name: string;
  image: string;
  mask: string;
}

/** A pair with a key unique across drops (paths and names may repeat from one drop to the next). */
export interface KeyedSegPair extends SegPair {
  key?: string;
}

export interface IgnoredFile {
  path: string;
  reason: string;
}

export interface Pairing {
  pairs: SegPair[];
  imagesWithoutMask: string[];
  masksWithoutImage: string[];
  /** The path of `classes.txt`, when the set has one next to images/ and masks/. */
  classesTxt?: string;
  /** Files inside images/ or masks/ that were not used, each with a sentence. */
  ignored: IgnoredFile[];
  /** The top-level folder that holds images/ and masks/, or '' when they are at the root. */
  root: string;
}

/** Why a segmentation set cannot be used at all; the sentence says what to change. */
export class SegmentationDataError extends StudioError {
  constructor(userMessage: string) {
    super('dataset-invalid', userMessage);
    this.name = 'SegmentationDataError';
  }
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

function withoutExtension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

const listWords = (items: readonly string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;

const isImagesFolder = (s: string | undefined) => s?.toLowerCase() === 'images';
const isMasksFolder = (s: string | undefined) => s?.toLowerCase() === 'masks';

/**
 * Pairs the image and mask paths of a dropped folder or zip by base name. Sub-folders under
 * images/ are kept in the name (images/a/x.png pairs with masks/a/x.png). Folder names are matched
 * case-insensitively; base names exactly. Junk (dotfiles, __MACOSX, Thumbs.db) is skipped silently,
 * and so are files outside images/ and masks/ other than classes.txt (a README, a LICENSE).
 * Throws a `SegmentationDataError` when there is no images/ folder, or images/ but no masks/.
 */
export function pairImagesAndMasks(paths: readonly string[]): Pairing {
  const files = paths.map((path) => ({ path, segs: pathSegments(path) })).filter((f) => f.segs.length > 0 && !isJunkPath(f.segs));

  // images/ and masks/ at the root, or inside one top-level folder (other top-level files are fine).
  const isSetFolder = (s: string | undefined) => isImagesFolder(s) || isMasksFolder(s);
  const atRoot = files.some((f) => f.segs.length > 1 && isSetFolder(f.segs[0]));
  const holders = [...new Set(files.filter((f) => f.segs.length > 2 && isSetFolder(f.segs[1])).map((f) => f.segs[0] ?? ''))].sort();
  if (!atRoot && holders.length > 1) {
    throw new SegmentationDataError(
      `The dataset has images/ or masks/ folders in ${holders.length} top-level folders (${listWords(holders)}); keep one set, with images/ and masks/ side by side.`,
    );
  }
  const root = atRoot ? '' : (holders[0] ?? '');
  const depth = root ? 1 : 0;

  const images = new Map<string, string>();
  const masks = new Map<string, string>();
  const ignored: IgnoredFile[] = [];
  let classesTxt: string | undefined;
  let sawMasksFolder = false;

  for (const { path, segs } of files) {
    if (root && (segs[0] !== root || segs.length < 2)) continue;
    const rest = segs.slice(depth);
    const file = rest[rest.length - 1] ?? '';
    if (rest.length === 1) {
      if (file.toLowerCase() === 'classes.txt') classesTxt = path;
      continue;
    }
    const folder = rest[0];
    const name = withoutExtension(rest.slice(1).join('/'));
    const ext = extensionOf(file);
    if (isImagesFolder(folder)) {
      if (!IMAGE_EXTENSIONS.has(ext)) {
        ignored.push({ path, reason: `${path} is not an image the studio reads (PNG, JPEG, WebP, BMP or GIF).` });
        continue;
      }
      const first = images.get(name);
      if (first !== undefined) {
        ignored.push({ path, reason: `${path} has the same base name as ${first}, so only ${first} is used.` });
        continue;
      }
      images.set(name, path);
    } else if (isMasksFolder(folder)) {
      sawMasksFolder = true;
      if (ext !== 'png') {
        const why = IMAGE_EXTENSIONS.has(ext)
          ? 'a mask must be a PNG (other formats change the values that name the classes)'
          : 'a mask must be a PNG';
        ignored.push({ path, reason: `${path} is not used: ${why}.` });
        continue;
      }
      const first = masks.get(name);
      if (first !== undefined) {
        ignored.push({ path, reason: `${path} has the same base name as ${first}, so only ${first} is used.` });
        continue;
      }
      masks.set(name, path);
    }
  }

  const where = root ? `The folder ${root}/` : 'The dataset';
  if (images.size === 0 && masks.size === 0) {
    throw new SegmentationDataError(
      'A segmentation dataset needs an images/ folder and a masks/ folder (at its root or inside one top-level folder), with one PNG mask per image under the same name.',
    );
  }
  if (images.size === 0) {
    throw new SegmentationDataError(
      `${where} has masks/ but no images/: add an images/ folder with the picture for each mask, under the same name.`,
    );
  }
  if (masks.size === 0) {
    const extra = sawMasksFolder ? ' (its masks/ folder holds no PNG)' : '';
    throw new SegmentationDataError(
      `${where} has images/ but no masks/${extra}: add a masks/ folder with one PNG per image, named like the image, whose grey value is the class.`,
    );
  }

  const pairs: SegPair[] = [];
  const imagesWithoutMask: string[] = [];
  for (const [name, image] of images) {
    const mask = masks.get(name);
    if (mask === undefined) imagesWithoutMask.push(image);
    else pairs.push({ name, image, mask });
  }
  const masksWithoutImage = [...masks].filter(([name]) => !images.has(name)).map(([, path]) => path);
  pairs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { pairs, imagesWithoutMask, masksWithoutImage, ...(classesTxt !== undefined ? { classesTxt } : {}), ignored, root };
}

/** Class names from `classes.txt`: one a line, trimmed, blank lines skipped, in index order. */
export function readClassesTxt(text: string): string[] {
  const names = text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (names.length > MAX_CLASSES) {
    throw new SegmentationDataError(`classes.txt names ${names.length} classes; the studio reads at most ${MAX_CLASSES}.`);
  }
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    const first = seen.get(name);
    if (first !== undefined)
      throw new SegmentationDataError(`classes.txt names “${name}” twice (classes ${first} and ${i}); each class needs its own name.`);
    seen.set(name, i);
  });
  return names;
}

// ── Masks → class indices ────────────────────────────────────────────────────────────────────────

/** One colour of a colour-coded (RGB) mask and the class it stands for. */
export interface ColourClass {
  /** '#rrggbb', lower case. */
  colour: string;
  classIndex: number;
}

/** How a mask's values were read. */
export type MaskMode = 'binary' | 'grey' | 'palette' | 'colour';

export interface MaskClasses {
  width: number;
  height: number;
  /** One class index per pixel, row-major; `IGNORE_CLASS` where a colour has no class. */
  classes: Uint8Array;
  /** Pixels per value 0..255 of `classes`. */
  counts: Uint32Array;
  /** The distinct values of `classes`, ascending (including `IGNORE_CLASS` when present). */
  values: number[];
  mode: MaskMode;
  /** For colour masks: the map used (the one given, or one built from this mask alone). */
  colourMap?: ColourClass[];
  /** For colour masks: colours the map does not name (their pixels hold `IGNORE_CLASS`). */
  unmappedColours: string[];
}

export interface MaskOptions {
  /** For RGB/RGBA masks: colour → class, for the whole set (see `buildColourMap`). */
  colourMap?: readonly ColourClass[];
}

const hex = (packed: number) => `#${packed.toString(16).padStart(6, '0')}`;

/** The distinct colours (packed 0xRRGGBB) of a mask's RGB, ignoring alpha, ascending. */
function packedColours(d: DecodedPng): number[] {
  const seen = new Set<number>();
  for (let i = 0; i < d.rgba.length; i += 4) seen.add(((d.rgba[i] ?? 0) << 16) | ((d.rgba[i + 1] ?? 0) << 8) | (d.rgba[i + 2] ?? 0));
  return [...seen].sort((a, b) => a - b);
}

/** True for RGB(A) masks whose every colour is a grey (r = g = b): a grey mask saved as RGB. */
function isGreyColours(colours: readonly number[]): boolean {
  return colours.every((c) => c >> 16 === ((c >> 8) & 0xff) && c >> 16 === (c & 0xff));
}

/** The distinct colours of an RGB/RGBA mask as '#rrggbb', ascending; [] for other kinds or grey-only RGB. */
export function maskColours(d: DecodedPng): string[] {
  if (d.kind !== 'rgb' && d.kind !== 'rgba') return [];
  const colours = packedColours(d);
  return isGreyColours(colours) ? [] : colours.map(hex);
}

/**
 * The default colour map for a set of colour masks: every colour seen, in the order of its
 * #rrggbb code, numbered from 0 — so black (#000000), when present, is the background, class 0.
 * The rule depends only on which colours occur, not on the order of the files, and the UI shows
 * the map for the person to edit. Throws when there are more colours than classes can hold (a
 * smoothed or JPEG-saved mask, not a colour-coded one).
 */
export function buildColourMap(colours: Iterable<string>): ColourClass[] {
  const sorted = [...new Set([...colours].map((c) => c.toLowerCase()))].sort();
  if (sorted.length > MAX_CLASSES) {
    throw new SegmentationDataError(
      `The colour masks hold ${sorted.length} different colours, more than the ${MAX_CLASSES} classes a mask can name; a colour-coded mask uses one exact colour per class (was it saved with smoothing, or as JPEG?).`,
    );
  }
  return sorted.map((colour, classIndex) => ({ colour, classIndex }));
}

function countValues(classes: Uint8Array): { counts: Uint32Array; values: number[] } {
  const counts = new Uint32Array(256);
  for (let i = 0; i < classes.length; i++) {
    const v = classes[i] ?? 0;
    counts[v] = (counts[v] ?? 0) + 1;
  }
  const values: number[] = [];
  counts.forEach((n, v) => {
    if (n > 0) values.push(v);
  });
  return { counts, values };
}

function greyClasses(grey: Uint8Array): { classes: Uint8Array; mode: MaskMode } {
  let binary = true;
  let any255 = false;
  for (let i = 0; i < grey.length; i++) {
    const v = grey[i];
    if (v === 255) any255 = true;
    else if (v !== 0) {
      binary = false;
      break;
    }
  }
  if (binary && any255) return { classes: grey.map((v) => (v === 255 ? 1 : 0)), mode: 'binary' };
  return { classes: grey.slice(), mode: 'grey' };
}

/**
 * A decoded mask as class indices, per CONTRACT.md and the issue:
 * - grey (or grey+alpha; alpha ignored): the value is the class, except that a mask holding only
 *   0 and 255 is binary (255 → class 1);
 * - palette: the palette index is the class (the colours are only how it looks);
 * - RGB/RGBA (alpha ignored): when every colour is a grey, read as a grey mask; otherwise each
 *   colour is a class through `options.colourMap` (colours it lacks → `IGNORE_CLASS`, listed in
 *   `unmappedColours`), or, without one, through `buildColourMap` of this mask's own colours.
 */
export function maskToClasses(d: DecodedPng, options: MaskOptions = {}): MaskClasses {
  const base = { width: d.width, height: d.height, unmappedColours: [] as string[] };
  if ((d.kind === 'grey' || d.kind === 'grey-alpha') && d.indices) {
    const { classes, mode } = greyClasses(d.indices);
    return { ...base, classes, mode, ...countValues(classes) };
  }
  if (d.kind === 'palette' && d.indices) {
    const classes = d.indices.slice();
    return { ...base, classes, mode: 'palette', ...countValues(classes) };
  }
  const pixels = d.width * d.height;
  const colours = packedColours(d);
  if (isGreyColours(colours)) {
    const grey = new Uint8Array(pixels);
    for (let i = 0; i < pixels; i++) grey[i] = d.rgba[i * 4] ?? 0;
    const { classes, mode } = greyClasses(grey);
    return { ...base, classes, mode, ...countValues(classes) };
  }
  const colourMap = options.colourMap ? [...options.colourMap] : buildColourMap(colours.map(hex));
  const lookup = new Map<number, number>();
  for (const { colour, classIndex } of colourMap) lookup.set(Number.parseInt(colour.slice(1), 16), classIndex);
  const unmapped = new Set<number>();
  const classes = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const packed = ((d.rgba[i * 4] ?? 0) << 16) | ((d.rgba[i * 4 + 1] ?? 0) << 8) | (d.rgba[i * 4 + 2] ?? 0);
    const cls = lookup.get(packed);
    if (cls === undefined) unmapped.add(packed);
    classes[i] = cls ?? IGNORE_CLASS;
  }
  const unmappedColours = [...unmapped].sort((a, b) => a - b).map(hex);
  return { ...base, classes, mode: 'colour', colourMap, unmappedColours, ...countValues(classes) };
}

/**
 * Nearest-neighbour resize of a class map (never blends two classes into a third): each output
 * pixel takes the source pixel under its centre.
 */
export function resizeNearest(classes: Uint8Array, width: number, height: number, newWidth: number, newHeight: number): Uint8Array {
  if (classes.length !== width * height) throw new RangeError(`resizeNearest: ${classes.length} values for ${width}×${height}`);
  if (width === newWidth && height === newHeight) return classes.slice();
  const out = new Uint8Array(newWidth * newHeight);
  const xs = Array.from({ length: newWidth }, (_, x) => Math.min(width - 1, Math.floor(((x + 0.5) * width) / newWidth)));
  for (let y = 0; y < newHeight; y++) {
    const sy = Math.min(height - 1, Math.floor(((y + 0.5) * height) / newHeight));
    const row = sy * width;
    for (let x = 0; x < newWidth; x++) out[y * newWidth + x] = classes[row + (xs[x] ?? 0)] ?? 0;
  }
  return out;
}

// ── Checks and summary ───────────────────────────────────────────────────────────────────────────

export type SegIssue =
  | { kind: 'image-without-mask'; file: string; message: string }
  | { kind: 'mask-without-image'; file: string; message: string }
  | { kind: 'image-unreadable'; file: string; message: string }
  | { kind: 'mask-unreadable'; file: string; message: string }
  | { kind: 'mask-resized'; file: string; from: { width: number; height: number }; to: { width: number; height: number }; message: string }
  | { kind: 'values-beyond-classes'; file: string; values: number[]; message: string }
  | { kind: 'unmapped-colours'; file: string; colours: string[]; message: string }
  | { kind: 'empty-class'; classIndex: number; name: string; message: string };

export interface CheckedMask {
  /** Class indices at the image's size; `IGNORE_CLASS` for pixels with no usable class. */
  classes: Uint8Array;
  width: number;
  height: number;
  /** Pixels per value 0..255 of `classes`. */
  counts: Uint32Array;
  /** How the mask's values were read (`MaskClasses.mode`). */
  mode: MaskMode;
  issues: SegIssue[];
}

/**
 * Checks one mask against its image and the number of classes: resizes it to the image with
 * nearest neighbour when the sizes differ (and says so), and turns values beyond the classes into
 * `IGNORE_CLASS` (and says which values, in which file).
 */
export function checkMask(args: {
  maskPath: string;
  mask: MaskClasses;
  imageSize: { width: number; height: number };
  classCount: number;
  /** Where the class count comes from, for the sentence: 'classes.txt' or 'inferred'. */
  classSource?: 'classes.txt' | 'inferred';
}): CheckedMask {
  const { maskPath, mask, imageSize, classCount } = args;
  const issues: SegIssue[] = [];
  let classes = mask.classes;
  const { width, height } = imageSize;
  if (mask.width !== width || mask.height !== height) {
    classes = resizeNearest(classes, mask.width, mask.height, width, height);
    issues.push({
      kind: 'mask-resized',
      file: maskPath,
      from: { width: mask.width, height: mask.height },
      to: { width, height },
      message: `${maskPath} is ${mask.width}×${mask.height} but its image is ${width}×${height}; the mask was resized to ${width}×${height} with nearest neighbour.`,
    });
  } else classes = classes.slice();

  // In a grey or palette mask 255 is a value like any other (often "ignore" in public sets), so it is
  // beyond the classes too; in a colour mask it marks colours the map lacks, reported below.
  const beyond = mask.values.filter((v) => v >= classCount && !(mask.mode === 'colour' && v === IGNORE_CLASS));
  if (beyond.length > 0) {
    const drop = new Uint8Array(256);
    for (const v of beyond) drop[v] = 1;
    let n = 0;
    for (let i = 0; i < classes.length; i++) {
      if (drop[classes[i] ?? 0]) {
        classes[i] = IGNORE_CLASS;
        n++;
      }
    }
    const source = args.classSource === 'classes.txt' ? ' in classes.txt' : '';
    const which = beyond.length === 1 ? `the value ${beyond[0]}` : `the values ${listWords(beyond.map(String))}`;
    issues.push({
      kind: 'values-beyond-classes',
      file: maskPath,
      values: beyond,
      message: `${maskPath} holds ${which}, beyond the ${classCount} classes${source} (0–${classCount - 1}); ${n === 1 ? 'that pixel is' : `those ${n} pixels are`} ignored in training and in the class shares.`,
    });
  }
  if (mask.unmappedColours.length > 0) {
    const cs = mask.unmappedColours;
    issues.push({
      kind: 'unmapped-colours',
      file: maskPath,
      colours: cs,
      message: `${maskPath} uses ${cs.length === 1 ? 'the colour' : 'the colours'} ${listWords(cs)}, which the colour map does not name; those pixels are ignored until the map gives ${cs.length === 1 ? 'it' : 'them'} a class.`,
    });
  }
  return { classes, width, height, counts: countValues(classes).counts, mode: mask.mode, issues };
}

/**
 * The number of classes: the names in classes.txt when there is one, else the highest value any
 * mask holds, plus one (at least 2: background and one class). `IGNORE_CLASS` is not counted.
 */
export function inferClassCount(masks: readonly MaskClasses[], classNames?: readonly string[]): number {
  if (classNames && classNames.length > 0) return classNames.length;
  let max = 1;
  for (const m of masks) for (const v of m.values) if (v !== IGNORE_CLASS && v > max) max = v;
  return max + 1;
}

/** Class names: classes.txt's, or 'background', 'class 1', 'class 2', … */
export function classNamesFor(classCount: number, fromFile?: readonly string[]): string[] {
  if (fromFile && fromFile.length > 0) return [...fromFile];
  return Array.from({ length: classCount }, (_, i) => (i === 0 ? 'background' : `class ${i}`));
}

export interface SegSummary {
  classNames: string[];
  classCount: number;
  /** Pairs whose mask could be read. */
  usablePairs: number;
  /** Pixels of each class over all checked masks, at image size. */
  pixelCounts: number[];
  /** Each class's share of the pixels that hold a class (ignored pixels left out); sums to 1 when any do. */
  pixelShare: number[];
  /** Pixels left out (`IGNORE_CLASS`). */
  ignoredPixels: number;
  issues: SegIssue[];
}

/**
 * The set-level view: missing partners, unreadable images and masks, every mask's own issues,
 * classes that no mask uses, and each class's share of the pixels, so imbalance is visible.
 */
export function summarise(args: {
  pairing: Pick<Pairing, 'imagesWithoutMask' | 'masksWithoutImage'>;
  masks: readonly CheckedMask[];
  classCount: number;
  /** From classes.txt, when the set has one. */
  classNames?: readonly string[];
  /** Masks that could not be read, each with its sentence. */
  unreadable?: readonly { file: string; message: string }[];
  /** Images that could not be read (empty, not an image, undecodable), each with its sentence. */
  unreadableImages?: readonly { file: string; message: string }[];
}): SegSummary {
  const { pairing, masks, classCount } = args;
  const fromFile = args.classNames && args.classNames.length > 0 ? args.classNames : undefined;
  const classNames = classNamesFor(classCount, fromFile);
  const issues: SegIssue[] = [];
  for (const file of pairing.imagesWithoutMask) {
    issues.push({ kind: 'image-without-mask', file, message: `${file} has no mask in masks/ under the same name, so it is left out.` });
  }
  for (const file of pairing.masksWithoutImage) {
    issues.push({ kind: 'mask-without-image', file, message: `${file} has no image in images/ under the same name, so it is left out.` });
  }
  for (const u of args.unreadableImages ?? []) issues.push({ kind: 'image-unreadable', file: u.file, message: u.message });
  for (const u of args.unreadable ?? []) issues.push({ kind: 'mask-unreadable', file: u.file, message: u.message });
  for (const m of masks) issues.push(...m.issues);

  const pixelCounts = new Array<number>(classCount).fill(0);
  let ignoredPixels = 0;
  for (const m of masks) {
    for (let v = 0; v < 256; v++) {
      const n = m.counts[v] ?? 0;
      if (v < classCount) pixelCounts[v] = (pixelCounts[v] ?? 0) + n;
      else ignoredPixels += n;
    }
  }
  const total = pixelCounts.reduce((a, b) => a + b, 0);
  const pixelShare = pixelCounts.map((n) => (total > 0 ? n / total : 0));
  const foreground = total - (pixelCounts[0] ?? 0);
  if (masks.length > 0 && !fromFile && foreground === 0 && total > 0) {
    issues.push({
      kind: 'empty-class',
      classIndex: 1,
      name: classNames[1] ?? 'class 1',
      message:
        'Every mask holds only the background (0), so there is nothing to segment; check that the masks’ values are the class indices.',
    });
  } else if (masks.length > 0) {
    pixelCounts.forEach((n, classIndex) => {
      if (n > 0) return;
      const name = classNames[classIndex] ?? `class ${classIndex}`;
      const message = fromFile
        ? `No mask uses class ${classIndex} “${name}” from classes.txt, so the model cannot learn it; add masks that show it, or remove it from classes.txt.`
        : `No mask uses class ${classIndex}, though masks use higher values, so the model cannot learn it; add a classes.txt to name the classes, or renumber the masks.`;
      issues.push({ kind: 'empty-class', classIndex, name, message });
    });
  }
  return { classNames, classCount, usablePairs: masks.length, pixelCounts, pixelShare, ignoredPixels, issues };
}

// ── The whole set at once ────────────────────────────────────────────────────────────────────────

export interface SegAnalysis {
  summary: SegSummary;
  /** Checked masks by pair key (its `key`, else its name), for the pairs whose mask could be read. */
  masks: Map<string, CheckedMask>;
  /** The colour map used for colour masks (given, or built from every colour mask's colours). */
  colourMap?: ColourClass[];
}

/**
 * Runs the steps above over a paired set whose masks are decoded and whose images are measured:
 * one colour map for all colour masks, the class count (classes.txt, else inferred), each mask
 * checked against its image, and the summary. A mask that failed to decode is passed as an Error
 * (its sentence becomes a 'mask-unreadable' issue); a pair without an image size is left out.
 * Pairs that carry a `key` (unique across drops) are looked up by it instead of by their paths.
 */
export function analyseSegmentation(args: {
  pairing: { pairs: readonly KeyedSegPair[] } & Pick<Pairing, 'imagesWithoutMask' | 'masksWithoutImage'>;
  /** By pair key, else by mask path. */
  decoded: ReadonlyMap<string, DecodedPng | Error>;
  /** By pair key, else by image path. */
  imageSizes: ReadonlyMap<string, { width: number; height: number }>;
  classesTxt?: string;
  colourMap?: readonly ColourClass[];
  /** Images that could not be read (their pairs are not in `pairing.pairs`), each with its sentence. */
  unreadableImages?: readonly { file: string; message: string }[];
  /** Masks that could not be read before decoding (their pairs are not in `pairing.pairs`). */
  unreadableMasks?: readonly { file: string; message: string }[];
}): SegAnalysis {
  const classNames = args.classesTxt !== undefined ? readClassesTxt(args.classesTxt) : undefined;
  const unreadable: { file: string; message: string }[] = [...(args.unreadableMasks ?? [])];
  const readable: { pair: KeyedSegPair; decoded: DecodedPng; size: { width: number; height: number } }[] = [];
  for (const pair of args.pairing.pairs) {
    const d = args.decoded.get(pair.key ?? pair.mask);
    const size = args.imageSizes.get(pair.key ?? pair.image);
    if (d instanceof Error)
      unreadable.push({ file: pair.mask, message: d instanceof StudioError ? d.userMessage : `${pair.mask} could not be read.` });
    else if (d && size) readable.push({ pair, decoded: d, size });
  }
  const colourMap = args.colourMap ? [...args.colourMap] : undefined;
  const colours = colourMap ? [] : readable.flatMap((r) => maskColours(r.decoded));
  const map = colourMap ?? (colours.length > 0 ? buildColourMap(colours) : undefined);
  const classMaps = readable.map((r) => maskToClasses(r.decoded, map ? { colourMap: map } : {}));
  const classCount = inferClassCount(classMaps, classNames);
  const classSource = classNames ? 'classes.txt' : 'inferred';
  const masks = new Map<string, CheckedMask>();
  readable.forEach((r, i) => {
    const mask = classMaps[i];
    if (mask) masks.set(r.pair.key ?? r.pair.name, checkMask({ maskPath: r.pair.mask, mask, imageSize: r.size, classCount, classSource }));
  });
  const summary = summarise({
    pairing: args.pairing,
    masks: [...masks.values()],
    classCount,
    classNames,
    unreadable,
    unreadableImages: args.unreadableImages,
  });
  return { summary, masks, ...(map ? { colourMap: map } : {}) };
}
