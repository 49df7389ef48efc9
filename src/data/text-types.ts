/** Plain data types of text datasets. No tfjs, no DOM beyond Blob: usable in the worker and in Node tests. */
import type { InputFile } from './ingest';

/**
 * A text file to ingest: a `File` from a picker or a drop (`name`), or an `InputFile` (`path`), whose
 * folder part is dropped from messages. Only `size` is looked at before the limits are checked.
 */
export type TextSource = (Blob & { readonly name: string }) | InputFile;

/** One document of a generation corpus: a whole `.txt`/`.md` file, or one record of a `.jsonl` file. */
export interface TextDocument {
  /** File name (`notes.txt`), or `name.jsonl:LINE` for a JSONL record. */
  name: string;
  /** UTF-8 decoded, BOM removed, line endings `\n`. */
  text: string;
  /** UTF-8 bytes of `text`. */
  bytes: number;
}

/** A table of strings from a `.csv`, `.tsv` or `.jsonl` file; every row has every column. */
export interface TextTable {
  /** File name, for messages. */
  name: string;
  /** Unique, non-empty, in file order. */
  columns: string[];
  rows: Record<string, string>[];
  /** 1-based indexes into `rows` of CSV/TSV rows whose field count differs from the header's (padded or cut). */
  unevenRows: number[];
}

export interface TextColumns {
  textColumn: string;
  labelColumn: string;
}

/** One classification example; `id` is `row-N`, N the 1-based index into the table's `rows`. */
export interface TextExample {
  id: string;
  text: string;
  label: string;
}

export type TextWarningKind = 'skipped-rows' | 'uneven-rows' | 'few-examples' | 'imbalance';

/** Same shape as `DatasetWarning`, so the same list renders both. */
export interface TextWarning {
  kind: TextWarningKind;
  /** A plain sentence for a role="alert" element. */
  message: string;
  /** Classes it concerns. */
  subjects: string[];
}

/** What `textExamples` produced from a table. */
export interface TextExamples {
  examples: TextExample[];
  /** Distinct labels, sorted by code unit: the class order of the model's output. */
  labels: string[];
  /** Examples per label, in `labels` order. */
  counts: number[];
  /** Rows left out because their text or their label was empty. */
  skipped: { emptyText: number; emptyLabel: number };
  warnings: TextWarning[];
}

export interface TextLimits {
  /** Bytes of one file. */
  maxFileBytes: number;
  /** Bytes of all files of one ingest. */
  maxTotalBytes: number;
}

export interface TextSplit<T> {
  train: T[];
  val: T[];
}
