/**
 * Audio ingest: a drop of class folders (loose, or in `.zip`s) in, decoded clips and listed warnings
 * out. Pure: the decoder is injected (the page passes `decodeAudioFile`; tests a fake), so this runs
 * in Node. Zips are expanded under the same limits and sentences as the image ingest, whose helpers
 * it reuses. The class is the top folder under the drop's root; a folder that holds the whole drop
 * (`voices/angry/a.wav`) is stripped. Deeper folders stay in the clip's path, where the speaker key
 * (`audioGroupOf`) can read them.
 */
import { StudioError } from '../lib/errors';
import type { AudioClipItem, AudioGroupKey } from '../state/types';
import { DEFAULTS } from '../tasks/audio-classification/frontend.js';
import { nonAudioKind, type DecodedClip } from './audio-decode';
import { listSome, quote } from './format';
import { sha256Hex } from './hash';
import {
  checkZipBytes,
  countFiles,
  DEFAULT_INGEST_LIMITS,
  readCandidate,
  readZipListing,
  SKIP_REASONS,
  zipFileCandidate,
  looseFileCandidate,
  type DropBudget,
  type FileCandidate,
  type IngestLimits,
  type InputFile,
} from './ingest';
import { isJunkPath, isZipName, pathSegments } from './paths';

export type AudioDecoder = (file: Blob, name: string) => Promise<DecodedClip>;

export interface AudioIngestOptions {
  decode: AudioDecoder;
  /** SHA-256 hex of a file's bytes (default: `sha256Hex`). */
  hash?: (bytes: Uint8Array) => Promise<string>;
  /** Put before every clip id (ids are otherwise the clip's path, `angry/v01_01.wav`). */
  idPrefix?: string;
  /** Classes already loaded: a drop's single top folder that is one of them is a class, not a wrapper. */
  knownClasses?: readonly string[];
  limits?: Partial<IngestLimits>;
  /** Files decoded at once (default 4). */
  concurrency?: number;
}

export interface AudioIngestResult {
  clips: AudioClipItem[];
  /** Sentences, each naming its file or class. */
  warnings: string[];
  /** Files of the drop that gave no clip: bad or loose sound files, and other files (README, …) left out silently. */
  skipped: number;
}

export const AUDIO_EXTENSIONS = ['wav', 'mp3', 'ogg', 'oga', 'flac', 'webm', 'm4a', 'aac', 'opus'] as const;

const MIME: Record<string, string> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  flac: 'audio/flac',
  webm: 'audio/webm',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
};

/** A clip whose loudest sample is below this is called silent. */
export const SILENCE_PEAK = 1e-3;

/** Sound files are larger than images: allow up to this much for one (a long WAV). */
const MAX_CLIP_BYTES = 1024 ** 3;

const extensionOf = (name: string) => /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';

/** True for a file name with one of the sound extensions read here. */
export function isAudioName(name: string): boolean {
  return (AUDIO_EXTENSIONS as readonly string[]).includes(extensionOf(name));
}

/** 75.4 → "1:15". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

interface Located {
  file: FileCandidate;
  segments: string[];
}

/** Reads a drop of class folders into clips. Throws (a StudioError with a sentence) only for the drop as a whole: a damaged zip, too many files. */
export async function readAudioFiles(files: readonly InputFile[], opts: AudioIngestOptions): Promise<AudioIngestResult> {
  const budget: DropBudget = {
    limits: { ...DEFAULT_INGEST_LIMITS, maxFileBytes: MAX_CLIP_BYTES, ...opts.limits },
    fileCount: 0,
    zipBytes: 0,
  };
  const warnings: string[] = [];
  const { found, others } = await expand(files, budget, warnings);
  const strip = rootDepth(
    found.map((f) => f.segments),
    new Set(opts.knownClasses ?? []),
  );
  const loose: string[] = [];
  const placed: { file: FileCandidate; path: string[] }[] = [];
  for (const f of found) {
    const path = f.segments.slice(strip);
    if (path.length < 2) loose.push(f.segments.join('/'));
    else placed.push({ file: f.file, path });
  }
  if (loose.length > 0) {
    warnings.push(
      `${listSome(loose.map(quote), 3)} ${loose.length === 1 ? 'is' : 'are'} not in a class folder, so ${loose.length === 1 ? 'its class is' : 'their classes are'} unknown and ${loose.length === 1 ? 'it was' : 'they were'} left out: put clips in folders named by their class (angry/a.wav, happy/b.wav).`,
    );
  }
  const outcomes = await mapLimited(placed, opts.concurrency ?? 4, (p) => readClip(p.file, p.path, opts));
  const clips: AudioClipItem[] = [];
  for (const o of outcomes) {
    warnings.push(...o.warnings);
    if (o.clip) clips.push(o.clip);
  }
  warnings.push(...audioClassWarnings(clips));
  return { clips, warnings, skipped: others + loose.length + placed.length - clips.length };
}

