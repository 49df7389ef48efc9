/** A project name from the first folder or zip name, for the export file name. */
import type { InputFile } from '../../state';

export function projectHint(files: InputFile[]): string | undefined {
  const first = files[0]?.path;
  if (!first) return undefined;
  const top = first.split('/')[0] ?? first;
  return top.replace(/\.zip$/i, '') || undefined;
}
