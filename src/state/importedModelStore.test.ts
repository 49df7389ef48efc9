import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  importedModelWrites,
  keepImportedModel,
  pruneImportedModels,
  readImportedModel,
  storedImportedModelName,
} from './importedModelStore';
import { useStudio } from './store';

const file = (name: string, bytes: number[]) => ({ name, blob: new Blob([new Uint8Array(bytes)]) });
const folder = () => [file('config.json', [123, 125]), file('tokenizer.json', [1, 2, 3]), file('model.safetensors', [9, 8, 7, 6])];

afterEach(() => {
  vi.restoreAllMocks();
  useStudio.getState().setText({ importError: null });
});

describe('the current project’s imported model, kept and read back', () => {
  it('keeps the files of an import under the open project, and reads them back whole', async () => {
    useStudio.setState({ currentId: 'p1', available: true });
    keepImportedModel(folder(), 'tiny-gpt2');
    await importedModelWrites();
    expect(await storedImportedModelName('p1')).toBe('tiny-gpt2');
    const back = await readImportedModel('p1', 'tiny-gpt2');
    if ('error' in back) throw new Error(back.error);
    expect(back.name).toBe('tiny-gpt2');
    expect(back.files.map((f) => f.name)).toEqual(['config.json', 'tokenizer.json', 'model.safetensors']);
    expect([...new Uint8Array(await back.files[1]!.blob.arrayBuffer())]).toEqual([1, 2, 3]);
    expect(useStudio.getState().text.importError).toBeNull();
  });

  it('says plainly when a project’s model is not kept, and that the bundled model loads instead', async () => {
    const back = await readImportedModel('nowhere', 'tiny-gpt2');
    expect('error' in back && back.error).toMatch(/“tiny-gpt2” is no longer kept in this browser.*bundled model is loaded instead/);
    expect(await storedImportedModelName('nowhere')).toBeNull();
  });

  it('keeps nothing without project storage, or before a project is open', async () => {
    useStudio.setState({ currentId: 'p-none', available: false });
    keepImportedModel(folder(), 'x');
    useStudio.setState({ currentId: null, available: true });
    keepImportedModel(folder(), 'y');
    await importedModelWrites();
    expect(await storedImportedModelName('p-none')).toBeNull();
  });

  it('turns a full storage into a sentence under the import; the files are not kept', async () => {
    useStudio.setState({ currentId: 'p-full', available: true });
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    keepImportedModel(folder(), 'big-gpt2');
    await importedModelWrites();
    vi.restoreAllMocks();
    expect(useStudio.getState().text.importError).toMatch(/“big-gpt2” is loaded and works now, but this browser’s storage .* is full/);
    expect(await storedImportedModelName('p-full')).toBeNull();
  });

  it('lets go of the models of projects that no longer exist', async () => {
    useStudio.setState({ currentId: 'p-gone', available: true });
    keepImportedModel(folder(), 'old');
    useStudio.setState({ currentId: 'p-kept' });
    keepImportedModel(folder(), 'new');
    await importedModelWrites();
    pruneImportedModels(['p-kept']);
    await importedModelWrites();
    expect(await storedImportedModelName('p-gone')).toBeNull();
    expect(await storedImportedModelName('p-kept')).toBe('new');
  });
});

describe('the project record says which model was the base', () => {
  it('stores an imported base by name, none for the bundled model, and reads older projects as bundled', async () => {
    const { storedText, storedTextBase, textBaseChanged } = await import('./textPersistence');
    const t = useStudio.getState().text;
    expect(storedTextBase(storedText(t, null, 'tiny-gpt2'))).toBe('tiny-gpt2');
    expect(storedTextBase(storedText(t, null, null))).toBeNull();
    expect('base' in storedText(t, null, null)).toBe(false);
    const hf = { ...t, base: { name: 'tiny-gpt2', source: 'hf' } as typeof t.base };
    expect(textBaseChanged(t, hf)).toBe(true);
    expect(textBaseChanged(hf, { ...hf, base: { ...hf.base! } })).toBe(false);
  });
});