/** Sound files of the drop (zips expanded in place) and a count of the other files, left out silently. */
async function expand(files: readonly InputFile[], budget: DropBudget, warnings: string[]): Promise<{ found: Located[]; others: number }> {
  const found: Located[] = [];
  const seen = new Set<string>();
  let others = 0;
  const add = (file: FileCandidate, segments: string[]) => {
    const name = segments[segments.length - 1] ?? '';
    if (isZipName(name)) {
      warnings.push(`${quote(file.path)} ${SKIP_REASONS.nestedZip}.`);
      others++;
    } else if (!isAudioName(name)) others++;
    else if (seen.has(file.path)) {
      warnings.push(`${quote(file.path)} is in this drop twice (loose and in a zip, or in two zips), so only the first is used.`);
      others++;
    } else {
      seen.add(file.path);
      found.push({ file, segments });
    }
  };
  const zips: { file: InputFile; segments: string[] }[] = [];
  const loose: Located[] = [];
  for (const file of files) {
    const segments = pathSegments(file.path);
    if (segments.length === 0 || isJunkPath(segments)) continue;
    if (isZipName(file.path)) zips.push({ file, segments });
    else loose.push({ file: looseFileCandidate(file, segments, budget.limits), segments });
  }
  countFiles(budget, loose.length + zips.length);
  for (const l of loose) add(l.file, l.segments);
  for (const { file, segments } of zips) {
    const zipPath = segments.join('/');
    const bytes = new Uint8Array(await file.data.arrayBuffer());
    const listed = readZipListing(bytes, zipPath, budget.limits);
    const base = segments.slice(0, -1);
    const kept: Located[] = [];
    let declared = 0;
    for (const entry of listed) {
      const inner = pathSegments(entry.name);
      if (entry.isDirectory || inner.length === 0 || isJunkPath(inner)) continue;
      declared += entry.size;
      const all = [...base, ...inner];
      kept.push({
        file: zipFileCandidate(bytes, entry, all.join('/'), inner[inner.length - 1] ?? entry.name, budget.limits),
        segments: all,
      });
    }
    checkZipBytes(budget, zipPath, declared);
    countFiles(budget, kept.length - 1);
    for (const k of kept) add(k.file, k.segments);
  }
  return { found, others };
}

/**
 * How many leading folders wrap the whole drop: while every sound file sits under one same folder
 * that holds class folders (some file is two folders deeper), that folder is stripped — unless it
 * is a class already loaded (a drop of one class at a time).
 */
function rootDepth(paths: readonly string[][], known: ReadonlySet<string>): number {
  let depth = 0;
  for (;;) {
    const top = paths[0]?.[depth];
    if (top === undefined || known.has(top)) return depth;
    if (!paths.every((p) => p[depth] === top && p.length > depth + 1)) return depth;
    if (!paths.some((p) => p.length >= depth + 3)) return depth;
    depth++;
  }
}

/** One sound file into a clip, or the sentences that say why it was left out (and those about a kept clip). */
async function readClip(
  file: FileCandidate,
  path: string[],
  opts: AudioIngestOptions,
): Promise<{ clip?: AudioClipItem; warnings: string[] }> {
  const shown = quote(file.path);
  const leftOut = (why: string) => ({ warnings: [`${shown} ${why}, so it was left out.`] });
  if (file.size === 0) return leftOut('is empty (0 bytes)');
  const read = await readCandidate(file);
  if ('reason' in read)
    return leftOut(read.reason.replace(/^is larger than ([^,]+),.*$/, 'is larger than $1, the most the studio reads for one clip'));
  const kind = nonAudioKind(read.bytes.subarray(0, 512));
  if (kind) return leftOut(`has a sound file name but is not sound (it looks like ${kind})`);
  const name = path[path.length - 1] ?? file.name;
  const blob = file.blob ?? new Blob([read.bytes as Uint8Array<ArrayBuffer>], { type: MIME[extensionOf(name)] ?? '' });
  let decoded: DecodedClip;
  try {
    decoded = await opts.decode(blob, file.path);
  } catch (err) {
    if (err instanceof StudioError) return { warnings: [`${err.userMessage} It was left out.`] };
    return leftOut('could not be decoded; the file may be damaged');
  }
  if (decoded.samples.length === 0 || !(decoded.seconds > 0)) return leftOut('holds no sound (0 samples)');
  const relative = path.join('/');
  const kept: KeptAudioClip = {
    id: `${opts.idPrefix ?? ''}${relative}`,
    name,
    path: relative,
    label: path[0] ?? '',
    file: blob,
    hash: await (opts.hash ?? sha256Hex)(read.bytes),
  };
  return clipOf(kept, decoded, shown);
}

