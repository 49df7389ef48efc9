/**
 * Text datasets, the public face of the text ingest modules:
 * - generation corpora: `ingestTextCorpus` (.txt, .md, .jsonl) → documents, `splitTextCorpus`;
 * - classification tables: `ingestTextTable` (.csv, .tsv, .jsonl) → columns and rows,
 *   `guessTextColumns`, `textExamples` (examples, sorted labels, warnings), `splitTextExamples`.
 * Every refusal is a `TextDataError` (a `StudioError`) with a sentence that names the file.
 */
export type {
  TextColumns,
  TextDocument,
  TextExample,
  TextExamples,
  TextLimits,
  TextSource,
  TextSplit,
  TextTable,
  TextWarning,
  TextWarningKind,
} from './text-types';
export { TextDataError, type TextErrorReason } from './text-errors';
export { DEFAULT_TEXT_LIMITS, decodeUtf8, utf8Length } from './text-read';
export { CORPUS_EXTENSIONS, DEFAULT_JSONL_FIELD, ingestTextCorpus, type CorpusOptions } from './text-corpus';
export { TABLE_EXTENSIONS, ingestTextTable, parseTextTable, type TableFormat, type TableOptions } from './text-table';
export { MIN_EXAMPLES_PER_CLASS, guessTextColumns, textExamples, type GuessedColumns } from './text-examples';
export { HOLDOUT_PIECES, splitTextCorpus, splitTextExamples } from './text-split';
