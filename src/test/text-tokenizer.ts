/**
 * A real byte-level BPE tokenizer for Node tests of the text engine: the tiny GPT-2 fixture's
 * (320 ids, `<|endoftext|>` = 319; src/test/fixtures/hf/tiny-gpt2, made by scripts/make-hf-fixtures.ts).
 * Test models built with `vocabSize: TEST_VOCAB` read it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hfTextTokenizer, loadHfTokenizer } from '../models/hf/tokenizer';
import type { TextTokenizer } from '../text/tokenizer';

const dir = fileURLToPath(new URL('./fixtures/hf/tiny-gpt2/', import.meta.url));

export const TEST_TOKENIZER: TextTokenizer = hfTextTokenizer(
  loadHfTokenizer(readFileSync(`${dir}tokenizer.json`, 'utf8'), readFileSync(`${dir}tokenizer_config.json`, 'utf8')),
);

export const TEST_VOCAB = TEST_TOKENIZER.vocabSize;
