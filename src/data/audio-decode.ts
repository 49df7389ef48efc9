/**
 * Decoding one sound file on the page's main thread. WAV is read exactly by ./wav.ts at its own
 * rate; every other format (MP3, Ogg/Opus, FLAC, WebM, and M4A/AAC where the browser reads them)
 * goes through the browser's `decodeAudioData`, resampled to 16 kHz on the way. Channels are mixed
 * to mono, and only the first `DEFAULTS.maxSeconds` are kept (the front end reads no more).
 *
 * Nothing here touches the DOM at import: `sniffAudio` and `nonAudioKind` are pure and shared with
 * the ingest (./audio-ingest.ts), which runs in Node under test.
 */
import { StudioError } from '../lib/errors';
import { DEFAULTS } from '../tasks/audio-classification/frontend.js';
import { quote } from './format';
import { isWav, parseWav, toMono } from './wav';

export interface DecodedClip {
  /** Mono samples in [-1, 1] at `sampleRate`: the first `maxSeconds` of the clip. */
  samples: Float32Array;
  sampleRate: number;
  /** The whole clip's length in seconds (more than the samples hold when it was cut). */
  seconds: number;
}

/** The rate compressed formats are decoded at (the front end's own). */
export const DECODE_RATE = 16000;

/** The parts of the Web Audio API used here, typed locally so this file also compiles for workers. */
interface DecodedBuffer {
  numberOfChannels: number;
  length: number;
  sampleRate: number;
  getChannelData(channel: number): Float32Array;
}
type OfflineContext = new (
  channels: number,
  length: number,
  sampleRate: number,
) => {
  decodeAudioData(data: ArrayBuffer): Promise<DecodedBuffer>;
};

/** The container a sound file's first bytes show, or null when they show none of those read here. */
export function sniffAudio(bytes: Uint8Array): 'wav' | 'mp3' | 'ogg' | 'flac' | 'webm' | 'mp4' | 'aac' | null {
  const at = (i: number, text: string) => [...text].every((ch, k) => bytes[i + k] === ch.charCodeAt(0));
  if (isWav(bytes)) return 'wav';
  if (at(0, 'OggS')) return 'ogg';
  if (at(0, 'fLaC')) return 'flac';
  if (at(0, 'ID3')) return 'mp3';
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return 'webm';
  if (at(4, 'ftyp')) return 'mp4';
  const b0 = bytes[0] ?? 0;
  const b1 = bytes[1] ?? 0;
  if (b0 === 0xff && (b1 & 0xf6) === 0xf0) return 'aac'; // ADTS
  if (b0 === 0xff && (b1 & 0xe0) === 0xe0) return 'mp3'; // MPEG audio frame sync
  return null;
}

const NOT_AUDIO: [string, (b: Uint8Array) => boolean][] = [
  ['a PNG image', (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47],
  ['a JPEG image', (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ['a PDF document', (b) => b[0] === 0x25 && b[1] === 0x50 && b[2] === 0x44 && b[3] === 0x46],
  ['a zip archive', (b) => b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5)],
  ['a GIF image', (b) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46],
];

/**
 * What a file plainly is when it is not sound (an image, a PDF, a zip, text), from its first bytes;
 * null when it may be sound. Used to tell "not audio" from "damaged audio".
 */
export function nonAudioKind(head: Uint8Array): string | null {
  if (sniffAudio(head)) return null;
  for (const [kind, test] of NOT_AUDIO) if (test(head)) return kind;
  const n = Math.min(head.length, 512);
  if (n === 0) return null;
  let printable = 0;
  for (let i = 0; i < n; i++) {
    const c = head[i] ?? 0;
    if (c === 9 || c === 10 || c === 13 || (c >= 32 && c !== 127)) printable++;
  }
  return printable === n ? 'text' : null;
}

/** The first `maxSeconds` of `samples` (a copy when cut, so the long buffer can be freed). */
function keepFirst(samples: Float32Array, sampleRate: number): DecodedClip {
  const limit = Math.round(DEFAULTS.maxSeconds * sampleRate);
  const seconds = samples.length / sampleRate;
  return { samples: samples.length > limit ? samples.slice(0, limit) : samples, sampleRate, seconds };
}

/** Mono mix (the mean of the channels) of a decoded buffer. */
function mixDown(buffer: DecodedBuffer): Float32Array {
  const n = buffer.numberOfChannels;
  if (n === 1) return buffer.getChannelData(0);
  const out = new Float32Array(buffer.length);
  for (let c = 0; c < n; c++) {
    const data = buffer.getChannelData(c);
    for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) + (data[i] ?? 0) / n;
  }
  return out;
}

/**
 * Decodes a sound file to mono samples. Throws a StudioError with a sentence naming the file when it
 * is empty, is not sound, or cannot be decoded.
 */
export async function decodeAudioFile(file: Blob, name: string): Promise<DecodedClip> {
  const q = quote(name);
  if (file.size === 0) throw new StudioError('file-unreadable', `${q} is empty (0 bytes).`);
  let buffer: ArrayBuffer;
  try {
    buffer = await file.arrayBuffer();
  } catch (err) {
    throw new StudioError('file-unreadable', `${q} could not be read; it may have been moved or deleted.`, { cause: err });
  }
  const bytes = new Uint8Array(buffer);
  if (isWav(bytes)) {
    try {
      const decoded = parseWav(bytes);
      return keepFirst(toMono(decoded), decoded.sampleRate);
    } catch (err) {
      const why = err instanceof Error ? ` ${err.message}` : '';
      throw new StudioError('file-unreadable', `${q} could not be read as a WAV file.${why}`, { cause: err });
    }
  }
  const kind = nonAudioKind(bytes.subarray(0, 512));
  if (kind) throw new StudioError('dataset-invalid', `${q} is not a sound file (it looks like ${kind}).`);
  const Context = (globalThis as { OfflineAudioContext?: OfflineContext }).OfflineAudioContext;
  if (!Context) {
    throw new StudioError('unsupported', `${q} cannot be decoded here: this browser has no Web Audio decoder. Convert it to WAV.`);
  }
  let decoded: DecodedBuffer;
  try {
    decoded = await new Context(1, 1, DECODE_RATE).decodeAudioData(buffer);
  } catch (err) {
    throw new StudioError(
      'file-unreadable',
      `${q} could not be decoded: it may be damaged, or this browser cannot read its format. Convert it to WAV, MP3 or Ogg.`,
      { cause: err },
    );
  }
  if (decoded.length === 0) throw new StudioError('file-unreadable', `${q} holds no sound (0 samples).`);
  return keepFirst(mixDown(decoded), decoded.sampleRate);
}
