/**
 * Hugging Face tokenizers from a checkpoint's `tokenizer.json` (and `tokenizer_config.json` when
 * present), through `@huggingface/tokenizers` (the tokenizer code of transformers.js, zero
 * dependencies): byte-level BPE (GPT-2) and WordPiece (BERT, DistilBERT). This file only checks what
 * it is given and turns the library's failures into sentences the studio can show (issue 13).
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { StudioError } from '../../lib/errors';
import type { TextTokenizer } from '../../text/tokenizer';

export interface HfTokenizer {
  /** `BPE`, `WordPiece`, … as tokenizer.json's model names it. */
  kind: string;
  vocabSize: number;
  /** Token ids of `text`, with the model's special tokens ([CLS] … [SEP]) unless `special` is false. */
  encode(text: string, options?: { special?: boolean }): number[];
  /** Text of `ids`; special tokens left out unless `special` is true. */
  decode(ids: readonly number[], options?: { special?: boolean }): string;
  tokenId(token: string): number | undefined;
  /** tokenizer.json (and tokenizer_config.json when given) as JSON text. */
  files: Record<string, string>;
}

/** The model kinds the studio's transformers use. */
const KINDS = new Set(['BPE', 'WordPiece']);

const fail = (file: string, why: string) =>
  new StudioError('model-load-failed', `“${file}” is not a tokenizer the studio can use: ${why}.`);

/** Parses `tokenizer.json` (text or parsed JSON) and, optionally, `tokenizer_config.json`. */
export function loadHfTokenizer(tokenizerJson: string | object, configJson: string | object | null = null): HfTokenizer {
  const parse = (v: string | object, file: string): Record<string, unknown> => {
    if (typeof v !== 'string') return v as Record<string, unknown>;
    try {
      const json = JSON.parse(v) as unknown;
      if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error('not an object');
      return json as Record<string, unknown>;
    } catch {
      throw fail(file, 'it is not a JSON object');
    }
  };
  const json = parse(tokenizerJson, 'tokenizer.json');
  const config = configJson === null ? {} : parse(configJson, 'tokenizer_config.json');
  const model = json.model as { type?: unknown; vocab?: unknown } | undefined;
  if (!model || typeof model !== 'object') throw fail('tokenizer.json', 'it has no "model" section');
  const kind = typeof model.type === 'string' ? model.type : '';
  if (!KINDS.has(kind)) {
    throw fail(
      'tokenizer.json',
      `its model is ${kind ? `“${kind}”` : 'of no type'}; the studio reads BPE (GPT-2) and WordPiece (BERT) tokenizers`,
    );
  }
  if (!model.vocab || typeof model.vocab !== 'object') throw fail('tokenizer.json', 'its model has no vocabulary');
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(json, config);
  } catch (err) {
    throw fail('tokenizer.json', err instanceof Error ? err.message : 'the tokenizer library refused it');
  }
  const added = Array.isArray(json.added_tokens) ? (json.added_tokens as { id?: unknown }[]) : [];
  const ids = [...Object.values(model.vocab as Record<string, number>), ...added.map((t) => Number(t.id))].filter(Number.isFinite);
  const files: Record<string, string> = {
    'tokenizer.json': typeof tokenizerJson === 'string' ? tokenizerJson : JSON.stringify(tokenizerJson),
  };
  if (configJson !== null) files['tokenizer_config.json'] = typeof configJson === 'string' ? configJson : JSON.stringify(configJson);
  return {
    kind,
    files,
    vocabSize: ids.length ? Math.max(...ids) + 1 : 0,
    encode: (text, options = {}) => tokenizer.encode(text, { add_special_tokens: options.special !== false }).ids,
    // The library refuses an empty list; no ids are no text (a generation that stopped at once).
    decode: (ids, options = {}) => (ids.length === 0 ? '' : tokenizer.decode([...ids], { skip_special_tokens: options.special !== true })),
    tokenId: (token) => tokenizer.token_to_id(token),
  };
}

/** GPT-2's end-of-text token, which also starts an empty prompt. */
const GPT2_EOS = '<|endoftext|>';

/**
 * An imported tokenizer as the text engine's. A language model's (GPT-2's): no special tokens added
 * while encoding (its text is a plain token stream), the end-of-text token as BOS, EOS and padding
 * (GPT-2 has no PAD). An encoder's (`framed`, BERT's): each text framed as the tokenizer's template
 * says ([CLS] … [SEP]), padded with its [PAD] token.
 */
export function hfTextTokenizer(
  tokenizer: HfTokenizer,
  options: { framed?: boolean; eosToken?: string; padToken?: string } = {},
): TextTokenizer {
  if (options.framed) {
    const pad = tokenizer.tokenId(options.padToken ?? '[PAD]');
    if (pad === undefined) throw fail('tokenizer.json', `it has no ${options.padToken ?? '[PAD]'} token to pad texts with`);
    return {
      kind: tokenizer.kind,
      files: tokenizer.files,
      vocabSize: tokenizer.vocabSize,
      bos: tokenizer.tokenId('[CLS]') ?? pad,
      eos: null,
      pad,
      framed: true,
      encode: (text) => Int32Array.from(tokenizer.encode(text, { special: true })),
      decode: (ids) => tokenizer.decode(Array.from(ids)),
    };
  }
  const eos = tokenizer.tokenId(options.eosToken ?? GPT2_EOS) ?? null;
  const start = eos ?? 0;
  return {
    kind: tokenizer.kind,
    files: tokenizer.files,
    vocabSize: tokenizer.vocabSize,
    bos: start,
    eos,
    pad: start,
    encode: (text) => Int32Array.from(tokenizer.encode(text, { special: false })),
    decode: (ids) => tokenizer.decode(Array.from(ids)),
  };
}
