import { describe, expect, it } from 'vitest';
import { TextDataError, guessTextColumns, ingestTextTable, parseTextTable, textExamples, type TextTable } from './text';

const file = (name: string, content: string): File => new File([content], name);

function thrown(fn: () => unknown): TextDataError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TextDataError);
    return err as TextDataError;
  }
  throw new Error('expected a TextDataError');
}

async function rejected(promise: Promise<unknown>): Promise<TextDataError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(TextDataError);
    return err as TextDataError;
  }
  throw new Error('expected a TextDataError');
}

const table = (columns: string[], rows: string[][], name = 't.csv'): TextTable => ({
  name,
  columns,
  rows: rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i] ?? '']))),
  unevenRows: [],
});

describe('ingestTextTable: CSV and TSV', () => {
  it('parses quoted fields with commas, quotes and newlines, a BOM and CRLF', async () => {
    const csv = '\uFEFFtext,label\r\n"Hello, world",greeting\r\n"He said ""hi""\r\nthen left",story\r\nplain,other\r\n';
    const t = await ingestTextTable(file('reviews.csv', csv));
    expect(t.name).toBe('reviews.csv');
    expect(t.columns).toEqual(['text', 'label']);
    expect(t.rows).toEqual([
      { text: 'Hello, world', label: 'greeting' },
      { text: 'He said "hi"\nthen left', label: 'story' },
      { text: 'plain', label: 'other' },
    ]);
    expect(t.unevenRows).toEqual([]);
  });

  it('reads .tsv with tabs, commas staying inside values', async () => {
    const t = await ingestTextTable(file('data.tsv', 'sentence\tsentiment\nGood, really good\tpos\nBad\tneg\n'));
    expect(t.columns).toEqual(['sentence', 'sentiment']);
    expect(t.rows[0]).toEqual({ sentence: 'Good, really good', sentiment: 'pos' });
  });

  it('detects a semicolon or tab delimiter in a .csv, and takes a forced one', () => {
    expect(parseTextTable('a;b\n"x, y";1\nz;2\n', 's.csv', 'csv').rows).toEqual([
      { a: 'x, y', b: '1' },
      { a: 'z', b: '2' },
    ]);
    expect(parseTextTable('a\tb\nx\t1\n', 'tab.csv', 'csv').columns).toEqual(['a', 'b']);
    expect(parseTextTable('a|b\nx,y|1\n', 'p.csv', 'csv', '|').rows).toEqual([{ a: 'x,y', b: '1' }]);
  });

  it('names blank and repeated headers, skips blank lines, pads short rows and reports uneven ones', () => {
    const t = parseTextTable('text,,text\n\na,b,c\n  \nd\ne,f,g,h\n', 'u.csv', 'csv');
    expect(t.columns).toEqual(['text', 'column 2', 'text (2)']);
    expect(t.rows).toEqual([
      { text: 'a', 'column 2': 'b', 'text (2)': 'c' },
      { text: 'd', 'column 2': '', 'text (2)': '' },
      { text: 'e', 'column 2': 'f', 'text (2)': 'g' },
    ]);
    expect(t.unevenRows).toEqual([2, 3]);
  });

  it('refuses an unclosed quote, naming the line', () => {
    const err = thrown(() => parseTextTable('text,label\nok,a\n"never closed,b\nmore,c\n', 'q.csv', 'csv'));
    expect(err.reason).toBe('bad-csv');
    expect(err.message).toBe(
      '“q.csv” has a quote (") that is never closed, on line 3, so the rest of the file would be one value. Close the quote or remove it.',
    );
  });

  it('refuses a table with no rows, or only a header', async () => {
    const empty = await rejected(ingestTextTable(file('e.csv', '')));
    expect(empty.reason).toBe('no-rows');
    expect(empty.code).toBe('dataset-empty');
    expect(empty.message).toBe('“e.csv” has no rows — there is nothing to learn from.');
    const header = await rejected(ingestTextTable(file('h.csv', 'text,label\n\n')));
    expect(header.message).toBe('“h.csv” has a header but no rows — there is nothing to learn from.');
    const jsonl = await rejected(ingestTextTable(file('e.jsonl', '\n\n')));
    expect(jsonl.reason).toBe('no-rows');
  });

  it('refuses other extensions', async () => {
    const err = await rejected(ingestTextTable(file('t.xlsx', 'x')));
    expect(err.message).toBe('“t.xlsx” is not a file the studio reads here. Use .csv, .tsv and .jsonl files.');
  });
});

