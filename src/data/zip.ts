/**
 * Reads a zip's central directory without inflating anything, so sizes can be checked before any
 * memory is spent, then extracts one entry at a time with fflate. An entry is never inflated past
 * the size its directory declares (fflate truncates to the buffer it is given).
 */
import { inflate, inflateSync } from 'fflate';

export interface ZipEntry {
  /** The entry's path inside the zip, as stored. */
  name: string;
  isDirectory: boolean;
  /** 0 = stored, 8 = deflate; others are unsupported. */
  method: number;
  encrypted: boolean;
  compressedSize: number;
  /** Uncompressed size declared by the central directory. */
  size: number;
  localHeaderOffset: number;
}

export interface ZipDirectory {
  entryCount: number;
  offset: number;
  size: number;
}

/** Thrown for a malformed zip; ingest turns it into a StudioError with the zip's name. */
export class ZipFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipFormatError';
  }
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const MAX_COMMENT = 0xffff;
/** Entries smaller than this inflate on the calling thread; larger ones in fflate's worker. */
const SYNC_INFLATE_LIMIT = 512 * 1024;

/** Finds the end-of-central-directory record (and its zip64 form). */
export function findZipDirectory(b: Uint8Array): ZipDirectory {
  const eocd = findEocd(b);
  let entryCount = u16(b, eocd + 10);
  let size = u32(b, eocd + 12);
  let offset = u32(b, eocd + 16);
  const locator = eocd - 20;
  const zip64 = locator >= 0 && u32(b, locator) === ZIP64_LOCATOR_SIG;
  if (zip64) {
    const z = u64(b, locator + 8);
    if (z + 56 > b.length || u32(b, z) !== ZIP64_EOCD_SIG) throw new ZipFormatError('bad zip64 record');
    entryCount = u64(b, z + 32);
    size = u64(b, z + 40);
    offset = u64(b, z + 48);
  }
  if (offset + size > b.length) throw new ZipFormatError('central directory out of range');
  // Writers without zip64 store the entry count modulo 65,536: when the directory has room for more
  // records than that, count them (headers only), so limits see the real number.
  if (!zip64 && size >= (entryCount + 0x10000) * 46) entryCount = countCentralRecords(b, offset, size);
  return { entryCount, offset, size };
}

function countCentralRecords(b: Uint8Array, offset: number, size: number): number {
  let count = 0;
  let o = offset;
  while (o + 46 <= offset + size && u32(b, o) === CENTRAL_SIG) {
    o += 46 + u16(b, o + 28) + u16(b, o + 30) + u16(b, o + 32);
    count++;
  }
  return count;
}

/** Parses every central-directory record. */
export function readZipEntries(b: Uint8Array, dir: ZipDirectory): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let o = dir.offset;
  for (let i = 0; i < dir.entryCount; i++) {
    if (o + 46 > b.length || u32(b, o) !== CENTRAL_SIG) throw new ZipFormatError('bad central record');
    const flags = u16(b, o + 8);
    const nameLength = u16(b, o + 28);
    const extraLength = u16(b, o + 30);
    const commentLength = u16(b, o + 32);
    const end = o + 46 + nameLength + extraLength + commentLength;
    if (end > b.length) throw new ZipFormatError('central record out of range');
    const name = decodeName(b.subarray(o + 46, o + 46 + nameLength), (flags & 0x800) !== 0);
    const sizes = {
      size: u32(b, o + 24),
      compressedSize: u32(b, o + 20),
      localHeaderOffset: u32(b, o + 42),
    };
    applyZip64Extra(b.subarray(o + 46 + nameLength, o + 46 + nameLength + extraLength), sizes);
    entries.push({
      name,
      isDirectory: name.endsWith('/') || name.endsWith('\\'),
      method: u16(b, o + 10),
      encrypted: (flags & 1) !== 0,
      ...sizes,
    });
    o = end;
  }
  return entries;
}

/** The entry's bytes; throws ZipFormatError when its data is missing or does not inflate. */
export async function extractZipEntry(b: Uint8Array, entry: ZipEntry): Promise<Uint8Array> {
  const data = entryData(b, entry);
  if (entry.method === 0) return data.slice(0, entry.size);
  if (entry.method !== 8) throw new ZipFormatError(`compression method ${entry.method}`);
  if (entry.size === 0) return new Uint8Array(0);
  if (entry.size < SYNC_INFLATE_LIMIT || data.length > 0.8 * entry.size) {
    return inflateCapped(data, entry.size);
  }
  try {
    return await inflateInWorker(data, entry.size);
  } catch {
    // A worker may be unavailable (CSP, old runtime); the capped synchronous path always works.
    return inflateCapped(data, entry.size);
  }
}

function inflateCapped(data: Uint8Array, size: number): Uint8Array {
  try {
    return inflateSync(data, { out: new Uint8Array(size) });
  } catch (err) {
    throw new ZipFormatError(`inflate failed: ${err instanceof Error ? err.message : 'unknown'}`);
  }
}

function inflateInWorker(data: Uint8Array, size: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    inflate(data, { size }, (err, out) => (err ? reject(err) : resolve(out.subarray(0, size))));
  });
}

function entryData(b: Uint8Array, entry: ZipEntry): Uint8Array {
  const o = entry.localHeaderOffset;
  if (o + 30 > b.length || u32(b, o) !== LOCAL_SIG) throw new ZipFormatError('bad local header');
  const start = o + 30 + u16(b, o + 26) + u16(b, o + 28);
  const end = start + entry.compressedSize;
  if (end > b.length) throw new ZipFormatError('entry data out of range');
  return b.subarray(start, end);
}

function findEocd(b: Uint8Array): number {
  const last = b.length - 22;
  const first = Math.max(0, last - MAX_COMMENT);
  for (let i = last; i >= first; i--) {
    if (u32(b, i) === EOCD_SIG) return i;
  }
  throw new ZipFormatError('no end of central directory');
}

interface EntrySizes {
  size: number;
  compressedSize: number;
  localHeaderOffset: number;
}

/** Replaces 0xFFFFFFFF placeholders with the 64-bit values of the zip64 extra field. */
function applyZip64Extra(extra: Uint8Array, sizes: EntrySizes): void {
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = u16(extra, p);
    const length = u16(extra, p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      for (const key of ['size', 'compressedSize', 'localHeaderOffset'] as const) {
        if (sizes[key] === 0xffffffff && q + 8 <= p + 4 + length) {
          sizes[key] = u64(extra, q);
          q += 8;
        }
      }
      return;
    }
    p += 4 + length;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('windows-1252');

function decodeName(bytes: Uint8Array, isUtf8: boolean): string {
  try {
    return utf8.decode(bytes);
  } catch {
    // Old zips without the UTF-8 flag used a DOS code page; Latin-1 keeps ASCII names intact.
    return isUtf8 ? new TextDecoder('utf-8').decode(bytes) : latin1.decode(bytes);
  }
}

function u16(b: Uint8Array, i: number): number {
  return (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
}

function u32(b: Uint8Array, i: number): number {
  return ((b[i] ?? 0) | ((b[i + 1] ?? 0) << 8) | ((b[i + 2] ?? 0) << 16) | ((b[i + 3] ?? 0) << 24)) >>> 0;
}

function u64(b: Uint8Array, i: number): number {
  return u32(b, i) + u32(b, i + 4) * 0x100000000;
}
