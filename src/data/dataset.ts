/** Pure helpers over the in-memory dataset: merge drops, rename, delete and move classes. */
import { StudioError } from '../lib/errors';
import type { ClassCount, DatasetImage, IngestResult } from './types';

export interface DatasetLike {
  images: DatasetImage[];
}

/** Trims and NFC-normalises a class name; throws for an empty one. */
export function normaliseLabel(name: string): string {
  const label = name.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (!label) throw new StudioError('dataset-invalid', 'A class name cannot be empty.');
  return label;
}

/**
 * Adds a new ingest to the current one. Nothing is dropped: images whose id is already taken get a
 * fresh `${prefix}-${n}` id; skipped files and large images are appended; a folder reported empty
 * stops being empty once its class has images.
 */
export function mergeIngest(current: IngestResult, incoming: IngestResult): IngestResult {
  const images = [...current.images, ...withUniqueIds(current.images, incoming.images)];
  const labels = new Set(images.map((i) => i.label));
  const emptyClasses = unique([...current.emptyClasses, ...incoming.emptyClasses]).filter((c) => !labels.has(c));
  return {
    images,
    skipped: [...current.skipped, ...incoming.skipped],
    emptyClasses,
    largeImages: unique([...current.largeImages, ...incoming.largeImages]),
  };
}

function withUniqueIds(existing: readonly DatasetImage[], incoming: readonly DatasetImage[]): DatasetImage[] {
  const taken = new Set(existing.map((i) => i.id));
  return incoming.map((image) => {
    let id = image.id;
    if (taken.has(id)) {
      const prefix = id.replace(/-\d+$/, '');
      let n = taken.size + 1;
      while (taken.has(`${prefix}-${n}`)) n++;
      id = `${prefix}-${n}`;
    }
    taken.add(id);
    return id === image.id ? image : { ...image, id };
  });
}

/** Renames a class; renaming onto an existing class merges the two. */
export function renameClass<T extends DatasetLike>(ds: T, from: string, to: string): T {
  const label = normaliseLabel(to);
  return { ...ds, images: ds.images.map((i) => (i.label === from ? { ...i, label } : i)) };
}

export function deleteClass<T extends DatasetLike>(ds: T, label: string): T {
  return { ...ds, images: ds.images.filter((i) => i.label !== label) };
}

/** Moves the given images into a class, creating it if needed. */
export function moveImages<T extends DatasetLike>(ds: T, ids: Iterable<string>, label: string): T {
  const target = normaliseLabel(label);
  const moving = new Set(ids);
  return { ...ds, images: ds.images.map((i) => (moving.has(i.id) && i.label !== target ? { ...i, label: target } : i)) };
}

export function removeImages<T extends DatasetLike>(ds: T, ids: Iterable<string>): T {
  const removing = new Set(ids);
  return { ...ds, images: ds.images.filter((i) => !removing.has(i.id)) };
}

/** Images per class, sorted by class name (numbers in names sort naturally). */
export function classCounts(images: readonly Pick<DatasetImage, 'label'>[]): ClassCount[] {
  const counts = new Map<string, number>();
  for (const { label } of images) counts.set(label, (counts.get(label) ?? 0) + 1);
  return [...counts].map(([label, count]) => ({ label, count })).sort((a, b) => collator.compare(a.label, b.label));
}

/** Class names, sorted as in classCounts. */
export function classNames(images: readonly Pick<DatasetImage, 'label'>[]): string[] {
  return classCounts(images).map((c) => c.label);
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}
