/** Path handling for drops and zip entries: segments, junk files, and the class a path names. */

const JUNK_NAMES = new Set(['thumbs.db', 'desktop.ini', '.ds_store']);

/** Splits a path on / or \, dropping empty, "." and ".." segments; names are NFC-normalised. */
export function pathSegments(path: string): string[] {
  return path
    .normalize('NFC')
    .split(/[/\\]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== '.' && s !== '..');
}

/** Files and folders ignored silently: macOS resource forks, dotfiles, Windows thumbnails. */
export function isJunkPath(segments: readonly string[]): boolean {
  return segments.some((s) => s === '__MACOSX' || s.startsWith('.') || JUNK_NAMES.has(s.toLowerCase()));
}

/** The name of the folder that directly holds the file, if any. */
export function parentFolder(segments: readonly string[]): string | undefined {
  return segments.length >= 2 ? segments[segments.length - 2] : undefined;
}

/** The folder path (all segments but the last) as one string key. */
export function folderKey(segments: readonly string[]): string {
  return segments.slice(0, -1).join('/');
}

export function isZipName(name: string): boolean {
  return /\.zip$/i.test(name);
}
