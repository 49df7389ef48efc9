/**
 * What the text engine needs of a tokenizer. Every text model the studio runs reads a Hugging Face
 * `tokenizer.json` (src/models/hf/tokenizer.ts): the bundled model's byte-level BPE, or an imported
 * model's BPE or WordPiece. Generation stops at `eos`; padding is weighted 0 wherever it is, so
 * `pad` only has to be a valid id.
 */
export interface TextTokenizer {
  /** tokenizer.json's model kind: 'BPE' (GPT-2 and the bundled model) or 'WordPiece' (BERT, DistilBERT). */
  kind: string;
  vocabSize: number;
  /** The id an empty prompt starts from (GPT-2's `<|endoftext|>`; BERT's [CLS]). */
  bos: number;
  /** Generation ends when the model produces it (not shown); null: no such token. */
  eos: number | null;
  pad: number;
  /** `encode` frames each text with the model's special tokens ([CLS] … [SEP]): one text, one sequence. */
  framed?: boolean;
  encode(text: string): Int32Array;
  decode(ids: ArrayLike<number>): string;
  /**
   * The files it was read from, as they came: `tokenizer.json` and, when given, `tokenizer_config.json`.
   * Exports ship them; lm.js reads the vocabulary and merges of tokenizer.json.
   */
  files: Record<string, string>;
}