describe('ingestTextTable: JSONL', () => {
  it('takes the union of keys as columns and prints non-string values', async () => {
    const t = await ingestTextTable(
      file('d.jsonl', '{"text":"a","label":1}\n{"text":"b","label":true,"extra":{"k":null}}\n{"text":"c","label":null}'),
    );
    expect(t.columns).toEqual(['text', 'label', 'extra']);
    expect(t.rows).toEqual([
      { text: 'a', label: '1', extra: '' },
      { text: 'b', label: 'true', extra: '{"k":null}' },
      { text: 'c', label: '', extra: '' },
    ]);
  });

  it('names bad lines', async () => {
    const err = await rejected(ingestTextTable(file('d.jsonl', '{"text":"a"}\nnot json\n')));
    expect(err.reason).toBe('bad-jsonl');
    expect(err.message).toContain('line 2 is not a JSON object');
  });
});

describe('guessTextColumns', () => {
  it('prefers telling names, whole or as a word', () => {
    expect(guessTextColumns(table(['id', 'label', 'text'], [['1', 'a', 'x']]))).toEqual({ textColumn: 'text', labelColumn: 'label' });
    expect(guessTextColumns(table(['Message', 'Category'], [['x', 'a']]))).toEqual({ textColumn: 'Message', labelColumn: 'Category' });
    expect(guessTextColumns(table(['review_text', 'sentiment_label', 'n'], [['x', 'a', '1']]))).toEqual({
      textColumn: 'review_text',
      labelColumn: 'sentiment_label',
    });
    expect(guessTextColumns(table(['body', 'target'], [['x', 'a']]))).toEqual({ textColumn: 'body', labelColumn: 'target' });
  });

  it('falls back to the longest values and the fewest distinct values (two or more)', () => {
    const t = table(
      ['id', 'constant', 'kind', 'words'],
      [
        ['1', 'same', 'a', 'a long sentence of words'],
        ['2', 'same', 'b', 'another long sentence'],
        ['3', 'same', 'a', 'and one more rather long one'],
      ],
    );
    expect(guessTextColumns(t)).toEqual({ textColumn: 'words', labelColumn: 'kind' });
  });

  it('returns null for a label when there is only one column, and for both with none', () => {
    expect(guessTextColumns(table(['only'], [['x']]))).toEqual({ textColumn: 'only', labelColumn: null });
    expect(guessTextColumns(table([], []))).toEqual({ textColumn: null, labelColumn: null });
  });
});

