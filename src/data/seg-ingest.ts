/**
 * Segmentation ingest: a drop of files (a folder, loose files, `.zip`s) in, image–mask pairs out,
 * and the dataset of every drop kept so far. Pure: Blob and Web Crypto only, no DOM; runs in the
 * page, a worker and Node.
 *
 * `readSegDrop` expands zips under the same limits and sentences as the classification ingest
 * (`ingestFiles`, whose helpers it reuses), pairs images/ with masks/ by base name
 * (`pairImagesAndMasks`), and sniffs, measures and hashes the paired images. `analyseSegDrops`
 * decodes the masks exactly (`decodePng`, once per Blob), turns them into class indices at their
 * image's size and summarises every drop together (`analyseSegmentation`).
 */
import { StudioError } from '../lib/errors';
import {
  checkZipBytes,
  countFiles,
  DEFAULT_INGEST_LIMITS,
  examineImage,
  looseFileCandidate,
  readCandidate,
  readZipListing,
  SKIP_REASONS,
  zipFileCandidate,
  type DropBudget,
  type FileCandidate,
  type ImageProbe,
  type IngestLimits,
  type InputFile,
} from './ingest';
import { isJunkPath, isZipName, pathSegments } from './paths';
import { decodePng, type DecodedPng } from './png-decode';
import {
  analyseSegmentation,
  IGNORE_CLASS,
  pairImagesAndMasks,
  readClassesTxt,
  SegmentationDataError,
  type ColourClass,
  type KeyedSegPair,
  type MaskMode,
  type SegSummary,
} from './segmentation';
import { mimeTypeOf } from './sniff';

export interface SegEntry {
  /** Unique across drops: `${dropId}:${name}`. */
  id: string;
  /** The pair's base name (as pairImagesAndMasks gives it). */
  name: string;
  imagePath: string;
  maskPath: string;
  /** The image file, typed (image/png, image/jpeg… from sniffing). */
  image: Blob;
  /** The mask PNG. */
  mask: Blob;
  /** The decoded image size (from the probe when given, else the header). */
  width: number;
  height: number;
  /** SHA-256 (hex) of the image bytes. */
  hash: string;
}

export interface SegDrop {
  id: string;
  entries: SegEntry[];
  imagesWithoutMask: string[];
  masksWithoutImage: string[];
  /** Images under images/ that are empty, not images, or do not decode, each with a sentence naming the file. */
  unreadable: { file: string; message: string }[];
  /**
   * Masks that could not be taken out of the drop at all (empty, too large, or an encrypted or
   * damaged zip entry), each with a sentence naming the file; their pairs are left out. A mask
   * whose bytes are there but do not decode is found by `analyseSegDrops`.
   */
  unreadableMasks: { file: string; message: string }[];
  ignored: { path: string; reason: string }[];
  /** The text of its classes.txt, when it has one. */
  classesTxt?: string;
}

/** Files read and measured at once. */
const CONCURRENCY = 4;

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** A sentence for a file that cannot be used, from a skip reason (`SKIP_REASONS`, a size limit). */
const sentence = (path: string, reason: string) => `${path} ${reason}.`;

/**
 * Reads one drop: expands .zip files (same limits and sentences as ingestFiles), pairs by base
 * name, sniffs, probes and hashes the images. A zip's content counts as if unpacked where the zip
 * lies. Throws a StudioError/SegmentationDataError with a plain sentence for a drop that gives no
 * usable pair at all (no images/, no masks/, a corrupt zip, a zip bomb, images and masks whose
 * names never match, a classes.txt that cannot be used, or no pair whose files can be read).
 */
