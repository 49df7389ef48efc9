/**
 * A small, dependency-free WAV codec. Pure: runs in Node, the worker and the page.
 *
 * Reads RIFF/WAVE files with PCM (format tag 1: 8-bit unsigned, 16-, 24- and 32-bit signed), IEEE
 * float (tag 3: 32 and 64 bit) and WAVE_FORMAT_EXTENSIBLE (tag 0xFFFE, whose sub-format GUID names
 * one of those two). Chunks may come in any order (a LIST or bext chunk before `fmt ` is common)
 * and odd-sized chunks carry a pad byte. Samples come back as floats in [-1, 1], one array per
 * channel. A data chunk cut short (a truncated download) yields the whole frames that are there.
 *
 * Writes 16-bit PCM or 32-bit float. scripts/wav.mjs is the same code in plain JS for Node scripts;
 * src/data/wav.test.ts checks the two agree byte for byte.
 */

export interface DecodedAudio {
  sampleRate: number;
  /** One array per channel, all the same length, values in [-1, 1] (float files may exceed it). */
  channels: Float32Array[];
}

const PCM = 1;
const FLOAT = 3;
const EXTENSIBLE = 0xfffe;

function ascii(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0);
}

/** True when the bytes start like a WAV file (`RIFF` … `WAVE`). */
export function isWav(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && ascii(bytes, 0) === 'RIFF' && ascii(bytes, 8) === 'WAVE';
}

/** A name for a format tag in error messages. */
function encodingName(tag: number, bits: number): string {
  const names: Record<number, string> = {
    1: 'PCM',
    2: 'Microsoft ADPCM',
    3: 'IEEE float',
    6: 'A-law',
    7: 'µ-law',
    0x11: 'IMA ADPCM',
    0x55: 'MP3',
  };
  return `${names[tag] ?? `format tag 0x${tag.toString(16).padStart(4, '0')}`} ${bits}-bit`;
}

/** Decodes a WAV file; throws an Error with a sentence when it is not one or uses an encoding not read here. */
export function parseWav(bytes: Uint8Array): DecodedAudio {
  if (!isWav(bytes)) throw new Error('This is not a WAV file: it does not start with a RIFF/WAVE header.');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: { tag: number; channels: number; sampleRate: number; blockAlign: number; bits: number } | undefined;
  let data: { start: number; size: number } | undefined;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = ascii(bytes, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) throw new Error('This WAV file’s format (fmt) chunk is too short to read.');
      let tag = view.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
      if (tag === EXTENSIBLE && size >= 40 && body + 26 <= bytes.length) tag = view.getUint16(body + 24, true);
      fmt = {
        tag,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      // A streamed or truncated file may claim more bytes than it holds: keep what is there.
      data = { start: body, size: Math.min(size, bytes.length - body) };
    }
    at = body + size + (size & 1);
  }
  if (!fmt) throw new Error('This WAV file has no format (fmt) chunk, so its samples cannot be read.');
  if (!data) throw new Error('This WAV file has no data chunk: it holds no audio.');
  const { tag, channels: count, sampleRate, bits } = fmt;
  if (count === 0) throw new Error('This WAV file says it has zero channels.');
  if (sampleRate === 0) throw new Error('This WAV file says its sample rate is 0 Hz.');
  const supported = (tag === PCM && [8, 16, 24, 32].includes(bits)) || (tag === FLOAT && (bits === 32 || bits === 64));
  if (!supported) {
    throw new Error(
      `This WAV file is encoded as ${encodingName(tag, bits)}, which is not supported: save it as 8/16/24/32-bit PCM or 32/64-bit float WAV.`,
    );
  }
  const width = bits / 8;
  // blockAlign is normally channels × width; never step by less than that.
  const frameBytes = Math.max(fmt.blockAlign, count * width);
  const frames = Math.floor(data.size / frameBytes);
  const channels = Array.from({ length: count }, () => new Float32Array(frames));
  const read = sampleReader(view, tag, bits);
  for (let c = 0; c < count; c++) {
    const out = channels[c] as Float32Array;
    for (let i = 0, at = data.start + c * width; i < frames; i++, at += frameBytes) out[i] = read(at);
  }
  return { sampleRate, channels };
}

function sampleReader(view: DataView, tag: number, bits: number): (at: number) => number {
  if (tag === FLOAT) return bits === 32 ? (at) => view.getFloat32(at, true) : (at) => view.getFloat64(at, true);
  switch (bits) {
    case 8:
      return (at) => (view.getUint8(at) - 128) / 128;
    case 16:
      return (at) => view.getInt16(at, true) / 32768;
    case 24:
      return (at) => (view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16)) / 8388608;
    default:
      return (at) => view.getInt32(at, true) / 2147483648;
  }
}

/**
 * Encodes channels (or one mono array) as a WAV file: 16-bit PCM (clamped to [-1, 1], rounded to
 * the nearest of v × 32768, so parseWav gives back each sample within 1/32768) or 32-bit float.
 */
export function encodeWav(channels: Float32Array[] | Float32Array, sampleRate: number, bits: 16 | 32 = 16): Uint8Array {
  const list = channels instanceof Float32Array ? [channels] : channels;
  if (list.length === 0) throw new Error('A WAV file needs at least one channel.');
  const frames = list[0]?.length ?? 0;
  if (list.some((c) => c.length !== frames)) throw new Error('Every channel of a WAV file must have the same number of samples.');
  if (!(Number.isInteger(sampleRate) && sampleRate > 0))
    throw new Error(`A WAV sample rate must be a whole number of Hz, not ${sampleRate}.`);
  const float = bits === 32;
  const width = bits / 8;
  const blockAlign = list.length * width;
  const dataSize = frames * blockAlign;
  // Float files carry an 18-byte fmt chunk and a fact chunk, as the format requires for non-PCM data.
  const fmtSize = float ? 18 : 16;
  const factSize = float ? 12 : 0;
  const out = new Uint8Array(12 + 8 + fmtSize + factSize + 8 + dataSize);
  const view = new DataView(out.buffer);
  const text = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  text(0, 'RIFF');
  view.setUint32(4, out.length - 8, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, float ? FLOAT : PCM, true);
  view.setUint16(22, list.length, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bits, true);
  let at = 20 + fmtSize;
  if (float) {
    text(at, 'fact');
    view.setUint32(at + 4, 4, true);
    view.setUint32(at + 8, frames, true);
    at += 12;
  }
  text(at, 'data');
  view.setUint32(at + 4, dataSize, true);
  at += 8;
  for (let i = 0; i < frames; i++) {
    for (const channel of list) {
      const v = channel[i] as number;
      if (float) view.setFloat32(at, v, true);
      else view.setInt16(at, Math.max(-32768, Math.min(32767, Math.round((Number.isNaN(v) ? 0 : v) * 32768))), true);
      at += width;
    }
  }
  return out;
}

/** The mean of the channels, as a new array. */
export function toMono(audio: DecodedAudio): Float32Array {
  const { channels } = audio;
  const n = channels[0]?.length ?? 0;
  const out = new Float32Array(n);
  for (const channel of channels) for (let i = 0; i < n; i++) out[i] = (out[i] as number) + (channel[i] as number);
  if (channels.length > 1) for (let i = 0; i < n; i++) out[i] = (out[i] as number) / channels.length;
  return out;
}
