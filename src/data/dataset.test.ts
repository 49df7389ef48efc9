import { describe, expect, it } from 'vitest';
import { StudioError } from '../lib/errors';
import { classCounts, deleteClass, mergeIngest, moveImages, removeImages, renameClass } from './dataset';
import type { DatasetImage, IngestResult } from './types';

function image(id: string, label: string): DatasetImage {
  return {
    id,
    label,
    name: `${id}.png`,
    path: `${label}/${id}.png`,
    blob: new Blob([]),
    format: 'png',
    bytes: 0,
    hash: id,
    width: 1,
    height: 1,
  };
}

const result = (images: DatasetImage[], extra: Partial<IngestResult> = {}): IngestResult => ({
  images,
  skipped: [],
  emptyClasses: [],
  largeImages: [],
  ...extra,
});

describe('dataset helpers', () => {
  it('merges a new drop without losing images and keeps ids unique', () => {
    const current = result([image('img-1', 'cat'), image('img-2', 'dog')], { emptyClasses: ['owl'] });
    const incoming = result([image('img-1', 'owl'), image('img-3', 'owl')], {
      skipped: [{ path: 'a.txt', reason: 'is not an image' }],
    });
    const merged = mergeIngest(current, incoming);
    expect(merged.images).toHaveLength(4);
    expect(new Set(merged.images.map((i) => i.id)).size).toBe(4);
    expect(merged.images.map((i) => i.label)).toEqual(['cat', 'dog', 'owl', 'owl']);
    expect(merged.emptyClasses).toEqual([]);
    expect(merged.skipped).toHaveLength(1);
  });

  it('renames (merging into an existing class), deletes and moves', () => {
    const ds = { images: [image('1', 'cat'), image('2', 'kitty'), image('3', 'dog')], other: 'kept' };
    const renamed = renameClass(ds, 'kitty', ' cat ');
    expect(classCounts(renamed.images)).toEqual([
      { label: 'cat', count: 2 },
      { label: 'dog', count: 1 },
    ]);
    expect(renamed.other).toBe('kept');
    expect(() => renameClass(ds, 'cat', '  ')).toThrow(StudioError);
    expect(deleteClass(ds, 'cat').images.map((i) => i.id)).toEqual(['2', '3']);
    expect(moveImages(ds, ['1', '3'], 'bird').images.map((i) => i.label)).toEqual(['bird', 'kitty', 'bird']);
    expect(removeImages(ds, new Set(['2'])).images.map((i) => i.id)).toEqual(['1', '3']);
    expect(ds.images.map((i) => i.label)).toEqual(['cat', 'kitty', 'dog']);
  });

  it('sorts class names naturally', () => {
    const counts = classCounts([image('a', 'class10'), image('b', 'class2'), image('c', 'class2')]);
    expect(counts).toEqual([
      { label: 'class2', count: 2 },
      { label: 'class10', count: 1 },
    ]);
  });
});