export async function readSegDrop(
  files: readonly InputFile[],
  opts: { id: string; probe?: ImageProbe; limits?: Partial<IngestLimits> },
): Promise<SegDrop> {
  const budget: DropBudget = { limits: { ...DEFAULT_INGEST_LIMITS, ...opts.limits }, fileCount: 0, zipBytes: 0 };
  const { candidates, repeated } = await expandDrop(files, budget);
  const pairing = pairImagesAndMasks([...candidates.keys()]);
  if (pairing.pairs.length === 0) throw namesNeverMatch(pairing.imagesWithoutMask, pairing.masksWithoutImage);

  const ignored = [
    ...repeated.map((path) => ({
      path,
      reason: `${path} is in this drop twice (loose and in a zip, or in two zips), so only the first is used.`,
    })),
    ...pairing.ignored,
  ];
  let classesTxt: string | undefined;
  const classesFile = pairing.classesTxt !== undefined ? candidates.get(pairing.classesTxt) : undefined;
  if (classesFile) {
    const read = await readCandidate(classesFile);
    if ('reason' in read) ignored.push({ path: classesFile.path, reason: sentence(classesFile.path, read.reason) });
    else {
      const text = new TextDecoder().decode(read.bytes);
      // A classes.txt that cannot be used (a name twice, too many) refuses the drop, with its sentence.
      if (readClassesTxt(text).length > 0) classesTxt = text;
      else ignored.push({ path: classesFile.path, reason: `${classesFile.path} names no class, so the classes are read from the masks.` });
    }
  }

  const unreadable: SegDrop['unreadable'] = [];
  const unreadableMasks: SegDrop['unreadableMasks'] = [];
  const results = await mapLimited(pairing.pairs, CONCURRENCY, async (pair) => {
    const imageFile = candidates.get(pair.image);
    const maskFile = candidates.get(pair.mask);
    if (!imageFile || !maskFile) return undefined;
    const image = await examineImage(imageFile, opts.probe);
    if ('reason' in image) return { unreadableImage: { file: pair.image, message: sentence(pair.image, image.reason) } };
    const mask = await maskBlob(maskFile);
    if ('reason' in mask) return { unreadableMask: { file: pair.mask, message: sentence(pair.mask, mask.reason) } };
    const type = mimeTypeOf(image.format);
    const entry: SegEntry = {
      id: `${opts.id}:${pair.name}`,
      name: pair.name,
      imagePath: pair.image,
      maskPath: pair.mask,
      image: image.blob.type === type ? image.blob : image.blob.slice(0, image.blob.size, type),
      mask: mask.blob,
      width: image.width,
      height: image.height,
      hash: image.hash,
    };
    return { entry };
  });
  const entries: SegEntry[] = [];
  for (const r of results) {
    if (r?.entry) entries.push(r.entry);
    if (r?.unreadableImage) unreadable.push(r.unreadableImage);
    if (r?.unreadableMask) unreadableMasks.push(r.unreadableMask);
  }
  if (entries.length === 0) {
    const first = unreadable[0] ?? unreadableMasks[0];
    const why = first ? first.message : 'its files could not be read.';
    const n = pairing.pairs.length;
    throw new SegmentationDataError(
      `${n === 1 ? 'The only image–mask pair in this drop could not be read:' : `None of the ${n} image–mask pairs in this drop could be read; for example,`} ${why} Replace the damaged files and add the set again.`,
    );
  }
  entries.sort(byName);
  return {
    id: opts.id,
    entries,
    imagesWithoutMask: pairing.imagesWithoutMask,
    masksWithoutImage: pairing.masksWithoutImage,
    unreadable,
    unreadableMasks,
    ignored,
    ...(classesTxt !== undefined ? { classesTxt } : {}),
  };
}

/**
 * Every file of the drop by its path, zips expanded in place (a zip's entries count as if unpacked
 * in the zip's folder), junk and folders left out; the first file wins where two share a path
 * (`repeated` lists the others). Counts files and zip bytes against the limits as `ingestFiles` does.
 */
