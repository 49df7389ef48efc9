/**
 * A small, dependency-free WAV codec. Pure: runs in Node, the worker and the page.
 *
 * Reads RIFF/WAVE files with PCM (format tag 1: 8-bit unsigned, 16-, 24- and 32-bit signed), IEEE
 * float (tag 3: 32 and 64 bit) and WAVE_FORMAT_EXTENSIBLE (tag 0xFFFE, whose sub-format GUID names
 * one of those two). Chunks may come in any order (a LIST or bext chunk before `fmt ` is common)
 * and odd-sized chunks carry a pad byte. Samples come back as floats in [-1, 1], one array per
 * channel. A data chunk cut short (a truncated download) yields the whole frames that are there.
 *
 * Writes 16-bit PCM or 32-bit float. The codec is scripts/wav.mjs, plain JS, so that the Node scripts
 * that make samples and fixtures run the same code without a TypeScript loader; this module gives the
 * studio its types (scripts/wav.d.mts) and adds the mono mix.
 */

import type { DecodedAudio } from '../../scripts/wav.mjs';

export { encodeWav, isWav, parseWav, type DecodedAudio } from '../../scripts/wav.mjs';

/** The mean of the channels, as a new array. */
export function toMono(audio: DecodedAudio): Float32Array {
  const { channels } = audio;
  const n = channels[0]?.length ?? 0;
  const out = new Float32Array(n);
  for (const channel of channels) for (let i = 0; i < n; i++) out[i] = (out[i] as number) + (channel[i] as number);
  if (channels.length > 1) for (let i = 0; i < n; i++) out[i] = (out[i] as number) / channels.length;
  return out;
}
