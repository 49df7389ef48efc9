/**
 * Pure ingest: files and zips in, accepted images plus plain-English reasons for the rest out.
 * Uses nothing beyond Blob and Web Crypto, so it runs on the main thread, in a worker and in Node.
 * It throws only for the drop as a whole (too many files, a zip bomb, a corrupt zip, cancel);
 * a single bad file becomes a SkippedFile.
 */
import { StudioError } from '../lib/errors';
import { FolderTracker } from './folders';
import { formatBytes, formatCount, quote } from './format';
import { sha256Hex } from './hash';
import { isJunkPath, isZipName, parentFolder, pathSegments } from './paths';
import { mimeTypeOf, readImageSize, sniffImageFormat } from './sniff';
import type { DatasetImage, ImageFormat, ImageSize, IngestResult, SkippedFile } from './types';
import { extractZipEntry, findZipDirectory, readZipEntries, ZipFormatError, type ZipEntry } from './zip';

/** One file of a drop: `path` is relative (`cats/a.jpg`, `root/cats/a.jpg` or just `a.jpg`). */
export interface InputFile {
  path: string;
  data: Blob;
}

export interface IngestLimits {
  /** Files in one drop, counting every entry of its zips. */
  maxFiles: number;
  /** Entries in one zip. */
  maxEntries: number;
  /** Uncompressed bytes of all zips in one drop, from their directories, checked before inflating. */
  maxTotalBytes: number;
  /** Bytes of one image. */
  maxFileBytes: number;
}

export const DEFAULT_INGEST_LIMITS: Readonly<IngestLimits> = {
  maxFiles: 20_000,
  maxEntries: 20_000,
  maxTotalBytes: 1024 ** 3,
  maxFileBytes: 100 * 1024 ** 2,
};

/** Images above this many pixels are accepted and flagged: they will be downscaled. */
export const LARGE_IMAGE_PIXELS = 40_000_000;

/** Resolves to the decoded size, rejects when the image cannot be decoded. */
export type ImageProbe = (blob: Blob, format: ImageFormat) => Promise<ImageSize>;

export interface IngestOptions {
  /** Class for images not inside any folder; `unlabelled` when absent. */
  defaultLabel?: string;
  /** A real decode (the browser's `probeImage`); without it the header alone decides. */
  probe?: ImageProbe;
  limits?: Partial<IngestLimits>;
  /** Ids are `${idPrefix}-${n}`, n from 1; pick a new prefix per drop. */
  idPrefix?: string;
  signal?: AbortSignal;
  /** Files looked at so far, and the number known so far (it grows as zips are opened). */
  onProgress?: (done: number, total: number) => void;
  /** Files read and probed at once (default 4). */
  concurrency?: number;
}

export const UNLABELLED = 'unlabelled';

export const SKIP_REASONS = {
  empty: 'is empty (0 bytes)',
  notImage: 'is not an image (JPEG, PNG, WebP, GIF or BMP)',
  corrupt: 'could not be decoded; the file may be corrupt',
  nestedZip: 'is a zip inside a zip; unzip it and add it on its own',
  damagedEntry: 'could not be read from the zip; the zip may be damaged',
  encrypted: 'is encrypted in the zip; the studio cannot open password-protected zips',
  unsupportedCompression: 'uses a zip compression method the studio cannot read',
  unreadable: 'could not be read; it may have been moved or deleted',
} as const;

/** Enough leading bytes to sniff any supported format. */
const HEAD_BYTES = 64;

/**
 * A file of a drop to look at (loose, or an entry of a zip); `read` loads its bytes on demand so
 * only a few are in memory at once. Shared with the segmentation ingest (seg-ingest.ts).
 */
export interface FileCandidate {
  path: string;
  name: string;
  size: number;
  /** The original Blob for loose files; zip entries get a new Blob of their bytes. */
  blob?: Blob;
  read: () => Promise<Uint8Array>;
  /** A reason known before reading (encrypted, unsupported compression, too large). */
  preSkip?: string;
}

interface Candidate extends FileCandidate {
  label: string;
}

type Outcome = { kind: 'image'; image: Omit<DatasetImage, 'id'>; large: boolean } | { kind: 'skipped'; skipped: SkippedFile };

/** What one drop has used of its limits so far; `countFiles` and `checkZipBytes` add to it and throw past them. */
export interface DropBudget {
  limits: IngestLimits;
  /** Candidates counted so far against maxFiles. */
  fileCount: number;
  /** Declared uncompressed bytes of zips so far against maxTotalBytes. */
  zipBytes: number;
}