async function expandDrop(
  files: readonly InputFile[],
  budget: DropBudget,
): Promise<{ candidates: Map<string, FileCandidate>; repeated: string[] }> {
  const out = new Map<string, FileCandidate>();
  const repeated: string[] = [];
  const add = (c: FileCandidate) => {
    if (out.has(c.path)) repeated.push(c.path);
    else out.set(c.path, c);
  };
  const zips: { file: InputFile; segments: string[] }[] = [];
  let loose = 0;
  for (const file of files) {
    const segments = pathSegments(file.path);
    if (segments.length === 0 || isJunkPath(segments)) continue;
    if (isZipName(file.path)) zips.push({ file, segments });
    else {
      add(looseFileCandidate(file, segments, budget.limits));
      loose++;
    }
  }
  // Each zip counts as one file here; its entries replace that one when it is opened.
  countFiles(budget, loose + zips.length);
  for (const { file, segments } of zips) {
    const zipPath = segments.join('/');
    const bytes = new Uint8Array(await file.data.arrayBuffer());
    const listed = readZipListing(bytes, zipPath, budget.limits);
    const base = segments.slice(0, -1);
    const kept: FileCandidate[] = [];
    let declared = 0;
    for (const entry of listed) {
      const inner = pathSegments(entry.name);
      if (entry.isDirectory || inner.length === 0 || isJunkPath(inner)) continue;
      declared += entry.size;
      kept.push(zipFileCandidate(bytes, entry, [...base, ...inner].join('/'), inner[inner.length - 1] ?? entry.name, budget.limits));
    }
    checkZipBytes(budget, zipPath, declared);
    countFiles(budget, kept.length - 1);
    kept.forEach(add);
  }
  return { candidates: out, repeated };
}

/** The mask as a PNG-typed Blob: a loose file's own bytes, or a zip entry's; `{ reason }` when it cannot be had. */
async function maskBlob(c: FileCandidate): Promise<{ blob: Blob } | { reason: string }> {
  if (c.blob) {
    if (c.size === 0) return { reason: SKIP_REASONS.empty };
    if (c.preSkip) return { reason: c.preSkip };
    return { blob: c.blob.type === 'image/png' ? c.blob : c.blob.slice(0, c.blob.size, 'image/png') };
  }
  const read = await readCandidate(c);
  return 'reason' in read ? read : { blob: new Blob([read.bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' }) };
}

function namesNeverMatch(images: readonly string[], masks: readonly string[]): SegmentationDataError {
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const first = (paths: readonly string[]) => [...paths].sort()[0] ?? '';
  return new SegmentationDataError(
    `The drop has ${count(images.length, 'image')} and ${count(masks.length, 'mask')}, but no mask has the base name of an image ` +
      `(for example ${first(images)} and ${first(masks)}); name each mask like its image (images/a.jpg → masks/a.png).`,
  );
}

/** `fn` over `items`, at most `lanes` at once, results in input order. */
async function mapLimited<T, R>(items: readonly T[], lanes: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, items.length)) }, lane));
  return out;
}

// ── The dataset of every drop ────────────────────────────────────────────────────────────────────

export interface SegPairItem {
  id: string;
  name: string;
  imagePath: string;
  maskPath: string;
  image: Blob;
  maskFile: Blob;
  width: number;
  height: number;
  hash: string;
  /** Checked class indices at the image's size (row-major), IGNORE_CLASS (255) where a pixel has no usable class: checkMask's output. */
  mask: Uint8Array;
  /** The classes the mask shows (sorted, 255 excluded). */
  classes: number[];
  /** How its mask was read: 'binary' | 'grey' | 'palette' | 'colour'. */
  mode: MaskMode;
}

export interface SegDataset {
  pairs: SegPairItem[];
  /** classes.txt's names (the latest drop that has one), else 'background', 'class 1', … up to the highest value any mask holds. */
  classNames: string[];
  classSource: 'classes.txt' | 'inferred';
  /** From `summarise`: pixel counts and shares per class, and every issue of every drop. */
  summary: SegSummary;
  /** The colour map used for colour (RGB) masks: the one given, else built from every colour mask of every drop; null when no mask is a colour mask. */
  colourMap: ColourClass[] | null;
}

