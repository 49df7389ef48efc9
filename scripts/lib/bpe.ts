/**
 * A small, deterministic byte-level BPE trainer that writes a GPT-2-style `tokenizer.json` (the
 * format of Hugging Face `tokenizers`, read by `@huggingface/tokenizers` and transformers): GPT-2's
 * `bytes_to_unicode` alphabet as the 256 base tokens (in GPT-2's order), then one token per learned
 * merge, then the special tokens (`<|endoftext|>` by default) as added tokens with the last ids.
 *
 * Training text is split with GPT-2's pre-tokenizer regex first, so merges never cross a word
 * boundary, as GPT-2's own merges do not. Each step merges the most frequent adjacent pair; ties
 * go to the pair whose two symbols are smallest (code-unit order, left then right), so the same
 * texts always give the same tokenizer. Pair counts are kept incrementally over a table of
 * distinct words and their frequencies, with a lazy max-heap, so a few MB of text train in seconds.
 */

/** GPT-2's pre-tokenizer (the `use_regex` of the ByteLevel pre-tokenizer). */
export const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's `bytes_to_unicode`: printable bytes map to themselves, the rest to U+0100 onwards; in GPT-2's order. */
export function bytesToUnicode(): Array<[byte: number, char: string]> {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  return bs.map((b, i) => [b, String.fromCodePoint(cs[i] as number)]);
}

export interface BpeOptions {
  /** Added special tokens, after the learned ones (default `<|endoftext|>`). */
  specials?: string[];
  /** Pairs seen fewer times than this are never merged (default 2); training may then stop short of `vocabSize`. */
  minFrequency?: number;
}

/** tokenizer.json as Hugging Face `tokenizers` writes it for GPT-2 (the fields this trainer sets). */
export interface ByteLevelBpeJson {
  version: '1.0';
  truncation: null;
  padding: null;
  added_tokens: Array<{
    id: number;
    content: string;
    single_word: boolean;
    lstrip: boolean;
    rstrip: boolean;
    normalized: boolean;
    special: boolean;
  }>;
  normalizer: null;
  pre_tokenizer: { type: 'ByteLevel'; add_prefix_space: false; trim_offsets: true; use_regex: true };
  post_processor: { type: 'ByteLevel'; add_prefix_space: true; trim_offsets: false; use_regex: true };
  decoder: { type: 'ByteLevel'; add_prefix_space: true; trim_offsets: true; use_regex: true };
  model: {
    type: 'BPE';
    dropout: null;
    unk_token: null;
    continuing_subword_prefix: '';
    end_of_word_suffix: '';
    fuse_unk: false;
    byte_fallback: false;
    ignore_merges: false;
    vocab: Record<string, number>;
    merges: string[];
  };
}

/** A pair's key: byte-level symbols never contain a space, so "left right" is unambiguous (and is the merges format). */
const pairKey = (a: string, b: string) => `${a} ${b}`;

/** Binary max-heap of [count, key] entries; entries go stale when a count changes and are skipped on pop. */
class PairHeap {
  private items: Array<[number, string]> = [];

  /** True when a should come out before b: higher count, then the smaller key (left symbol, then right). */
  private static before(a: [number, string], b: [number, string]): boolean {
    if (a[0] !== b[0]) return a[0] > b[0];
    return a[1] < b[1];
  }

  push(count: number, key: string): void {
    const items = this.items;
    items.push([count, key]);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!PairHeap.before(items[i] as [number, string], items[parent] as [number, string])) break;
      [items[i], items[parent]] = [items[parent] as [number, string], items[i] as [number, string]];
      i = parent;
    }
  }

  pop(): [number, string] | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined) return undefined;
    if (items.length === 0) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < items.length && PairHeap.before(items[l] as [number, string], items[best] as [number, string])) best = l;
      if (r < items.length && PairHeap.before(items[r] as [number, string], items[best] as [number, string])) best = r;
      if (best === i) break;
      [items[i], items[best]] = [items[best] as [number, string], items[i] as [number, string]];
      i = best;
    }
    return top;
  }
}

/**
 * Learns a byte-level BPE of `vocabSize` tokens in all (256 bytes + merges + specials) from `texts`
 * and returns its tokenizer.json object. The vocabulary is smaller than asked only when the texts
 * run out of pairs seen at least `minFrequency` times.
 */