interface IngestContext extends DropBudget {
  opts: IngestOptions;
  folders: FolderTracker;
  done: number;
  total: number;
  outcomes: Outcome[];
}

export async function ingestFiles(files: readonly InputFile[], opts: IngestOptions = {}): Promise<IngestResult> {
  const ctx: IngestContext = {
    opts,
    limits: { ...DEFAULT_INGEST_LIMITS, ...opts.limits },
    folders: new FolderTracker(),
    fileCount: 0,
    zipBytes: 0,
    done: 0,
    total: 0,
    outcomes: [],
  };
  const loose: Candidate[] = [];
  const zips: InputFile[] = [];
  for (const file of files) {
    const segments = pathSegments(file.path);
    if (!noteAndFilter(ctx, [], segments)) continue;
    if (isZipName(file.path)) zips.push(file);
    else loose.push(looseCandidate(file, segments, ctx));
  }
  // Each zip counts as one file here; its entries replace that one when it is opened.
  countFiles(ctx, loose.length + zips.length);
  ctx.total = loose.length;
  await processAll(ctx, loose);
  for (const zip of zips) await ingestZip(ctx, zip);
  return collect(ctx);
}

/**
 * Records the folder of a path; false when the path is junk to ignore silently, or a directory.
 * `base` is the folder a zip sits in: a zip's content counts as if unpacked in place.
 */
function noteAndFilter(ctx: IngestContext, base: string[], segments: string[], isDirectory = false): boolean {
  if (segments.length === 0) return false;
  const folders = isDirectory ? segments : segments.slice(0, -1);
  if (isJunkPath(folders)) return false;
  if (base.length + folders.length > 0) ctx.folders.noteFolder([...base, ...folders]);
  return !isDirectory && !isJunkPath(segments);
}

function looseCandidate(file: InputFile, segments: string[], ctx: IngestContext): Candidate {
  return { ...looseFileCandidate(file, segments, ctx.limits), label: parentFolder(segments) ?? fallbackLabel(ctx.opts) };
}

/** A loose file of a drop as a candidate; `segments` are its path's (`pathSegments`). */
export function looseFileCandidate(file: InputFile, segments: readonly string[], limits: IngestLimits): FileCandidate {
  return {
    path: segments.join('/'),
    name: segments[segments.length - 1] ?? file.path,
    size: file.data.size,
    blob: file.data,
    read: async () => new Uint8Array(await file.data.arrayBuffer()),
    preSkip: tooLarge(file.data.size, limits),
  };
}

function fallbackLabel(opts: IngestOptions): string {
  const label = opts.defaultLabel?.trim();
  return label ? label : UNLABELLED;
}

function tooLarge(size: number, limits: IngestLimits): string | undefined {
  return size > limits.maxFileBytes
    ? `is larger than ${formatBytes(limits.maxFileBytes)}, the most the studio takes for one image`
    : undefined;
}

/** Adds `more` files to the drop's count; throws a StudioError with a sentence past `maxFiles`. */
export function countFiles(ctx: DropBudget, more: number): void {
  ctx.fileCount += more;
  if (ctx.fileCount > ctx.limits.maxFiles) {
    throw new StudioError(
      'dataset-invalid',
      `This drop holds more than ${formatCount(ctx.limits.maxFiles)} files, the most the studio takes at once. Add the images in smaller batches.`,
    );
  }
}

async function ingestZip(ctx: IngestContext, zip: InputFile): Promise<void> {
  throwIfAborted(ctx.opts.signal);
  const zipSegments = pathSegments(zip.path);
  const zipPath = zipSegments.join('/');
  const bytes = new Uint8Array(await zip.data.arrayBuffer());
  const entries = readZipListing(bytes, zipPath, ctx.limits);
  const candidates: Candidate[] = [];
  let declared = 0;
  for (const entry of entries) {
    const inner = pathSegments(entry.name);
    if (!noteAndFilter(ctx, zipSegments.slice(0, -1), inner, entry.isDirectory)) continue;
    declared += entry.size;
    candidates.push(zipCandidate(ctx, bytes, entry, inner, zipSegments));
  }
  checkZipBytes(ctx, zipPath, declared);
  countFiles(ctx, candidates.length - 1);
  ctx.total += candidates.length;
  await processAll(ctx, candidates);
}

/**
 * A zip's entries from its central directory, nothing inflated. Throws a StudioError with a
 * sentence naming the zip when it holds more than `maxEntries` entries, or is not a zip or damaged.
 */