describe('textExamples', () => {
  const rows = (spec: Array<[string, number]>): string[][] =>
    spec.flatMap(([label, n]) => Array.from({ length: n }, (_, i) => [`${label} text ${i}`, label]));

  it('makes examples with ids, sorted labels and counts', () => {
    const t = table(
      ['text', 'label'],
      [
        ['b one', 'b'],
        ['a one', 'a'],
        ['b two', 'b'],
        ...rows([
          ['a', 5],
          ['b', 5],
        ]),
      ],
    );
    const out = textExamples(t, { textColumn: 'text', labelColumn: 'label' });
    expect(out.labels).toEqual(['a', 'b']);
    expect(out.counts).toEqual([6, 7]);
    expect(out.examples[0]).toEqual({ id: 'row-1', text: 'b one', label: 'b' });
    expect(out.examples).toHaveLength(13);
    expect(out.warnings).toEqual([]);
  });

  it('skips and counts rows with no text or no label, trimming both', () => {
    const t = table(
      ['text', 'label'],
      [
        ['  ', 'a'],
        ['x', ' '],
        ['', ''],
        [' y ', ' a '],
        ...rows([
          ['a', 5],
          ['b', 5],
        ]),
      ],
    );
    const out = textExamples(t, { textColumn: 'text', labelColumn: 'label' });
    expect(out.skipped).toEqual({ emptyText: 2, emptyLabel: 1 });
    expect(out.examples.find((e) => e.id === 'row-4')).toEqual({ id: 'row-4', text: 'y', label: 'a' });
    expect(out.warnings).toEqual([
      {
        kind: 'skipped-rows',
        message: '3 rows were skipped: 2 with no text in “text” and 1 with no label in “label”.',
        subjects: [],
      },
    ]);
  });

  it('warns about a small class and about imbalance over 5 to 1', () => {
    const out = textExamples(
      table(
        ['text', 'label'],
        rows([
          ['big', 30],
          ['small', 3],
        ]),
      ),
      {
        textColumn: 'text',
        labelColumn: 'label',
      },
    );
    expect(out.warnings.map((w) => w.kind)).toEqual(['few-examples', 'imbalance']);
    expect(out.warnings[0]?.message).toBe(
      'The class “small” has only 3 examples. Add at least 5 examples to each class; 20 or more works better.',
    );
    expect(out.warnings[1]?.message).toBe(
      'The classes are unbalanced: “big” has 30 examples and “small” has 3 (about 10 to 1). The model may favour the larger class; add examples to the smaller ones.',
    );
    const fine = textExamples(
      table(
        ['text', 'label'],
        rows([
          ['big', 25],
          ['small', 5],
        ]),
      ),
      {
        textColumn: 'text',
        labelColumn: 'label',
      },
    );
    expect(fine.warnings).toEqual([]);
  });

  it('warns about uneven CSV rows', () => {
    const t = parseTextTable('text,label\na,x\nb\nc,y,extra\n' + 'd,x\n'.repeat(5) + 'e,y\n'.repeat(5), 'u.csv', 'csv');
    const out = textExamples(t, { textColumn: 'text', labelColumn: 'label' });
    expect(out.warnings.map((w) => w.kind)).toEqual(['skipped-rows', 'uneven-rows']);
    expect(out.warnings[1]?.message).toContain('2 data rows of “u.csv” (2 and 3) have a different number of values');
  });

  it('names a missing column and lists the columns that exist', () => {
    const t = table(['message', 'category', 'id'], [['x', 'a', '1']], 'spam.csv');
    const err = thrown(() => textExamples(t, { textColumn: 'message', labelColumn: 'label' }));
    expect(err.reason).toBe('missing-column');
    expect(err.code).toBe('dataset-invalid');
    expect(err.message).toBe(
      '“spam.csv” has no column “label”. Its columns are “message”, “category” and “id”. Choose the column that holds the labels.',
    );
    const jsonl = thrown(() => textExamples({ ...t, name: 'd.jsonl' }, { textColumn: 'text', labelColumn: 'category' }));
    expect(jsonl.message).toBe(
      '“d.jsonl” has no field “text”. Its fields are “message”, “category” and “id”. Choose the field that holds the text.',
    );
  });

  it('refuses the same column twice, a single class, and no usable row', () => {
    const t = table(
      ['text', 'label'],
      [
        ['x', 'a'],
        ['y', 'a'],
      ],
      'one.csv',
    );
    expect(thrown(() => textExamples(t, { textColumn: 'text', labelColumn: 'text' })).reason).toBe('same-column');
    const single = thrown(() => textExamples(t, { textColumn: 'text', labelColumn: 'label' }));
    expect(single.reason).toBe('single-class');
    expect(single.message).toBe(
      'Every row of “one.csv” has the label “a”: a classifier needs two or more classes. Add rows of another class, or choose another label column.',
    );
    const none = thrown(() =>
      textExamples(
        table(
          ['text', 'label'],
          [
            ['', 'a'],
            ['x', ''],
          ],
        ),
        { textColumn: 'text', labelColumn: 'label' },
      ),
    );
    expect(none.reason).toBe('no-rows');
  });
});