export function trainByteLevelBpe(texts: readonly string[], vocabSize: number, options: BpeOptions = {}): ByteLevelBpeJson {
  const specials = options.specials ?? ['<|endoftext|>'];
  const minFrequency = options.minFrequency ?? 2;
  const alphabet = bytesToUnicode();
  if (!Number.isSafeInteger(vocabSize) || vocabSize < alphabet.length + specials.length) {
    throw new Error(`vocabSize ${vocabSize} is below the ${alphabet.length} byte tokens plus ${specials.length} special tokens`);
  }
  const byteChar: string[] = new Array<string>(256);
  for (const [b, c] of alphabet) byteChar[b] = c;
  // A Map, not an object: a learned token may be spelt "constructor" or "__proto__".
  const vocab = new Map<string, number>();
  for (const [, c] of alphabet) vocab.set(c, vocab.size);

  // Distinct pre-tokenized words (in byte-level characters) and how often each occurs.
  const encoder = new TextEncoder();
  const frequency = new Map<string, number>();
  for (const text of texts) {
    for (const piece of text.match(GPT2_PATTERN) ?? []) {
      let word = '';
      for (const b of encoder.encode(piece)) word += byteChar[b];
      frequency.set(word, (frequency.get(word) ?? 0) + 1);
    }
  }
  const words: string[][] = [];
  const counts: number[] = [];
  for (const [word, n] of [...frequency].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    words.push(Array.from(word));
    counts.push(n);
  }

  // Pair counts and, for each pair, the words it may occur in (a superset: entries are never removed).
  const pairCount = new Map<string, number>();
  const pairWords = new Map<string, Set<number>>();
  const pairSymbols = new Map<string, [string, string]>();
  const changed = new Set<string>();
  const addPairs = (w: number, sign: 1 | -1) => {
    const symbols = words[w] as string[];
    const n = counts[w] as number;
    for (let i = 0; i + 1 < symbols.length; i++) {
      const a = symbols[i] as string;
      const b = symbols[i + 1] as string;
      const key = pairKey(a, b);
      pairCount.set(key, (pairCount.get(key) ?? 0) + sign * n);
      changed.add(key);
      if (sign > 0) {
        let set = pairWords.get(key);
        if (!set) {
          set = new Set();
          pairWords.set(key, set);
          pairSymbols.set(key, [a, b]);
        }
        set.add(w);
      }
    }
  };
  for (let w = 0; w < words.length; w++) addPairs(w, 1);
  const heap = new PairHeap();
  const flush = () => {
    for (const key of changed) {
      const c = pairCount.get(key) ?? 0;
      if (c > 0) heap.push(c, key);
      else pairCount.delete(key);
    }
    changed.clear();
  };
  flush();

  const merges: string[] = [];
  const learned = vocabSize - specials.length;
  while (vocab.size < learned) {
    const top = heap.pop();
    if (!top) break;
    const [count, key] = top;
    if (pairCount.get(key) !== count) continue; // stale entry
    if (count < minFrequency) break;
    const [a, b] = pairSymbols.get(key) as [string, string];
    const merged = a + b;
    merges.push(key);
    // Two merges can spell the same token ("a bc", "ab c"); the token keeps its first id.
    if (!vocab.has(merged)) vocab.set(merged, vocab.size);
    for (const w of [...(pairWords.get(key) as Set<number>)].sort((x, y) => x - y)) {
      const symbols = words[w] as string[];
      let present = false;
      for (let i = 0; i + 1 < symbols.length && !present; i++) present = symbols[i] === a && symbols[i + 1] === b;
      if (!present) continue;
      addPairs(w, -1);
      const out: string[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (i + 1 < symbols.length && symbols[i] === a && symbols[i + 1] === b) {
          out.push(merged);
          i++;
        } else {
          out.push(symbols[i] as string);
        }
      }
      words[w] = out;
      addPairs(w, 1);
    }
    pairCount.delete(key);
    changed.delete(key);
    flush();
  }

  const added: ByteLevelBpeJson['added_tokens'] = [];
  for (const content of specials) {
    if (vocab.has(content)) throw new Error(`special token ${content} is already a learned token`);
    added.push({ id: vocab.size, content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true });
    vocab.set(content, vocab.size);
  }
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges,
    },
  };
}
