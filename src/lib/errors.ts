/**
 * Typed errors with a stable string `code` and a plain sentence for the user.
 * They cross the worker boundary as plain objects (`serializeError`) and are rebuilt on the other side.
 */
export type ErrorCode =
  | 'backend-unavailable'
  | 'model-load-failed'
  | 'model-invalid'
  | 'dataset-empty'
  | 'dataset-invalid'
  | 'file-unreadable'
  | 'zip-invalid'
  | 'zip-too-large'
  | 'training-failed'
  | 'out-of-memory'
  | 'unsupported'
  | 'export-failed'
  | 'cancelled'
  | 'device-lost'
  | 'internal';

export class StudioError extends Error {
  readonly code: ErrorCode;
  /** A plain sentence a person can act on. */
  readonly userMessage: string;

  constructor(code: ErrorCode, userMessage: string, options?: { cause?: unknown }) {
    super(userMessage, options);
    this.name = 'StudioError';
    this.code = code;
    this.userMessage = userMessage;
  }
}

export interface SerializedError {
  code: ErrorCode;
  message: string;
  detail?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof StudioError) {
    return { code: err.code, message: err.userMessage, detail: describeCause(err.cause) };
  }
  const text = describeCause(err) ?? 'unknown error';
  if (/out of memory|OOM|allocation failed|Failed to allocate|exceeded/i.test(text)) {
    return {
      code: 'out-of-memory',
      message: 'The device ran out of memory. Try a smaller batch size, a smaller input size, or fewer trainable layers.',
      detail: text,
    };
  }
  return { code: 'internal', message: `Something went wrong: ${firstLine(text)}`, detail: text };
}

export function deserializeError(e: SerializedError): StudioError {
  return new StudioError(e.code, e.message, { cause: e.detail });
}

/** The sentence to show for any thrown value; never `String(err)` of an unknown shape. */
export function userMessageOf(err: unknown): string {
  return err instanceof StudioError ? err.userMessage : serializeError(err).message;
}

function describeCause(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (cause instanceof Error) return cause.message;
  if (typeof cause === 'string') return cause;
  try {
    return JSON.stringify(cause);
  } catch {
    return undefined;
  }
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? text;
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
