import { describe, expect, it } from 'vitest';
import { StudioError } from '../lib/errors';
import { DEFAULT_TEXT_LIMITS, TextDataError, ingestTextCorpus, ingestTextTable, type TextSource } from './text';
import { invalidUtf8Offset, utf8Length } from './text-read';

const file = (name: string, content: string | Uint8Array): File =>
  new File([typeof content === 'string' ? content : (content as Uint8Array<ArrayBuffer>)], name);

/** A file that claims `size` bytes and records every attempt to read it (each one throws). */
function hugeFile(name: string, size: number): { source: File; reads: string[] } {
  const reads: string[] = [];
  const refuse = (method: string) => () => {
    reads.push(method);
    throw new Error(`${method}() must not be called on ${name}`);
  };
  const source = {
    name,
    size,
    type: 'text/plain',
    lastModified: 0,
    webkitRelativePath: '',
    text: refuse('text'),
    arrayBuffer: refuse('arrayBuffer'),
    bytes: refuse('bytes'),
    slice: refuse('slice'),
    stream: refuse('stream'),
  } as unknown as File;
  return { source, reads };
}

async function errorOf(promise: Promise<unknown>): Promise<TextDataError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(TextDataError);
    expect(err).toBeInstanceOf(StudioError);
    return err as TextDataError;
  }
  throw new Error('expected a TextDataError');
}

