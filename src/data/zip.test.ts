import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { findZipDirectory, readZipEntries } from './zip';

describe('findZipDirectory', () => {
  it('counts the real entries when a writer without zip64 wrapped the count past 65,535', () => {
    const tree: Record<string, Uint8Array> = {};
    for (let i = 0; i < 70_000; i++) tree[`d/${i}`] = new Uint8Array([i & 255]);
    const zip = zipSync(tree, { level: 0 });
    const eocd = zip.length - 22;
    expect(zip[eocd + 10]! | (zip[eocd + 11]! << 8)).toBe(70_000 - 65_536); // what fflate wrote
    const dir = findZipDirectory(zip);
    expect(dir.entryCount).toBe(70_000);
    expect(readZipEntries(zip, dir)).toHaveLength(70_000);
  });

  it('keeps the stored count for an ordinary zip', () => {
    const zip = zipSync({ 'a/1.txt': new Uint8Array([1]), 'a/2.txt': new Uint8Array([2]) });
    expect(findZipDirectory(zip).entryCount).toBe(2);
  });
});