/** What a project keeps of a clip (src/storage/projects.ts): its file and where it came from; the samples are decoded again. */
export type KeptAudioClip = Pick<AudioClipItem, 'id' | 'name' | 'path' | 'label' | 'file' | 'hash'>;

/** A clip from its file and what the decoder made of it, with the sentences about it (cut, silent); `shown` names it. */
function clipOf(kept: KeptAudioClip, decoded: DecodedClip, shown: string): { clip: AudioClipItem; warnings: string[] } {
  const { peak, rms } = levels(decoded.samples);
  const warnings: string[] = [];
  if (decoded.seconds > DEFAULTS.maxSeconds) {
    warnings.push(`${shown} is ${formatDuration(decoded.seconds)} long: only its first ${DEFAULTS.maxSeconds} s are used.`);
  }
  if (peak < SILENCE_PEAK) warnings.push(`${shown} is silent (its loudest sample is below ${SILENCE_PEAK}): check the recording.`);
  const clip: AudioClipItem = {
    ...kept,
    samples: decoded.samples,
    sampleRate: decoded.sampleRate,
    seconds: decoded.seconds,
    peak,
    rms,
  };
  return { clip, warnings };
}

/**
 * The clips a project kept, decoded again (ids, labels, paths and hashes as kept), in the order
 * given, with the sentences about them; a file that no longer decodes is left out, named in one.
 */
export async function readKeptClips(
  kept: readonly KeptAudioClip[],
  decode: AudioDecoder,
  concurrency = 4,
): Promise<{ clips: AudioClipItem[]; warnings: string[] }> {
  const outcomes = await mapLimited(kept, concurrency, async (k): Promise<{ clip?: AudioClipItem; warnings: string[] }> => {
    const shown = quote(k.path);
    const lost = { warnings: [`${shown}, kept with this project, could not be decoded again, so it was left out: add it again.`] };
    let decoded: DecodedClip;
    try {
      decoded = await decode(k.file, k.path);
    } catch {
      return lost;
    }
    return decoded.samples.length === 0 || !(decoded.seconds > 0) ? lost : clipOf(k, decoded, shown);
  });
  const clips: AudioClipItem[] = [];
  const warnings: string[] = [];
  for (const o of outcomes) {
    warnings.push(...o.warnings);
    if (o.clip) clips.push(o.clip);
  }
  return { clips, warnings };
}

/** Peak and RMS of samples. */
export function levels(samples: Float32Array): { peak: number; rms: number } {
  let peak = 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i] ?? 0;
    const a = Math.abs(v);
    if (a > peak) peak = a;
    sum += v * v;
  }
  return { peak, rms: samples.length ? Math.sqrt(sum / samples.length) : 0 };
}

/** One sentence per class with a single clip (it cannot be on both sides of the split). */
export function audioClassWarnings(clips: readonly Pick<AudioClipItem, 'label'>[]): string[] {
  const counts = new Map<string, number>();
  for (const c of clips) counts.set(c.label, (counts.get(c.label) ?? 0) + 1);
  return [...counts]
    .filter(([, n]) => n === 1)
    .map(([label]) => label)
    .sort()
    .map((label) => `Class ${quote(label)} has one clip: it cannot be on both sides of the split; add more.`);
}

const patterns = new Map<string, RegExp | null>();

function compiled(pattern: string): RegExp | null {
  let re = patterns.get(pattern);
  if (re === undefined) {
    try {
      re = pattern ? new RegExp(pattern) : null;
    } catch {
      re = null;
    }
    if (patterns.size > 100) patterns.clear();
    patterns.set(pattern, re);
  }
  return re;
}

/**
 * A clip's group for the split (its speaker or session): `none` → the clip itself; `folder` → the
 * first sub-folder under the class folder; `pattern` → the first capture group (or the whole match)
 * of the pattern over the file name. No folder, no match or an invalid pattern → the clip itself.
 */
export function audioGroupOf(clip: Pick<AudioClipItem, 'id' | 'name' | 'path'>, key: AudioGroupKey): string {
  if (key.kind === 'folder') {
    const segments = pathSegments(clip.path);
    return segments.length >= 3 ? (segments[1] ?? clip.id) : clip.id;
  }
  if (key.kind === 'pattern') {
    const m = compiled(key.pattern)?.exec(clip.name);
    const found = m ? (m[1] ?? m[0]) : '';
    return found ? found : clip.id;
  }
  return clip.id;
}

/** A sentence when `pattern` cannot be used as the speaker key; null when it can. */
export function validateGroupPattern(pattern: string): string | null {
  const example = 'for example ^(v\\d+)_ takes “v01” from v01_03.wav';
  if (pattern.trim() === '') return `Type a pattern that finds the speaker in a file name, ${example}.`;
  try {
    new RegExp(pattern);
    return null;
  } catch {
    return `${quote(pattern)} is not a valid regular expression: check its brackets and backslashes (${example}).`;
  }
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
