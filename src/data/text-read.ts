/**
 * Reading text files: the size limits, checked from `Blob.size` before a single byte is read, and a
 * strict UTF-8 decode (BOM removed, line endings made `\n`) that names the file it refuses.
 */
import { StudioError } from '../lib/errors';
import { formatBytes, formatCount, joinAnd, quote } from './format';
import { TextDataError } from './text-errors';
import type { TextLimits, TextSource } from './text-types';

/** 50 MB a file and 100 MB a drop: a byte-level model trains on far less, and the browser tab holds it twice. */
export const DEFAULT_TEXT_LIMITS: Readonly<TextLimits> = {
  maxFileBytes: 50 * 1024 ** 2,
  maxTotalBytes: 100 * 1024 ** 2,
};

/** The name messages use: a File's name, or an InputFile's relative path. */
export function sourceName(source: TextSource): string {
  return isInputFile(source) ? source.path : source.name;
}

export function sourceBlob(source: TextSource): Blob {
  return isInputFile(source) ? source.data : source;
}

function isInputFile(source: TextSource): source is Extract<TextSource, { path: string }> {
  return 'path' in source && 'data' in source;
}

/** Lower-case extension without the dot (`"csv"`), or `""`. */
export function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

export function resolveLimits(limits: Partial<TextLimits> | undefined): TextLimits {
  return { ...DEFAULT_TEXT_LIMITS, ...limits };
}

/** Throws for a file that is too large, or files too large together, reading nothing. */
export function checkTextSizes(sources: readonly TextSource[], limits: TextLimits): void {
  let total = 0;
  for (const source of sources) {
    const size = sourceBlob(source).size;
    const name = sourceName(source);
    if (size > limits.maxFileBytes) {
      throw new TextDataError(
        'file-too-large',
        `${quote(name)} is ${formatBytes(size)}, more than the ${formatBytes(limits.maxFileBytes)} the studio takes from one text file. Split it into smaller files, or use a part of it.`,
        { file: name },
      );
    }
    total += size;
  }
  if (total > limits.maxTotalBytes) {
    throw new TextDataError(
      'total-too-large',
      `These ${formatCount(sources.length)} files come to ${formatBytes(total)}, more than the ${formatBytes(limits.maxTotalBytes)} of text the studio takes at once. Add fewer or smaller files.`,
    );
  }
}

/** Throws unless the extension is one of `accepted` (lower case, no dot). */
export function checkExtension(name: string, accepted: readonly string[]): string {
  const ext = extensionOf(name);
  if (accepted.includes(ext)) return ext;
  throw new TextDataError(
    'unsupported-file',
    `${quote(name)} is not a file the studio reads here. Use ${joinAnd(accepted.map((a) => `.${a}`))} files.`,
    { file: name },
  );
}

/** The file's text: strict UTF-8, BOM removed, `\r\n` and `\r` made `\n`. Empty files are the caller's to refuse. */
export async function readUtf8(source: TextSource, signal?: AbortSignal): Promise<string> {
  const name = sourceName(source);
  throwIfAborted(signal);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await sourceBlob(source).arrayBuffer());
  } catch (err) {
    throw new TextDataError('unreadable', `${quote(name)} could not be read; it may have been moved or deleted. Add it again.`, {
      file: name,
      cause: err,
    });
  }
  throwIfAborted(signal);
  return decodeUtf8(bytes, name);
}

/** Strict UTF-8 to a string with `\n` line endings; throws a `not-utf8` error naming `name`. */
export function decodeUtf8(bytes: Uint8Array, name: string): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (err) {
    const at = invalidUtf8Offset(bytes);
    const where = at < 0 ? '' : ` (byte ${formatCount(at + 1)} is not valid UTF-8)`;
    throw new TextDataError(
      'not-utf8',
      `${quote(name)} is not UTF-8 text${where}. If it is text, save it again as UTF-8; if it is not, remove it.`,
      { file: name, cause: err },
    );
  }
  // The decoder drops one leading BOM (ignoreBOM: false); a second one is content, left alone.
  return text.replace(/\r\n?/g, '\n');
}

/** Index of the first byte that starts an invalid UTF-8 sequence, or -1. */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** UTF-8 length of a string without encoding it. */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StudioError('cancelled', 'Adding text files was cancelled.');
}
