import { describe, expect, it } from 'vitest';
import { TextDataError, splitTextCorpus, splitTextExamples, type TextDocument, type TextExample } from './text';
import { cutPoints } from './text-split';

function examples(spec: Array<[string, number]>): TextExample[] {
  let row = 0;
  return spec.flatMap(([label, n]) => Array.from({ length: n }, (_, i) => ({ id: `row-${++row}`, text: `${label} ${i}`, label })));
}

const doc = (name: string, text: string): TextDocument => ({ name, text, bytes: new TextEncoder().encode(text).length });

describe('splitTextExamples', () => {
  const data = examples([
    ['ham', 40],
    ['spam', 10],
    ['other', 3],
  ]);

  it('is stratified: each class keeps its share in validation', () => {
    const { train, val } = splitTextExamples(data, 0.2, 7);
    const count = (xs: TextExample[], label: string) => xs.filter((x) => x.label === label).length;
    expect([count(val, 'ham'), count(val, 'spam'), count(val, 'other')]).toEqual([8, 2, 1]);
    expect(train.length + val.length).toBe(data.length);
    expect(new Set([...train, ...val].map((x) => x.id)).size).toBe(data.length);
  });

  it('is seeded and independent of row order; both parts keep the input order', () => {
    const a = splitTextExamples(data, 0.2, 7);
    const b = splitTextExamples([...data].reverse(), 0.2, 7);
    expect(new Set(b.val.map((x) => x.id))).toEqual(new Set(a.val.map((x) => x.id)));
    const c = splitTextExamples(data, 0.2, 8);
    expect(c.val.map((x) => x.id)).not.toEqual(a.val.map((x) => x.id));
    const index = new Map(data.map((x, i) => [x.id, i]));
    const ordered = (xs: TextExample[]) => xs.every((x, i) => i === 0 || (index.get(xs[i - 1]?.id ?? '') ?? 0) < (index.get(x.id) ?? 0));
    expect(ordered(a.train) && ordered(a.val)).toBe(true);
  });

  it('never leaves validation empty when asked for one', () => {
    for (let seed = 0; seed < 20; seed++) {
      expect(
        splitTextExamples(
          examples([
            ['a', 2],
            ['b', 2],
          ]),
          0.01,
          seed,
        ).val.length,
      ).toBeGreaterThan(0);
    }
    const err = (() => {
      try {
        splitTextExamples(
          examples([
            ['a', 1],
            ['b', 1],
          ]),
          0.2,
          1,
        );
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(TextDataError);
    expect((err as TextDataError).reason).toBe('too-few-examples');
    expect(
      splitTextExamples(
        examples([
          ['a', 1],
          ['b', 1],
        ]),
        0,
        1,
      ).val,
    ).toEqual([]);
  });
});

describe('splitTextCorpus', () => {
  const words = (n: number, seed: string) => Array.from({ length: n }, (_, i) => `${seed}${i}`).join(' ');

  it('splits by document when there are two or more, about the fraction of characters, seeded', () => {
    const docs = Array.from({ length: 10 }, (_, i) => doc(`d${i}.txt`, words(100 + i, `w${i}-`)));
    const a = splitTextCorpus(docs, 0.2, 3);
    const chars = (ds: TextDocument[]) => ds.reduce((n, d) => n + d.text.length, 0);
    const total = chars(docs);
    expect(a.val.length).toBeGreaterThan(0);
    expect(a.train.length).toBeGreaterThan(0);
    expect(chars(a.val)).toBeLessThanOrEqual(0.2 * total);
    expect(chars(a.val)).toBeGreaterThan(0.1 * total);
    expect([...a.train, ...a.val].map((d) => d.name).sort()).toEqual(docs.map((d) => d.name).sort());
    const reversed = splitTextCorpus([...docs].reverse(), 0.2, 3);
    expect(reversed.val.map((d) => d.name).sort()).toEqual(a.val.map((d) => d.name).sort());
    const others = new Set(
      Array.from({ length: 10 }, (_, s) =>
        splitTextCorpus(docs, 0.2, s)
          .val.map((d) => d.name)
          .join(),
      ),
    );
    expect(others.size).toBeGreaterThan(1);
  });

  it('holds out the shortest document when none fits the share, and keeps a training part', () => {
    const docs = [doc('long.txt', 'x'.repeat(1000)), doc('short.txt', 'y'.repeat(200))];
    for (let seed = 0; seed < 10; seed++) {
      const s = splitTextCorpus(docs, 0.1, seed);
      expect(s.val.map((d) => d.name)).toEqual(['short.txt']);
      expect(s.train.map((d) => d.name)).toEqual(['long.txt']);
    }
  });

  it('cuts one document into pieces at line breaks, holding a seeded choice out, nothing lost', () => {
    const text = Array.from({ length: 400 }, (_, i) => `Line number ${i} of the only book.`).join('\n');
    const s = splitTextCorpus([doc('book.txt', text)], 0.1, 11);
    expect(s.val.length).toBeGreaterThan(0);
    expect(s.train.length).toBeGreaterThan(0);
    const all = [...s.train, ...s.val].sort((a, b) => part(a) - part(b));
    expect(all.map((d) => d.text).join('')).toBe(text);
    for (const d of all) {
      expect(d.name).toMatch(/^book\.txt \(part \d+ of \d+\)$/);
      expect(d.bytes).toBe(new TextEncoder().encode(d.text).length);
    }
    const valChars = s.val.reduce((n, d) => n + d.text.length, 0);
    expect(valChars / text.length).toBeGreaterThan(0.05);
    expect(valChars / text.length).toBeLessThan(0.15);
    // Pieces end at line breaks.
    for (const d of all.slice(0, -1)) expect(d.text.endsWith('\n')).toBe(true);
    expect(splitTextCorpus([doc('book.txt', text)], 0.1, 11)).toEqual(s);
    expect(splitTextCorpus([doc('book.txt', text)], 0.1, 12)).not.toEqual(s);
  });

  it('keeps validation non-empty for a tiny document and an out-of-range fraction', () => {
    for (const f of [0, -1, Number.NaN, 1, 5]) {
      const s = splitTextCorpus([doc('tiny.txt', 'ab')], f, 1);
      expect(s.val.map((d) => d.text).join('').length).toBeGreaterThan(0);
      expect(s.train.map((d) => d.text).join('').length).toBeGreaterThan(0);
    }
    expect(() => splitTextCorpus([doc('one.txt', 'a')], 0.1, 1)).toThrow(TextDataError);
    expect(() => splitTextCorpus([], 0.1, 1)).toThrow(TextDataError);
  });

  it('never cuts a surrogate pair in two', () => {
    const text = '😀'.repeat(3000);
    const cuts = cutPoints(text, 20);
    for (const c of cuts) expect(text.charCodeAt(c) >= 0xdc00 && text.charCodeAt(c) <= 0xdfff).toBe(false);
    expect(cuts[0]).toBe(0);
    expect(cuts[cuts.length - 1]).toBe(text.length);
  });
});

function part(d: TextDocument): number {
  return Number(/part (\d+)/.exec(d.name)?.[1] ?? 0);
}
