import { describe, expect, it } from 'vitest';
import { createRng } from '../lib/random';
import { BOS_ID, decode, encode, EOS_ID, PAD_ID, VOCAB_SIZE } from './tokenizer';

function randomString(rng: () => number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    const r = rng();
    let cp: number;
    if (r < 0.4)
      cp = 0x20 + Math.floor(rng() * 0x5f); // ASCII
    else if (r < 0.6)
      cp = 0xa0 + Math.floor(rng() * 0x700); // Latin, Greek, Cyrillic…
    else if (r < 0.8)
      cp = 0x4e00 + Math.floor(rng() * 0x5000); // CJK
    else cp = 0x1f300 + Math.floor(rng() * 0x300); // emoji (astral plane)
    s += String.fromCodePoint(cp);
  }
  return s;
}

describe('byte-level tokenizer', () => {
  it('has 256 byte ids and three special ids', () => {
    expect(VOCAB_SIZE).toBe(259);
    expect(new Set([BOS_ID, EOS_ID, PAD_ID]).size).toBe(3);
    expect(Array.from(encode('Ab'))).toEqual([65, 98]);
  });

  it.each([
    ['', 'empty'],
    ['Call me Ishmael.', 'ascii'],
    ['héllo wörld — ¿qué?', 'latin'],
    ['日本語のテキスト，中文', 'cjk'],
    ['👩‍👩‍👧‍👦 🇫🇷 👍🏽', 'emoji ZWJ, flags, skin tones'],
    ['e\u0301 a\u0308\u0323 Z\u0351\u0352', 'combining marks'],
    ['\u0000\t\n\r\u007f\uFFFD', 'controls'],
  ])('round-trips %j (%s)', (text) => {
    const ids = encode(text);
    for (const id of ids) expect(id >= 0 && id < 256).toBe(true);
    expect(decode(ids)).toBe(text);
  });

  it('round-trips random Unicode strings from a seeded generator', () => {
    const rng = createRng(42);
    for (let i = 0; i < 200; i++) {
      const text = randomString(rng, 1 + Math.floor(rng() * 60));
      expect(decode(encode(text))).toBe(text);
    }
  });

  it('frames with BOS/EOS and drops special ids when decoding', () => {
    const ids = encode('hi', { bos: true, eos: true });
    expect(Array.from(ids)).toEqual([BOS_ID, 104, 105, EOS_ID]);
    expect(decode([...ids, PAD_ID, PAD_ID])).toBe('hi');
  });

  it('decodes invalid UTF-8 with replacement characters instead of throwing', () => {
    expect(decode([0x41, 0xff, 0x42])).toBe('A\uFFFDB');
    const euro = Array.from(encode('€'));
    expect(decode(euro.slice(0, 2))).toBe('\uFFFD');
  });
});
