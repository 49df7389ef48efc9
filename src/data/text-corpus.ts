/**
 * Generation corpus ingest: `.txt` and `.md` files become one document each; a `.jsonl` file becomes
 * one document per record (its `text` field, or the field the caller names). Sizes are checked
 * before anything is read; every refusal is a `TextDataError` that names the file.
 */
import { quote } from './format';
import { describeColumns, describeLines, jsonlKeys, parseJsonl } from './text-jsonl';
import { TextDataError } from './text-errors';
import { checkExtension, checkTextSizes, readUtf8, resolveLimits, sourceBlob, sourceName, utf8Length } from './text-read';
import type { TextDocument, TextLimits, TextSource } from './text-types';

export const CORPUS_EXTENSIONS: readonly string[] = ['txt', 'md', 'jsonl'];
export const DEFAULT_JSONL_FIELD = 'text';

export interface CorpusOptions {
  /** The JSONL field that holds the text (default `text`). */
  field?: string;
  limits?: Partial<TextLimits>;
  signal?: AbortSignal;
}

export async function ingestTextCorpus(files: readonly TextSource[], opts: CorpusOptions = {}): Promise<TextDocument[]> {
  if (files.length === 0) {
    throw new TextDataError('too-little-text', 'There is no text yet. Add .txt, .md or .jsonl files.');
  }
  const kinds = files.map((f) => checkExtension(sourceName(f), CORPUS_EXTENSIONS));
  checkTextSizes(files, resolveLimits(opts.limits));
  const documents: TextDocument[] = [];
  for (const [i, file] of files.entries()) {
    const name = sourceName(file);
    if (sourceBlob(file).size === 0) throw emptyFile(name);
    const text = await readUtf8(file, opts.signal);
    if (kinds[i] === 'jsonl') documents.push(...jsonlDocuments(text, name, opts.field ?? DEFAULT_JSONL_FIELD));
    else if (text.trim() === '') throw emptyFile(name);
    else documents.push({ name, text, bytes: utf8Length(text) });
  }
  return documents;
}

export function emptyFile(name: string): TextDataError {
  return new TextDataError('empty-file', `${quote(name)} is empty — there is no text to learn from.`, { file: name });
}

/** One document per record with a non-blank string in `field`; records with a blank one are left out. */
export function jsonlDocuments(text: string, name: string, field: string): TextDocument[] {
  const records = parseJsonl(text, name);
  if (records.length === 0) throw emptyFile(name);
  const missing = records.filter((r) => !(field in r.value));
  if (missing.length === records.length) {
    throw new TextDataError(
      'missing-column',
      `${quote(name)} has no field ${quote(field)}. ${describeColumns(jsonlKeys(records), 'field')} Choose the field that holds the text.`,
      { file: name },
    );
  }
  const bad = records.filter((r) => typeof r.value[field] !== 'string').map((r) => r.line);
  if (bad.length > 0) {
    throw new TextDataError(
      'bad-jsonl',
      `In ${quote(name)}, ${describeLines(bad)} ${bad.length === 1 ? 'has' : 'have'} no text in the field ${quote(field)}. Give every line a string there, or remove ${bad.length === 1 ? 'that line' : 'those lines'}.`,
      { file: name },
    );
  }
  const documents: TextDocument[] = [];
  for (const r of records) {
    const value = (r.value[field] as string).replace(/\r\n?/g, '\n');
    if (value.trim() === '') continue;
    documents.push({ name: `${name}:${r.line}`, text: value, bytes: utf8Length(value) });
  }
  if (documents.length === 0) {
    throw new TextDataError('empty-file', `Every ${quote(field)} in ${quote(name)} is empty — there is no text to learn from.`, {
      file: name,
    });
  }
  return documents;
}
