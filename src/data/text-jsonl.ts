/** JSON Lines: one JSON object per line; blank lines are allowed, anything else names its line. */
import { formatCount, listSome, quote } from './format';
import { TextDataError } from './text-errors';

export interface JsonlRecord {
  /** 1-based line number in the file. */
  line: number;
  value: Record<string, unknown>;
}

/** How many line numbers a message lists before "and N more". */
const LINES_MAX = 5;

/** Every record of a JSONL text; throws `bad-jsonl` listing the lines that are not JSON objects. */
export function parseJsonl(text: string, name: string): JsonlRecord[] {
  const records: JsonlRecord[] = [];
  const bad: number[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    const value = parseObject(line);
    if (value) records.push({ line: i + 1, value });
    else bad.push(i + 1);
  }
  if (bad.length > 0) {
    throw new TextDataError(
      'bad-jsonl',
      `${quote(name)} is not valid JSON Lines: ${describeLines(bad)} ${bad.length === 1 ? 'is' : 'are'} not a JSON object. Each line must hold one object, like {"text": "…"}.`,
      { file: name },
    );
  }
  return records;
}

function parseObject(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** "line 3", "lines 3, 7 and 9", "lines 1, 2, 3, 4, 5 and 12 more". */
export function describeLines(lines: readonly number[]): string {
  const items = lines.map(formatCount);
  return lines.length === 1 ? `line ${items[0] ?? ''}` : `lines ${listSome(items, LINES_MAX)}`;
}

/** Keys of the records in first-seen order. */
export function jsonlKeys(records: readonly JsonlRecord[]): string[] {
  const keys = new Set<string>();
  for (const r of records) for (const k of Object.keys(r.value)) keys.add(k);
  return [...keys];
}

/** "Its columns are “a”, “b” and “c”." or the one-column and no-column versions. */
export function describeColumns(columns: readonly string[], noun: 'column' | 'field'): string {
  if (columns.length === 0) return `It has no ${noun}s.`;
  if (columns.length === 1) return `Its only ${noun} is ${quote(columns[0] ?? '')}.`;
  return `Its ${noun}s are ${listSome(columns.map(quote), 20)}.`;
}
