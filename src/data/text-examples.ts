/**
 * From a table to classification examples: which columns hold the text and the label (a guess the
 * person can change), then `{id, text, label}` per usable row, the sorted labels and the warnings.
 */
import { formatCount, listSome, plural, quote } from './format';
import { TextDataError } from './text-errors';
import { requireColumn } from './text-table';
import type { TextColumns, TextExample, TextExamples, TextTable, TextWarning } from './text-types';
import { MAX_IMBALANCE, MIN_IMAGES_PER_CLASS } from './warnings';

/** Fewer examples than this in a class earns a warning (the same bar as for images). */
export const MIN_EXAMPLES_PER_CLASS = MIN_IMAGES_PER_CLASS;

/** Column names that say "text" or "label", most telling first. */
const TEXT_NAMES = ['text', 'message', 'body', 'sentence', 'content', 'review', 'comment', 'document', 'tweet', 'sms'];
const LABEL_NAMES = ['label', 'class', 'category', 'target', 'sentiment', 'labels', 'tag', 'y'];
/** Rows looked at when guessing by content. */
const GUESS_ROWS = 1000;
const LIST_MAX = 5;

export interface GuessedColumns {
  textColumn: string | null;
  labelColumn: string | null;
}

/**
 * Default columns: one named like text (text, message, body, sentence, content, review…) and one
 * named like a label (label, class, category, target, sentiment…), matched whole or as a word of the
 * name (`review_text`); otherwise the column with the longest values and the one with the fewest
 * distinct values (two or more if any has). The two always differ; null when there is no candidate.
 */
export function guessTextColumns(table: Pick<TextTable, 'columns' | 'rows'>): GuessedColumns {
  const { columns } = table;
  const rows = table.rows.slice(0, GUESS_ROWS);
  const textColumn = byName(columns, TEXT_NAMES, null) ?? longestValues(columns, rows);
  const labelColumn = byName(columns, LABEL_NAMES, textColumn) ?? fewestValues(columns, rows, textColumn);
  return { textColumn, labelColumn };
}

