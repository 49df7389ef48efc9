/**
 * Classification tables: `.csv` (delimiter detected among , tab ; |), `.tsv` and `.jsonl` become
 * `{columns, rows}` of strings. CSV and TSV go through Papa Parse (quoted fields with delimiters,
 * quotes and newlines inside). Sizes are checked before anything is read.
 */
import Papa from 'papaparse';
import { quote } from './format';
import { describeColumns, jsonlKeys, parseJsonl } from './text-jsonl';
import { TextDataError } from './text-errors';
import { checkExtension, checkTextSizes, readUtf8, resolveLimits, sourceBlob, sourceName } from './text-read';
import type { TextLimits, TextSource, TextTable } from './text-types';

export const TABLE_EXTENSIONS: readonly string[] = ['csv', 'tsv', 'jsonl'];
export type TableFormat = 'csv' | 'tsv' | 'jsonl';

/** Delimiters a `.csv` may use; Papa Parse picks the one that splits the first rows evenly. */
const CSV_DELIMITERS = [',', '\t', ';', '|'];

export interface TableOptions {
  /** Forces the delimiter of a `.csv`/`.tsv` (default: tab for `.tsv`, detected for `.csv`). */
  delimiter?: string;
  limits?: Partial<TextLimits>;
  signal?: AbortSignal;
}

export async function ingestTextTable(file: TextSource, opts: TableOptions = {}): Promise<TextTable> {
  const name = sourceName(file);
  const format = checkExtension(name, TABLE_EXTENSIONS) as TableFormat;
  checkTextSizes([file], resolveLimits(opts.limits));
  if (sourceBlob(file).size === 0) throw noRows(name);
  const text = await readUtf8(file, opts.signal);
  return parseTextTable(text, name, format, opts.delimiter);
}

/** Parses decoded text (BOM already removed); throws `no-rows`, `bad-csv` or `bad-jsonl`. */
export function parseTextTable(text: string, name: string, format: TableFormat, delimiter?: string): TextTable {
  const table = format === 'jsonl' ? jsonlTable(text, name) : delimitedTable(text, name, format, delimiter);
  if (table.rows.length === 0) throw noRows(name, table.columns.length > 0);
  return table;
}

function noRows(name: string, headerOnly = false): TextDataError {
  const what = headerOnly ? 'has a header but no rows' : 'has no rows';
  return new TextDataError('no-rows', `${quote(name)} ${what} — there is nothing to learn from.`, { file: name });
}

function delimitedTable(text: string, name: string, format: 'csv' | 'tsv', delimiter?: string): TextTable {
  const parsed = Papa.parse<string[]>(text.startsWith('\uFEFF') ? text.slice(1) : text, {
    header: false,
    delimiter: delimiter ?? (format === 'tsv' ? '\t' : ''),
    delimitersToGuess: CSV_DELIMITERS,
    skipEmptyLines: 'greedy',
  });
  const unclosed = parsed.errors.find((e) => e.code === 'MissingQuotes');
  if (unclosed) {
    const line = lineAt(text, unclosed.index ?? 0);
    throw new TextDataError(
      'bad-csv',
      `${quote(name)} has a quote (") that is never closed, on line ${line}, so the rest of the file would be one value. Close the quote or remove it.`,
      { file: name },
    );
  }
  const [header, ...records] = parsed.data;
  if (!header) return { name, columns: [], rows: [], unevenRows: [] };
  const columns = uniqueColumns(header);
  const unevenRows: number[] = [];
  const rows = records.map((record, i) => {
    if (record.length !== columns.length) unevenRows.push(i + 1);
    const row: Record<string, string> = {};
    columns.forEach((c, j) => (row[c] = record[j] ?? ''));
    return row;
  });
  return { name, columns, rows, unevenRows };
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Trimmed names; a blank one becomes `column N`, a repeated one `name (2)`. */
function uniqueColumns(header: readonly string[]): string[] {
  const seen = new Set<string>();
  return header.map((raw, i) => {
    const base = raw.trim() || `column ${i + 1}`;
    let name = base;
    for (let k = 2; seen.has(name); k++) name = `${base} (${k})`;
    seen.add(name);
    return name;
  });
}

function jsonlTable(text: string, name: string): TextTable {
  const records = parseJsonl(text, name);
  const columns = jsonlKeys(records);
  const rows = records.map((r) => {
    const row: Record<string, string> = {};
    for (const c of columns) row[c] = cell(r.value[c]);
    return row;
  });
  return { name, columns, rows, unevenRows: [] };
}

/** A JSON value as table text: strings as they are, numbers and booleans printed, null empty. */
function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Throws `missing-column` naming `column` and the columns the table has. */
export function requireColumn(table: TextTable, column: string, role: 'text' | 'label'): void {
  if (table.columns.includes(column)) return;
  const noun = table.name.toLowerCase().endsWith('.jsonl') ? 'field' : 'column';
  throw new TextDataError(
    'missing-column',
    `${quote(table.name)} has no ${noun} ${quote(column)}. ${describeColumns(table.columns, noun)} Choose the ${noun} that holds the ${role === 'text' ? 'text' : 'labels'}.`,
    { file: table.name },
  );
}
