/**
 * Byte-level tokenizer: every UTF-8 byte (0–255) is one token, plus three special ids.
 * Round-trips any Unicode string with no unknown tokens and no vocabulary file to ship.
 * See docs/TEXT-LM.md for why bytes rather than BPE.
 */

export const BYTE_VOCAB = 256;
export const BOS_ID = 256;
export const EOS_ID = 257;
export const PAD_ID = 258;
export const VOCAB_SIZE = 259;

export interface TokenizerDescription {
  kind: 'byte-level-utf8';
  vocabSize: number;
  special: { bos: number; eos: number; pad: number };
}

export const TOKENIZER: TokenizerDescription = {
  kind: 'byte-level-utf8',
  vocabSize: VOCAB_SIZE,
  special: { bos: BOS_ID, eos: EOS_ID, pad: PAD_ID },
};

const encoder = new TextEncoder();
/** Non-fatal: invalid UTF-8 sequences become U+FFFD. */
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

export interface EncodeOptions {
  bos?: boolean;
  eos?: boolean;
}

/** UTF-8 bytes of `text` as token ids, optionally framed by BOS/EOS. */
export function encode(text: string, options: EncodeOptions = {}): Int32Array {
  const bytes = encoder.encode(text);
  const extra = (options.bos ? 1 : 0) + (options.eos ? 1 : 0);
  const out = new Int32Array(bytes.length + extra);
  let o = 0;
  if (options.bos) out[o++] = BOS_ID;
  for (let i = 0; i < bytes.length; i++) out[o++] = bytes[i] as number;
  if (options.eos) out[o] = EOS_ID;
  return out;
}

/** Decodes byte ids to text; special ids are dropped, invalid UTF-8 becomes U+FFFD. */
export function decode(ids: ArrayLike<number>): string {
  const bytes = new Uint8Array(ids.length);
  let n = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    if (id >= 0 && id < BYTE_VOCAB) bytes[n++] = id;
  }
  return decoder.decode(bytes.subarray(0, n));
}

/**
 * What the text engine needs of a tokenizer: the bundled model's bytes, or an imported model's
 * tokenizer.json (src/models/hf/tokenizer.ts). Generation stops at `eos`; padding is weighted 0
 * wherever it is, so `pad` only has to be a valid id.
 */
export interface TextTokenizer {
  kind: 'byte-level-utf8' | 'hf';
  vocabSize: number;
  /** The id an empty prompt starts from (BOS; GPT-2's `<|endoftext|>`). */
  bos: number;
  /** Generation ends when the model produces it (not shown); null: no such token. */
  eos: number | null;
  pad: number;
  /** Ids are UTF-8 bytes: sampling keeps the text valid UTF-8 (utf8-mask.ts). */
  bytes: boolean;
  /** `encode` frames each text with the model's special tokens ([CLS] … [SEP]): one text, one sequence. */
  framed?: boolean;
  encode(text: string): Int32Array;
  decode(ids: ArrayLike<number>): string;
}

export const BYTE_TOKENIZER: TextTokenizer = {
  kind: 'byte-level-utf8',
  vocabSize: VOCAB_SIZE,
  bos: BOS_ID,
  eos: EOS_ID,
  pad: PAD_ID,
  bytes: true,
  encode: (text) => encode(text),
  decode: (ids) => decode(ids),
};