describe('ingestTextCorpus: .txt and .md', () => {
  it('reads UTF-8, drops the BOM, makes line endings \\n, counts bytes', async () => {
    const docs = await ingestTextCorpus([file('a.txt', '\uFEFFCafé au lait\r\nline two\r\n'), file('notes.md', '# Title\n\nSome *text*.')]);
    expect(docs).toEqual([
      { name: 'a.txt', text: 'Café au lait\nline two\n', bytes: 23 },
      { name: 'notes.md', text: '# Title\n\nSome *text*.', bytes: 21 },
    ]);
  });

  it('takes InputFiles too, named by their path', async () => {
    const docs = await ingestTextCorpus([{ path: 'books/one.txt', data: new Blob(['Once upon a time.']) }]);
    expect(docs.map((d) => d.name)).toEqual(['books/one.txt']);
  });

  it('refuses an empty file, and a file of only whitespace, naming it', async () => {
    const empty = await errorOf(ingestTextCorpus([file('ok.txt', 'fine'), file('empty.txt', '')]));
    expect(empty.message).toBe('“empty.txt” is empty — there is no text to learn from.');
    expect(empty.reason).toBe('empty-file');
    expect(empty.code).toBe('dataset-empty');
    expect(empty.file).toBe('empty.txt');
    const blank = await errorOf(ingestTextCorpus([file('blank.md', '\uFEFF \n\t\n')]));
    expect(blank.message).toBe('“blank.md” is empty — there is no text to learn from.');
  });

  it('refuses invalid UTF-8 with the file and the byte', async () => {
    const err = await errorOf(ingestTextCorpus([file('latin1.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]))]));
    expect(err.reason).toBe('not-utf8');
    expect(err.code).toBe('file-unreadable');
    expect(err.message).toBe(
      '“latin1.txt” is not UTF-8 text (byte 4 is not valid UTF-8). If it is text, save it again as UTF-8; if it is not, remove it.',
    );
  });

  it('refuses an unknown extension before reading anything', async () => {
    const { source, reads } = hugeFile('photo.jpg', 10);
    const err = await errorOf(ingestTextCorpus([source]));
    expect(err.reason).toBe('unsupported-file');
    expect(err.message).toBe('“photo.jpg” is not a file the studio reads here. Use .txt, .md and .jsonl files.');
    expect(reads).toEqual([]);
  });

  it('refuses no files at all', async () => {
    const err = await errorOf(ingestTextCorpus([]));
    expect(err.reason).toBe('too-little-text');
  });
});

describe('size limits are checked before reading', () => {
  it('refuses a 200 MB file without reading a byte of it (File and InputFile)', async () => {
    const { source, reads } = hugeFile('big.txt', 200 * 1024 ** 2);
    const err = await errorOf(ingestTextCorpus([file('small.txt', 'hello'), source]));
    expect(err.reason).toBe('file-too-large');
    expect(err.code).toBe('dataset-invalid');
    expect(err.message).toBe(
      '“big.txt” is 200 MB, more than the 50 MB the studio takes from one text file. Split it into smaller files, or use a part of it.',
    );
    expect(reads).toEqual([]);

    const table = hugeFile('big.csv', 200 * 1024 ** 2);
    const tableErr = await errorOf(ingestTextTable({ path: 'data/big.csv', data: table.source }));
    expect(tableErr.message).toContain('“data/big.csv” is 200 MB, more than the 50 MB');
    expect(table.reads).toEqual([]);
  });

  it('refuses files that are too large together, naming the total and the limit, reading none', async () => {
    const a = hugeFile('a.txt', 40 * 1024 ** 2);
    const b = hugeFile('b.txt', 40 * 1024 ** 2);
    const c = hugeFile('c.txt', 40 * 1024 ** 2);
    const err = await errorOf(ingestTextCorpus([a.source, b.source, c.source]));
    expect(err.reason).toBe('total-too-large');
    expect(err.message).toBe(
      'These 3 files come to 120 MB, more than the 100 MB of text the studio takes at once. Add fewer or smaller files.',
    );
    expect([...a.reads, ...b.reads, ...c.reads]).toEqual([]);
  });

  it('has the documented defaults and takes other limits', async () => {
    expect(DEFAULT_TEXT_LIMITS).toEqual({ maxFileBytes: 50 * 1024 ** 2, maxTotalBytes: 100 * 1024 ** 2 });
    const err = await errorOf(ingestTextCorpus([file('a.txt', 'x'.repeat(2048))], { limits: { maxFileBytes: 1024 } }));
    expect(err.message).toContain('is 2 KB, more than the 1 KB');
  });
});

describe('ingestTextCorpus: .jsonl', () => {
  it('makes one document per record from the text field, skipping blank lines and blank texts', async () => {
    const jsonl = '{"text":"first doc","id":1}\n\n{"text":"second\\r\\ndoc"}\r\n{"text":"   "}\n';
    const docs = await ingestTextCorpus([file('data.jsonl', jsonl)]);
    expect(docs).toEqual([
      { name: 'data.jsonl:1', text: 'first doc', bytes: 9 },
      { name: 'data.jsonl:3', text: 'second\ndoc', bytes: 10 },
    ]);
  });

  it('reads the field the caller chooses', async () => {
    const docs = await ingestTextCorpus([file('d.jsonl', '{"body":"hello"}\n{"body":"world"}')], { field: 'body' });
    expect(docs.map((d) => d.text)).toEqual(['hello', 'world']);
  });

  it('names the lines that are not JSON objects', async () => {
    const jsonl = '{"text":"ok"}\n{"text": broken}\n[1,2]\n{"text":"ok"}\n"just a string"\n';
    const err = await errorOf(ingestTextCorpus([file('bad.jsonl', jsonl)]));
    expect(err.reason).toBe('bad-jsonl');
    expect(err.message).toBe(
      '“bad.jsonl” is not valid JSON Lines: lines 2, 3 and 5 are not a JSON object. Each line must hold one object, like {"text": "…"}.',
    );
  });

  it('names a missing field and the fields that exist', async () => {
    const err = await errorOf(ingestTextCorpus([file('d.jsonl', '{"body":"a","id":1}\n{"body":"b","lang":"en"}')]));
    expect(err.reason).toBe('missing-column');
    expect(err.message).toBe(
      '“d.jsonl” has no field “text”. Its fields are “body”, “id” and “lang”. Choose the field that holds the text.',
    );
  });

  it('names the lines whose field is missing or not a string', async () => {
    const err = await errorOf(ingestTextCorpus([file('d.jsonl', '{"text":"a"}\n{"text":3}\n{"other":"x"}')]));
    expect(err.message).toBe(
      'In “d.jsonl”, lines 2 and 3 have no text in the field “text”. Give every line a string there, or remove those lines.',
    );
  });

  it('refuses a JSONL file whose texts are all blank', async () => {
    const err = await errorOf(ingestTextCorpus([file('d.jsonl', '{"text":""}\n{"text":" "}')]));
    expect(err.message).toBe('Every “text” in “d.jsonl” is empty — there is no text to learn from.');
  });
});

describe('UTF-8 helpers', () => {
  it('finds the first invalid byte and measures UTF-8 lengths', () => {
    const enc = new TextEncoder();
    expect(invalidUtf8Offset(enc.encode('ok é 😀'))).toBe(-1);
    expect(invalidUtf8Offset(new Uint8Array([0x41, 0xc0, 0x80]))).toBe(1); // overlong
    expect(invalidUtf8Offset(new Uint8Array([0x41, 0xed, 0xa0, 0x80]))).toBe(1); // surrogate
    expect(invalidUtf8Offset(new Uint8Array([0x41, 0xe2, 0x82]))).toBe(1); // truncated
    for (const s of ['', 'abc', 'é', '€', '😀', 'a😀b€é', '\ud800x']) expect(utf8Length(s)).toBe(enc.encode(s).length);
  });

  it('keeps a source type that takes a File or an InputFile', () => {
    const sources: TextSource[] = [file('a.txt', 'x'), { path: 'a/b.txt', data: new Blob(['y']) }];
    expect(sources).toHaveLength(2);
  });
});
