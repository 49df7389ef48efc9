import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { isQuotaError, openImportedModelStore, storedModelProblem, type StoredImportedModel } from './imported-models';

let dbCounter = 0;
const fresh = () => openImportedModelStore(`imported-test-${++dbCounter}`);
const file = (name: string, bytes: number[]) => ({ name, blob: new Blob([new Uint8Array(bytes)]) });
const folder = () => [
  file('tiny/config.json', [123, 125]),
  file('tiny/tokenizer.json', [1, 2, 3]),
  file('tiny/model.safetensors', [9, 8, 7, 6]),
];

describe('imported models in browser storage (IndexedDB)', () => {
  it('keeps one model per project: its files come back byte for byte, and a new import replaces it', async () => {
    const store = await fresh();
    await store.put('p1', 'tiny-gpt2', folder());
    await store.put('p2', 'other', [file('config.json', [1])]);
    const back = await store.get('p1');
    expect(back?.name).toBe('tiny-gpt2');
    expect(back?.files.map((f) => [f.name, f.bytes])).toEqual([
      ['tiny/config.json', 2],
      ['tiny/tokenizer.json', 3],
      ['tiny/model.safetensors', 4],
    ]);
    expect([...new Uint8Array(await back!.files[2]!.blob.arrayBuffer())]).toEqual([9, 8, 7, 6]);
    expect(storedModelProblem(back!)).toBeNull();

    await store.put('p1', 'tiny-bert', [file('config.json', [5]), file('tokenizer.json', [6]), file('model.safetensors', [7])]);
    expect((await store.get('p1'))?.name).toBe('tiny-bert');
    expect((await store.get('p1'))?.files).toHaveLength(3);
    expect((await store.projectIds()).sort()).toEqual(['p1', 'p2']);
    await store.delete('p2');
    expect(await store.projectIds()).toEqual(['p1']);
    expect(await store.get('p2')).toBeUndefined();
    store.close();
  });

  it('tells a damaged copy from a whole one: a file cut short, a required file or the weights missing', () => {
    const whole = (): StoredImportedModel => ({
      projectId: 'p',
      name: 'm',
      savedAt: 1,
      files: folder().map((f) => ({ ...f, bytes: f.blob.size })),
    });
    expect(storedModelProblem(whole())).toBeNull();
    const short = whole();
    short.files[2] = { ...short.files[2]!, bytes: 400 };
    expect(storedModelProblem(short)).toMatch(/model\.safetensors is not the size it was stored with/);
    const noConfig = whole();
    noConfig.files.splice(0, 1);
    expect(storedModelProblem(noConfig)).toMatch(/config\.json is missing/);
    const noWeights = whole();
    noWeights.files.splice(2, 1);
    expect(storedModelProblem(noWeights)).toMatch(/weights \(\.safetensors\) are missing/);
  });

  it('recognises the browser refusing more storage', () => {
    expect(isQuotaError(new DOMException('over', 'QuotaExceededError'))).toBe(true);
    expect(isQuotaError(new Error('The quota has been exceeded.'))).toBe(true);
    expect(isQuotaError(new Error('disk I/O'))).toBe(false);
    expect(isQuotaError(null)).toBe(false);
  });
});