export function readZipListing(bytes: Uint8Array, zipPath: string, limits: IngestLimits): ZipEntry[] {
  try {
    const dir = findZipDirectory(bytes);
    if (dir.entryCount > limits.maxEntries) {
      throw new StudioError(
        'zip-too-large',
        `${quote(zipPath)} holds ${formatCount(dir.entryCount)} files, more than the ${formatCount(limits.maxEntries)} the studio takes from one zip. Split it into smaller zips.`,
      );
    }
    return readZipEntries(bytes, dir);
  } catch (err) {
    if (err instanceof StudioError) throw err;
    throw new StudioError(
      'zip-invalid',
      `${quote(zipPath)} could not be opened: it is not a zip file or it is damaged. Try zipping the folders again.`,
      { cause: err },
    );
  }
}

/**
 * Adds a zip's declared uncompressed bytes to the drop's total; throws a StudioError with a sentence
 * (a zip bomb, or too much at once) past `maxTotalBytes`, before anything is inflated.
 */
export function checkZipBytes(ctx: DropBudget, zipPath: string, declared: number): void {
  const before = ctx.zipBytes;
  ctx.zipBytes += declared;
  if (ctx.zipBytes <= ctx.limits.maxTotalBytes) return;
  const limit = formatBytes(ctx.limits.maxTotalBytes);
  const size = formatBytes(declared);
  throw new StudioError(
    'zip-too-large',
    before === 0
      ? `${quote(zipPath)} would unpack to ${size}, more than the ${limit} the studio unpacks from one drop. Split it into smaller zips or add the folders directly.`
      : `${quote(zipPath)} would unpack to ${size}; with the zips before it in this drop that is more than the ${limit} the studio unpacks at once. Add it in a separate drop.`,
  );
}

function zipCandidate(ctx: IngestContext, zipBytes: Uint8Array, entry: ZipEntry, inner: string[], zipSegments: string[]): Candidate {
  return {
    ...zipFileCandidate(zipBytes, entry, [...zipSegments, ...inner].join('/'), inner[inner.length - 1] ?? entry.name, ctx.limits),
    label: parentFolder(inner) ?? parentFolder(zipSegments) ?? fallbackLabel(ctx.opts),
  };
}

/**
 * An entry of a zip (`zipBytes`, listed by `readZipListing`) as a candidate at `path`; reading a
 * damaged entry gives the skip reason `SKIP_REASONS.damagedEntry`.
 */
export function zipFileCandidate(zipBytes: Uint8Array, entry: ZipEntry, path: string, name: string, limits: IngestLimits): FileCandidate {
  return {
    path,
    name,
    size: entry.size,
    read: async () => {
      try {
        return await extractZipEntry(zipBytes, entry);
      } catch (err) {
        if (err instanceof ZipFormatError) throw new SkipError(SKIP_REASONS.damagedEntry);
        throw err;
      }
    },
    preSkip: entryPreSkip(entry, limits),
  };
}

function entryPreSkip(entry: ZipEntry, limits: IngestLimits): string | undefined {
  if (entry.encrypted) return SKIP_REASONS.encrypted;
  if (entry.method !== 0 && entry.method !== 8) return SKIP_REASONS.unsupportedCompression;
  return tooLarge(entry.size, limits);
}

/** Carries a skip reason out of a candidate's `read`. */
class SkipError extends Error {}

/** Runs `examine` over candidates, a few at a time, keeping input order in ctx.outcomes. */
async function processAll(ctx: IngestContext, candidates: readonly Candidate[]): Promise<void> {
  const results: Outcome[] = new Array<Outcome>(candidates.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < candidates.length) {
      throwIfAborted(ctx.opts.signal);
      const index = next++;
      const candidate = candidates[index];
      if (!candidate) continue;
      results[index] = await examine(candidate, ctx.opts.probe);
      ctx.done++;
      ctx.opts.onProgress?.(ctx.done, ctx.total);
    }
  };
  const lanes = Math.max(1, Math.min(ctx.opts.concurrency ?? 4, candidates.length));
  await Promise.all(Array.from({ length: lanes }, worker));
  ctx.outcomes.push(...results);
}

