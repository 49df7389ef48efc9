/**
 * Why a text dataset was refused, with a sentence for the user. A `StudioError` (one of the usual
 * codes), so it crosses the worker boundary like any other; `reason` and `file` are for code on the
 * same side that wants to point at the file or the column.
 */
import { StudioError, type ErrorCode } from '../lib/errors';

export type TextErrorReason =
  | 'empty-file'
  | 'file-too-large'
  | 'total-too-large'
  | 'not-utf8'
  | 'unreadable'
  | 'unsupported-file'
  | 'bad-jsonl'
  | 'bad-csv'
  | 'missing-column'
  | 'same-column'
  | 'no-rows'
  | 'single-class'
  | 'too-few-examples'
  | 'too-little-text';

const CODES: Record<TextErrorReason, ErrorCode> = {
  'empty-file': 'dataset-empty',
  'file-too-large': 'dataset-invalid',
  'total-too-large': 'dataset-invalid',
  'not-utf8': 'file-unreadable',
  unreadable: 'file-unreadable',
  'unsupported-file': 'unsupported',
  'bad-jsonl': 'dataset-invalid',
  'bad-csv': 'dataset-invalid',
  'missing-column': 'dataset-invalid',
  'same-column': 'dataset-invalid',
  'no-rows': 'dataset-empty',
  'single-class': 'dataset-invalid',
  'too-few-examples': 'dataset-invalid',
  'too-little-text': 'dataset-empty',
};

export class TextDataError extends StudioError {
  readonly reason: TextErrorReason;
  /** The file it concerns, when one does. */
  readonly file: string | undefined;

  constructor(reason: TextErrorReason, userMessage: string, options?: { file?: string; cause?: unknown }) {
    super(CODES[reason], userMessage, { cause: options?.cause });
    this.name = 'TextDataError';
    this.reason = reason;
    this.file = options?.file;
  }
}
