/** Dataset checks that become plain-English warnings next to the dataset. */
import { formatCount, listSome, plural, quote } from './format';
import type { DatasetImage, DatasetWarning, IngestResult } from './types';

export const MIN_IMAGES_PER_CLASS = 5;
/** Largest class over smallest class above which the dataset is called unbalanced. */
export const MAX_IMBALANCE = 5;
/** How many files a warning names before it says "and N more". */
const LIST_MAX = 5;

export type WarningImage = Pick<DatasetImage, 'label' | 'path' | 'hash'>;
export type WarningExtras = Pick<IngestResult, 'skipped' | 'emptyClasses' | 'largeImages'>;

/** Every warning that applies, the blocking ones (no images, one class) first. */
export function datasetWarnings(
  images: readonly WarningImage[],
  extras: WarningExtras = { skipped: [], emptyClasses: [], largeImages: [] },
): DatasetWarning[] {
  const counts = countByLabel(images);
  const warnings = [
    noImages(images),
    singleClass(counts),
    fewImages(counts),
    imbalance(counts),
    emptyClasses(extras.emptyClasses, counts),
    duplicates(images),
    skipped(extras.skipped),
    largeImages(extras.largeImages),
  ];
  return warnings.filter((w): w is DatasetWarning => w !== null);
}

function countByLabel(images: readonly WarningImage[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { label } of images) counts.set(label, (counts.get(label) ?? 0) + 1);
  return new Map([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function noImages(images: readonly WarningImage[]): DatasetWarning | null {
  if (images.length > 0) return null;
  return {
    kind: 'no-images',
    message: 'There are no images yet. Add a folder for each class, a zip of such folders, or the sample dataset.',
    subjects: [],
  };
}

function singleClass(counts: Map<string, number>): DatasetWarning | null {
  if (counts.size !== 1) return null;
  return {
    kind: 'single-class',
    message: 'Add at least one more class: a classifier needs two or more.',
    subjects: [...counts.keys()],
  };
}

function fewImages(counts: Map<string, number>): DatasetWarning | null {
  const few = [...counts].filter(([, n]) => n < MIN_IMAGES_PER_CLASS);
  const [first] = few;
  if (!first) return null;
  const advice = `Add at least ${MIN_IMAGES_PER_CLASS} images to each class; 20 or more works better.`;
  const message =
    few.length === 1
      ? `The class ${quote(first[0])} has only ${plural(first[1], 'image')}. ${advice}`
      : `Some classes have fewer than ${MIN_IMAGES_PER_CLASS} images: ${listSome(
          few.map(([label, n]) => `${quote(label)} (${formatCount(n)})`),
          LIST_MAX,
        )}. ${advice}`;
  return { kind: 'few-images', message, subjects: few.map(([label]) => label) };
}

function imbalance(counts: Map<string, number>): DatasetWarning | null {
  if (counts.size < 2) return null;
  const sorted = [...counts].sort((a, b) => b[1] - a[1]);
  const largest = sorted[0];
  const smallest = sorted[sorted.length - 1];
  if (!largest || !smallest || largest[1] <= MAX_IMBALANCE * smallest[1]) return null;
  const ratio = Math.round(largest[1] / smallest[1]);
  return {
    kind: 'imbalance',
    message:
      `The classes are unbalanced: ${quote(largest[0])} has ${plural(largest[1], 'image')} and ` +
      `${quote(smallest[0])} has ${formatCount(smallest[1])} (about ${ratio} to 1). The model may favour ` +
      `the larger class; add images to the smaller ones.`,
    subjects: [largest[0], smallest[0]],
  };
}

function emptyClasses(folders: readonly string[], counts: Map<string, number>): DatasetWarning | null {
  const empty = folders.filter((f) => !counts.has(f));
  const [first] = empty;
  if (!first) return null;
  const message =
    empty.length === 1
      ? `The folder ${quote(first)} holds no usable images, so it is not a class yet.`
      : `These folders hold no usable images, so they are not classes yet: ${listSome(empty.map(quote), LIST_MAX)}.`;
  return { kind: 'empty-class', message, subjects: empty };
}

function duplicates(images: readonly WarningImage[]): DatasetWarning | null {
  const byHash = new Map<string, WarningImage[]>();
  for (const image of images) byHash.set(image.hash, [...(byHash.get(image.hash) ?? []), image]);
  const groups = [...byHash.values()].filter((g) => g.length > 1);
  if (groups.length === 0) return null;
  const described = groups.map(describeDuplicates);
  const copies = groups.reduce((n, g) => n + g.length - 1, 0);
  const message =
    groups.length === 1
      ? `${described[0] ?? ''} Remove the copies so they do not count twice.`
      : `${plural(copies, 'file')} are exact copies of another file: ${listSome(described.map(trimStop), LIST_MAX)}. Remove the copies so they do not count twice.`;
  return { kind: 'duplicate', message, subjects: groups.flatMap((g) => g.map((i) => i.path)) };
}

function describeDuplicates(group: readonly WarningImage[]): string {
  const paths = joinPaths(group.map((i) => i.path));
  const labels = [...new Set(group.map((i) => i.label))];
  const where = labels.length > 1 ? ` but sit in different classes (${labels.map(quote).join(', ')})` : '';
  return `${paths} are the same file${where}.`;
}

function joinPaths(paths: readonly string[]): string {
  return listSome(paths.map(quote), LIST_MAX);
}

function trimStop(sentence: string): string {
  return sentence.endsWith('.') ? sentence.slice(0, -1) : sentence;
}

function skipped(files: WarningExtras['skipped']): DatasetWarning | null {
  const [first] = files;
  if (!first) return null;
  // Reasons hold commas and semicolons, so each file gets its own sentence.
  const sentences = files.slice(0, LIST_MAX).map((f) => `${quote(f.path)} ${f.reason}.`);
  const more = files.length - LIST_MAX;
  const head = files.length === 1 ? '1 file was skipped:' : `${plural(files.length, 'file')} were skipped:`;
  const tail = more <= 0 ? '' : more === 1 ? ' 1 other file was skipped too.' : ` ${formatCount(more)} other files were skipped too.`;
  return { kind: 'skipped', message: `${head} ${sentences.join(' ')}${tail}`, subjects: files.map((f) => f.path) };
}

function largeImages(paths: readonly string[]): DatasetWarning | null {
  const [first] = paths;
  if (!first) return null;
  const message =
    paths.length === 1
      ? `${quote(first)} is larger than 40 megapixels; it will be downscaled before training.`
      : `${plural(paths.length, 'image')} are larger than 40 megapixels and will be downscaled before training: ${listSome(paths.map(quote), LIST_MAX)}.`;
  return { kind: 'large-image', message, subjects: [...paths] };
}