async function examine(c: Candidate, probe: ImageProbe | undefined): Promise<Outcome> {
  const r = await examineImage(c, probe);
  if ('reason' in r) return { kind: 'skipped', skipped: { path: c.path, reason: r.reason } };
  const image = {
    label: c.label,
    name: c.name,
    path: c.path,
    blob: r.blob,
    format: r.format,
    bytes: r.bytes,
    hash: r.hash,
    width: r.width,
    height: r.height,
  };
  return { kind: 'image', image, large: r.width * r.height > LARGE_IMAGE_PIXELS };
}

/** An image that passed `examineImage`. */
export interface ExaminedImage {
  /** The loose file's own Blob, or a new Blob of a zip entry's bytes typed from sniffing. */
  blob: Blob;
  format: ImageFormat;
  bytes: number;
  /** SHA-256 of the bytes, hex. */
  hash: string;
  width: number;
  height: number;
}

/**
 * Reads, sniffs, measures (the probe when given, else the header) and hashes one candidate image;
 * `{ reason }` (one of SKIP_REASONS, or a size limit) when it cannot be used.
 */
export async function examineImage(c: FileCandidate, probe: ImageProbe | undefined): Promise<ExaminedImage | { reason: string }> {
  const skip = (reason: string) => ({ reason });
  if (c.size === 0) return skip(SKIP_REASONS.empty);
  if (c.preSkip) return skip(c.preSkip);
  // A loose file is sniffed from its first bytes, so a folder of videos is not read in full.
  const early = c.blob ? await sniffHead(c.blob) : undefined;
  if (early) return skip(early);
  const read = await readCandidate(c);
  if ('reason' in read) return read;
  const { bytes } = read;
  const format = sniffImageFormat(bytes);
  if (!format) return skip(isZipName(c.name) ? SKIP_REASONS.nestedZip : SKIP_REASONS.notImage);
  const blob = c.blob ?? new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mimeTypeOf(format) });
  const size = await measure(bytes, format, blob, probe);
  if (!size) return skip(SKIP_REASONS.corrupt);
  return { blob, format, bytes: bytes.length, hash: await sha256Hex(bytes), width: size.width, height: size.height };
}

/**
 * A candidate's bytes, or `{ reason }` (one of SKIP_REASONS, or a size limit) when it is empty,
 * refused before reading (too large, encrypted, unsupported compression) or cannot be read.
 */
export async function readCandidate(c: FileCandidate): Promise<{ bytes: Uint8Array } | { reason: string }> {
  if (c.size === 0) return { reason: SKIP_REASONS.empty };
  if (c.preSkip) return { reason: c.preSkip };
  let bytes: Uint8Array;
  try {
    bytes = await c.read();
  } catch (err) {
    return { reason: err instanceof SkipError ? err.message : SKIP_REASONS.unreadable };
  }
  return bytes.length === 0 ? { reason: SKIP_REASONS.empty } : { bytes };
}

/** A skip reason from the first bytes of a Blob, or undefined when it may be an image. */
async function sniffHead(blob: Blob): Promise<string | undefined> {
  try {
    const head = new Uint8Array(await blob.slice(0, HEAD_BYTES).arrayBuffer());
    return sniffImageFormat(head) ? undefined : SKIP_REASONS.notImage;
  } catch {
    return SKIP_REASONS.unreadable;
  }
}

/** The probe's answer when there is a probe (it decodes for real), else the header's. */
async function measure(bytes: Uint8Array, format: ImageFormat, blob: Blob, probe: ImageProbe | undefined): Promise<ImageSize | null> {
  if (!probe) return readImageSize(bytes, format);
  try {
    const size = await probe(blob, format);
    return isValidSize(size) ? { width: size.width, height: size.height } : null;
  } catch {
    return null;
  }
}

function isValidSize(size: ImageSize | null | undefined): size is ImageSize {
  return !!size && Number.isFinite(size.width) && Number.isFinite(size.height) && size.width >= 1 && size.height >= 1;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StudioError('cancelled', 'Adding images was cancelled.');
}

function collect(ctx: IngestContext): IngestResult {
  const prefix = ctx.opts.idPrefix ?? 'img';
  const images: DatasetImage[] = [];
  const skipped: SkippedFile[] = [];
  const largeImages: string[] = [];
  for (const outcome of ctx.outcomes) {
    if (outcome.kind === 'skipped') {
      skipped.push(outcome.skipped);
      continue;
    }
    images.push({ id: `${prefix}-${images.length + 1}`, ...outcome.image });
    if (outcome.large) largeImages.push(outcome.image.path);
  }
  const accepted = new Set(images.map((i) => i.label));
  return { images, skipped, emptyClasses: ctx.folders.emptyClasses(accepted), largeImages };
}