/**
 * Decoded masks by their Blob, so a mask is decoded once however often the set is analysed. Masks
 * read through their indices (grey, palette) keep only those: their RGBA copy is dropped (a
 * zero-length array), as `maskToClasses` and `maskColours` never read it for those kinds.
 */
const decodedMasks = new WeakMap<Blob, Promise<DecodedPng | Error>>();

function decodeMask(blob: Blob, path: string): Promise<DecodedPng | Error> {
  let p = decodedMasks.get(blob);
  if (!p) {
    p = blob.arrayBuffer().then(
      (buffer) => {
        try {
          const d = decodePng(new Uint8Array(buffer), path);
          return d.indices && d.kind !== 'rgb' && d.kind !== 'rgba' ? { ...d, rgba: new Uint8Array(0) } : d;
        } catch (err) {
          return err instanceof Error ? err : new StudioError('file-unreadable', `${path} could not be read.`);
        }
      },
      () => new StudioError('file-unreadable', `${path} could not be read; it may have been moved or deleted.`),
    );
    decodedMasks.set(blob, p);
  }
  return p;
}

/**
 * The dataset from every drop kept so far: the pairs of all drops together (a pair whose name
 * repeats one of an earlier drop replaces it), sorted by name; each mask decoded (once per Blob),
 * read as class indices (one colour map for every colour mask), checked against its image; the
 * classes from the latest classes.txt, else inferred; and the summary with every drop's issues.
 * Pairs whose mask does not decode are left out (a 'mask-unreadable' issue).
 */
export async function analyseSegDrops(drops: readonly SegDrop[], opts: { colourMap?: readonly ColourClass[] } = {}): Promise<SegDataset> {
  const kept = new Map<string, SegEntry>();
  let classesTxt: string | undefined;
  for (const drop of drops) {
    for (const entry of drop.entries) kept.set(entry.name, entry);
    if (drop.classesTxt !== undefined) classesTxt = drop.classesTxt;
  }
  const entries = [...kept.values()].sort(byName);
  const decoded = new Map<string, DecodedPng | Error>();
  await Promise.all(entries.map(async (e) => decoded.set(e.id, await decodeMask(e.mask, e.maskPath))));
  const pairs: KeyedSegPair[] = entries.map((e) => ({ key: e.id, name: e.name, image: e.imagePath, mask: e.maskPath }));
  const analysis = analyseSegmentation({
    pairing: {
      pairs,
      imagesWithoutMask: drops.flatMap((d) => d.imagesWithoutMask),
      masksWithoutImage: drops.flatMap((d) => d.masksWithoutImage),
    },
    decoded,
    imageSizes: new Map(entries.map((e) => [e.id, { width: e.width, height: e.height }])),
    ...(classesTxt !== undefined ? { classesTxt } : {}),
    ...(opts.colourMap ? { colourMap: opts.colourMap } : {}),
    unreadableImages: drops.flatMap((d) => d.unreadable),
    unreadableMasks: drops.flatMap((d) => d.unreadableMasks),
  });
  const items: SegPairItem[] = [];
  for (const e of entries) {
    const checked = analysis.masks.get(e.id);
    if (!checked) continue;
    const classes: number[] = [];
    checked.counts.forEach((n, v) => {
      if (n > 0 && v !== IGNORE_CLASS) classes.push(v);
    });
    items.push({
      id: e.id,
      name: e.name,
      imagePath: e.imagePath,
      maskPath: e.maskPath,
      image: e.image,
      maskFile: e.mask,
      width: e.width,
      height: e.height,
      hash: e.hash,
      mask: checked.classes,
      classes,
      mode: checked.mode,
    });
  }
  const usesColour = items.some((p) => p.mode === 'colour');
  return {
    pairs: items,
    classNames: analysis.summary.classNames,
    classSource: classesTxt !== undefined ? 'classes.txt' : 'inferred',
    summary: analysis.summary,
    colourMap: usesColour ? (analysis.colourMap ?? null) : null,
  };
}
