/** The generated fixtures (scripts/make-fixtures.mjs) go through the real ingest as a user's zip would. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFiles, SKIP_REASONS, type ImageProbe } from './ingest';
import { readImageSize } from './sniff';

interface FixturesModule {
  makeGreyShapes(opts: { perClass?: number; size?: number; seed?: number; classes?: string[] }): {
    labels: string[];
    images: { label: string; png: Uint8Array; grey: Uint8Array }[];
  };
  writeGreyShapesZip(path: string, opts: { perClass?: number; size?: number; seed?: number }): number;
  writeBadZip(path: string): void;
}

// A variable specifier keeps the untyped .mjs out of the type check.
const fixturesPath = '../../scripts/make-fixtures.mjs';
const fixtures = (await import(/* @vite-ignore */ fixturesPath)) as FixturesModule;

const headerProbe: ImageProbe = async (blob, format) => {
  const size = readImageSize(new Uint8Array(await blob.arrayBuffer()), format);
  if (!size) throw new Error('undecodable');
  return size;
};

const dir = mkdtempSync(join(tmpdir(), 'studio-fixtures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const zipInput = (path: string, name: string) => ({ path: name, data: new Blob([readFileSync(path)]) });

describe('generated fixtures through ingestFiles', () => {
  it('bad-files.zip: two classes of three, and a plain reason for each bad file', async () => {
    const path = join(dir, 'bad-files.zip');
    fixtures.writeBadZip(path);
    const result = await ingestFiles([zipInput(path, 'bad-files.zip')], { probe: headerProbe });
    expect(result.images.map((i) => i.label).sort()).toEqual(['a', 'a', 'a', 'b', 'b', 'b']);
    expect(result.skipped).toEqual(
      expect.arrayContaining([
        { path: 'bad-files.zip/a/readme.txt', reason: SKIP_REASONS.notImage },
        { path: 'bad-files.zip/b/empty.jpg', reason: SKIP_REASONS.empty },
        { path: 'bad-files.zip/a/broken.jpg', reason: SKIP_REASONS.corrupt },
      ]),
    );
    expect(result.skipped).toHaveLength(3);
  });

  it('grey shapes: deterministic for a seed, and every PNG reads back at its size', async () => {
    const a = fixtures.makeGreyShapes({ perClass: 3, size: 40, seed: 5 });
    const b = fixtures.makeGreyShapes({ perClass: 3, size: 40, seed: 5 });
    expect(a.labels).toEqual(['circle', 'square', 'triangle', 'cross']);
    expect(a.images.map((i) => Buffer.from(i.png).toString('hex'))).toEqual(b.images.map((i) => Buffer.from(i.png).toString('hex')));
    expect(a.images[0]?.grey).toHaveLength(40 * 40);

    const path = join(dir, 'grey.zip');
    expect(fixtures.writeGreyShapesZip(path, { perClass: 3, size: 40, seed: 5 })).toBe(12);
    const result = await ingestFiles([zipInput(path, 'grey.zip')]);
    expect(result.skipped).toEqual([]);
    expect(result.images).toHaveLength(12);
    expect(result.images.every((i) => i.width === 40 && i.height === 40 && i.format === 'png')).toBe(true);
  });
});
