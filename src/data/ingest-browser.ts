/**
 * DOM-only helpers that turn a file picker or a drag-and-drop into InputFile[] for ingestFiles.
 * Main thread only (DataTransfer and FileSystemEntry do not exist in workers); excluded from the
 * worker tsconfig and not re-exported from index.ts — import it from 'src/data/ingest-browser'.
 */
import type { InputFile } from './ingest';

/** Files from <input type="file" multiple> or <input webkitdirectory>: keeps the folder path. */
export function inputFilesFromFileList(files: Iterable<File>): InputFile[] {
  return Array.from(files, (file) => ({ path: file.webkitRelativePath || file.name, data: file }));
}

/**
 * Files from a drop, walking dropped folders. Call it synchronously inside the drop handler: the
 * browser empties `dataTransfer.items` once the event returns, so the entries are taken first.
 */
export function inputFilesFromDataTransfer(dt: DataTransfer): Promise<InputFile[]> {
  const entries: FileSystemEntry[] = [];
  const loose: File[] = [];
  for (const item of Array.from(dt.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry();
    const file = entry ? null : item.getAsFile();
    if (entry) entries.push(entry);
    else if (file) loose.push(file);
  }
  return collectEntries(entries, loose);
}

async function collectEntries(entries: FileSystemEntry[], loose: File[]): Promise<InputFile[]> {
  const out: InputFile[] = loose.map((file) => ({ path: file.name, data: file }));
  for (const entry of entries) await walk(entry, out);
  return out;
}

async function walk(entry: FileSystemEntry, out: InputFile[]): Promise<void> {
  if (isFile(entry)) {
    const file = await new Promise<File>((resolve, reject) => entry.file(resolve, reject));
    out.push({ path: entry.fullPath.replace(/^\/+/, ''), data: file });
  } else if (isDirectory(entry)) {
    for (const child of await readAll(entry)) await walk(child, out);
  }
}

/** readEntries returns at most about 100 entries a call; call it until it returns none. */
async function readAll(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

function isFile(entry: FileSystemEntry): entry is FileSystemFileEntry {
  return entry.isFile;
}

function isDirectory(entry: FileSystemEntry): entry is FileSystemDirectoryEntry {
  return entry.isDirectory;
}