function words(column: string): string[] {
  return column
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

function byName(columns: readonly string[], names: readonly string[], exclude: string | null): string | null {
  const candidates = columns.filter((c) => c !== exclude);
  for (const n of names) {
    const whole = candidates.find((c) => c.trim().toLowerCase() === n);
    if (whole !== undefined) return whole;
  }
  for (const n of names) {
    const part = candidates.find((c) => words(c).includes(n));
    if (part !== undefined) return part;
  }
  return null;
}

function longestValues(columns: readonly string[], rows: readonly Record<string, string>[]): string | null {
  let best: string | null = null;
  let bestLength = -1;
  for (const c of columns) {
    const total = rows.reduce((n, r) => n + (r[c] ?? '').trim().length, 0);
    const mean = rows.length > 0 ? total / rows.length : 0;
    if (mean > bestLength) [best, bestLength] = [c, mean];
  }
  return best;
}

function fewestValues(columns: readonly string[], rows: readonly Record<string, string>[], exclude: string | null): string | null {
  let best: string | null = null;
  let bestScore = Infinity;
  for (const c of columns) {
    if (c === exclude) continue;
    const distinct = new Set(rows.map((r) => (r[c] ?? '').trim()).filter(Boolean)).size;
    // One value (or none) cannot split classes: such a column comes after every column that can.
    const score = distinct >= 2 ? distinct : Number.MAX_SAFE_INTEGER - distinct;
    if (score < bestScore) [best, bestScore] = [c, score];
  }
  return best;
}

/**
 * The examples of the chosen columns. Rows with an empty text or label are skipped and counted;
 * throws `missing-column`, `same-column`, `no-rows` (nothing usable) or `single-class`.
 */
export function textExamples(table: TextTable, columns: TextColumns): TextExamples {
  const { textColumn, labelColumn } = columns;
  requireColumn(table, textColumn, 'text');
  requireColumn(table, labelColumn, 'label');
  if (textColumn === labelColumn) {
    throw new TextDataError('same-column', `${quote(textColumn)} cannot be both the text and the label. Choose two different columns.`, {
      file: table.name,
    });
  }
  const examples: TextExample[] = [];
  const skipped = { emptyText: 0, emptyLabel: 0 };
  table.rows.forEach((row, i) => {
    const text = (row[textColumn] ?? '').trim();
    const label = (row[labelColumn] ?? '').trim();
    if (text === '') skipped.emptyText++;
    else if (label === '') skipped.emptyLabel++;
    else examples.push({ id: `row-${i + 1}`, text, label });
  });
  if (examples.length === 0) {
    throw new TextDataError(
      'no-rows',
      `No row of ${quote(table.name)} has both a text in ${quote(textColumn)} and a label in ${quote(labelColumn)} — there is nothing to learn from. Check the chosen columns.`,
      { file: table.name },
    );
  }
  const byLabel = new Map<string, number>();
  for (const e of examples) byLabel.set(e.label, (byLabel.get(e.label) ?? 0) + 1);
  const labels = [...byLabel.keys()].sort(compare);
  const [only] = labels;
  if (labels.length === 1 && only !== undefined) {
    throw new TextDataError(
      'single-class',
      `Every row of ${quote(table.name)} has the label ${quote(only)}: a classifier needs two or more classes. Add rows of another class, or choose another label column.`,
      { file: table.name },
    );
  }
  const counts = labels.map((l) => byLabel.get(l) ?? 0);
  const warnings = [skippedRows(skipped, columns), unevenRows(table), fewExamples(labels, counts), imbalance(labels, counts)].filter(
    (w): w is TextWarning => w !== null,
  );
  return { examples, labels, counts, skipped, warnings };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function skippedRows(skipped: TextExamples['skipped'], columns: TextColumns): TextWarning | null {
  const total = skipped.emptyText + skipped.emptyLabel;
  if (total === 0) return null;
  const parts: string[] = [];
  if (skipped.emptyText > 0) parts.push(`${formatCount(skipped.emptyText)} with no text in ${quote(columns.textColumn)}`);
  if (skipped.emptyLabel > 0) parts.push(`${formatCount(skipped.emptyLabel)} with no label in ${quote(columns.labelColumn)}`);
  const head = total === 1 ? '1 row was skipped' : `${formatCount(total)} rows were skipped`;
  return { kind: 'skipped-rows', message: `${head}: ${parts.join(' and ')}.`, subjects: [] };
}

function unevenRows(table: TextTable): TextWarning | null {
  const rows = table.unevenRows;
  if (rows.length === 0) return null;
  const which = listSome(
    rows.map((r) => formatCount(r)),
    LIST_MAX,
  );
  const head =
    rows.length === 1
      ? `Data row ${which} of ${quote(table.name)} has`
      : `${plural(rows.length, 'data row')} of ${quote(table.name)} (${which}) have`;
  return {
    kind: 'uneven-rows',
    message: `${head} a different number of values than the header; missing values count as empty and extra ones are ignored. A value with a comma in it needs quotes.`,
    subjects: [],
  };
}

function fewExamples(labels: readonly string[], counts: readonly number[]): TextWarning | null {
  const few = labels.map((l, i) => [l, counts[i] ?? 0] as const).filter(([, n]) => n < MIN_EXAMPLES_PER_CLASS);
  const [first] = few;
  if (!first) return null;
  const advice = `Add at least ${MIN_EXAMPLES_PER_CLASS} examples to each class; 20 or more works better.`;
  const message =
    few.length === 1
      ? `The class ${quote(first[0])} has only ${plural(first[1], 'example')}. ${advice}`
      : `Some classes have fewer than ${MIN_EXAMPLES_PER_CLASS} examples: ${listSome(
          few.map(([l, n]) => `${quote(l)} (${formatCount(n)})`),
          LIST_MAX,
        )}. ${advice}`;
  return { kind: 'few-examples', message, subjects: few.map(([l]) => l) };
}

function imbalance(labels: readonly string[], counts: readonly number[]): TextWarning | null {
  let large = 0;
  let small = 0;
  counts.forEach((n, i) => {
    if (n > (counts[large] ?? 0)) large = i;
    if (n < (counts[small] ?? 0)) small = i;
  });
  const nLarge = counts[large] ?? 0;
  const nSmall = counts[small] ?? 0;
  if (labels.length < 2 || nLarge <= MAX_IMBALANCE * nSmall) return null;
  const [a, b] = [labels[large] ?? '', labels[small] ?? ''];
  return {
    kind: 'imbalance',
    message:
      `The classes are unbalanced: ${quote(a)} has ${plural(nLarge, 'example')} and ${quote(b)} has ` +
      `${formatCount(nSmall)} (about ${Math.round(nLarge / nSmall)} to 1). The model may favour the larger class; add examples to the smaller ones.`,
    subjects: [a, b],
  };
}
