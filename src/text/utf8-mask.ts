/**
 * Keeps sampled bytes valid UTF-8. A byte-level model can put a continuation byte where none may
 * stand, start an overlong or surrogate sequence, or end a character early; the text then shows
 * U+FFFD. Masking what cannot come next changes no probabilities among the bytes that can.
 */
import { BOS_ID, EOS_ID, PAD_ID } from './tokenizer';

/** Continuation bytes still owed, and the range the next one must fall in. */
export interface Utf8State {
  pending: number;
  lo: number;
  hi: number;
}

export const BOUNDARY: Utf8State = { pending: 0, lo: 0x80, hi: 0xbf };

/** The state after one more byte (RFC 3629 table: E0 A0–BF, ED 80–9F, F0 90–BF, F4 80–8F). */
export function nextState(state: Utf8State, byte: number): Utf8State {
  if (state.pending > 0 && byte >= 0x80 && byte <= 0xbf) return { pending: state.pending - 1, lo: 0x80, hi: 0xbf };
  if (byte >= 0xc2 && byte <= 0xdf) return { pending: 1, lo: 0x80, hi: 0xbf };
  if (byte === 0xe0) return { pending: 2, lo: 0xa0, hi: 0xbf };
  if (byte === 0xed) return { pending: 2, lo: 0x80, hi: 0x9f };
  if (byte >= 0xe1 && byte <= 0xef) return { pending: 2, lo: 0x80, hi: 0xbf };
  if (byte === 0xf0) return { pending: 3, lo: 0x90, hi: 0xbf };
  if (byte === 0xf4) return { pending: 3, lo: 0x80, hi: 0x8f };
  if (byte >= 0xf1 && byte <= 0xf3) return { pending: 3, lo: 0x80, hi: 0xbf };
  return BOUNDARY;
}

/** The state after `bytes` (ids ≥ 256 are skipped). */
export function stateAfter(bytes: ArrayLike<number>): Utf8State {
  let s = BOUNDARY;
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] as number) < 256) s = nextState(s, bytes[i] as number);
  return s;
}

/** Whether id `id` may come next in state `s`. */
export function allowedNext(id: number, s: Utf8State): boolean {
  if (s.pending > 0) return id >= s.lo && id <= s.hi;
  if (id === BOS_ID || id === PAD_ID) return false;
  if (id === EOS_ID) return true;
  // Text, tab and newline; no other control characters.
  if (id < 0x20) return id === 0x09 || id === 0x0a;
  if (id === 0x7f) return false;
  if (id < 0x80) return true;
  return id >= 0xc2 && id <= 0xf4;
}

/** Sets the logits of ids that cannot come next to −∞ (in place). */
export function maskLogits(logits: Float32Array, s: Utf8State): Float32Array {
  for (let id = 0; id < logits.length; id++) if (!allowedNext(id, s)) logits[id] = Number.NEGATIVE_INFINITY;
  return logits;
}
