/**
 * Hugging Face tokenizers on tiny tokenizer.json files written here in the library-independent
 * format transformers saves: a GPT-2-style byte-level BPE and a BERT-style WordPiece, with the ids
 * worked out by hand from their vocabularies and merges; and the sentences for files it cannot use.
 */
import { describe, expect, it } from 'vitest';
import { hfTextTokenizer, loadHfTokenizer } from './tokenizer';

/** GPT-2's layout: ByteLevel pre-tokenizer and decoder; "Ġ" marks a leading space. */
const BPE = {
  version: '1.0',
  added_tokens: [{ id: 12, content: '<|endoftext|>', special: true, single_word: false, lstrip: false, rstrip: false, normalized: false }],
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
    vocab: { h: 0, e: 1, l: 2, o: 3, Ġ: 4, w: 5, r: 6, d: 7, he: 8, ll: 9, hell: 10, hello: 11, Ġw: 13, Ġwo: 14 },
    merges: ['h e', 'l l', 'he ll', 'hell o', 'Ġ w', 'Ġw o'],
  },
};

/** BERT's layout: lower-casing normalizer, whitespace-and-punctuation pre-tokenizer, [CLS] … [SEP]. */
const WORDPIECE = {
  version: '1.0',
  added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'].map((content, id) => ({
    id,
    content,
    special: true,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
  })),
  normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
  pre_tokenizer: { type: 'BertPreTokenizer' },
  post_processor: {
    type: 'TemplateProcessing',
    single: [
      { SpecialToken: { id: '[CLS]', type_id: 0 } },
      { Sequence: { id: 'A', type_id: 0 } },
      { SpecialToken: { id: '[SEP]', type_id: 0 } },
    ],
    pair: [],
    special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
  },
  decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  model: {
    type: 'WordPiece',
    unk_token: '[UNK]',
    continuing_subword_prefix: '##',
    max_input_chars_per_word: 100,
    vocab: { '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3, un: 4, '##aff': 5, '##able': 6, world: 7, '##s': 8, '!': 9 },
  },
};

describe('Hugging Face tokenizers', () => {
  it('byte-level BPE: merges in rank order, a leading space as Ġ, decodes back', () => {
    const t = loadHfTokenizer(JSON.stringify(BPE));
    expect(t.kind).toBe('BPE');
    expect(t.vocabSize).toBe(15);
    // "hello" merges h+e, l+l, he+ll, hell+o; " world" is Ġw+o then single bytes.
    expect(t.encode('hello world')).toEqual([11, 14, 6, 2, 7]);
    expect(t.decode([11, 14, 6, 2, 7])).toBe('hello world');
    expect(t.tokenId('<|endoftext|>')).toBe(12);
    expect(t.decode([11, 12], { special: true })).toBe('hello<|endoftext|>');
    expect(t.decode([11, 12])).toBe('hello');
    expect(t.decode([])).toBe(''); // a generation that stopped at once
    expect(hfTextTokenizer(t).decode([])).toBe('');
  });

  it('WordPiece: lower-cases, splits off punctuation, longest-match subwords, unknown words, [CLS] … [SEP]', () => {
    const t = loadHfTokenizer(WORDPIECE, { do_lower_case: true });
    expect(t.kind).toBe('WordPiece');
    expect(t.encode('Unaffable Worlds!')).toEqual([2, 4, 5, 6, 7, 8, 9, 3]);
    expect(t.encode('Unaffable zebra', { special: false })).toEqual([4, 5, 6, 1]);
    expect(t.decode([2, 4, 5, 6, 7, 8, 3])).toBe('unaffable worlds');
  });

  it('refuses what it cannot use, in a sentence', () => {
    expect(() => loadHfTokenizer('{oops')).toThrow('“tokenizer.json” is not a tokenizer the studio can use: it is not a JSON object.');
    expect(() => loadHfTokenizer({ ...BPE, model: { ...BPE.model, type: 'Unigram' } })).toThrow(
      /“Unigram”; the studio reads BPE \(GPT-2\) and WordPiece/,
    );
    expect(() => loadHfTokenizer({ version: '1.0' })).toThrow(/no "model" section/);
    expect(() => loadHfTokenizer(BPE, '[1]')).toThrow(/“tokenizer_config.json” is not a tokenizer/);
  });
});
