import { describe, expect, it } from 'vitest';
import { encodeWav, isWav, parseWav, toMono } from './wav';

/** A WAV file from raw chunks: [id, body] pairs after the RIFF/WAVE header, each padded to even size. */
function riff(chunks: [string, Uint8Array][]): Uint8Array {
  const parts: number[] = [];
  const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  for (const [id, body] of chunks) {
    parts.push(...[...id].map((c) => c.charCodeAt(0)), ...u32(body.length), ...body);
    if (body.length & 1) parts.push(0);
  }
  return new Uint8Array(
    [...'RIFF']
      .map((c) => c.charCodeAt(0))
      .concat(
        u32(parts.length + 4),
        [...'WAVE'].map((c) => c.charCodeAt(0)),
        parts,
      ),
  );
}

/** A 16-byte fmt body (or 40 bytes for WAVE_FORMAT_EXTENSIBLE with the given sub-format tag). */
function fmt(tag: number, channels: number, sampleRate: number, bits: number, subFormat?: number): Uint8Array {
  const body = new Uint8Array(subFormat === undefined ? 16 : 40);
  const view = new DataView(body.buffer);
  const width = bits / 8;
  view.setUint16(0, tag, true);
  view.setUint16(2, channels, true);
  view.setUint32(4, sampleRate, true);
  view.setUint32(8, sampleRate * channels * width, true);
  view.setUint16(12, channels * width, true);
  view.setUint16(14, bits, true);
  if (subFormat !== undefined) {
    view.setUint16(16, 22, true); // cbSize
    view.setUint16(18, bits, true); // valid bits
    view.setUint32(20, channels === 2 ? 3 : 4, true); // channel mask
    // KSDATAFORMAT_SUBTYPE_*: the tag, then the fixed tail 0000-0010-8000-00AA00389B71.
    body.set([subFormat & 0xff, subFormat >> 8, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71], 24);
  }
  return body;
}

const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.999);

describe('wav', () => {
  it('round-trips 16-bit PCM within 1/32768, clamping what is out of range', () => {
    const x = Float32Array.from([...ramp(997), -1, 1, 0.5, -0.5, 0, 1.7, -3, 1 / 65536, 0.99998]);
    const bytes = encodeWav(x, 16000);
    expect(isWav(bytes)).toBe(true);
    expect(bytes.length).toBe(44 + x.length * 2);
    const back = parseWav(bytes);
    expect(back.sampleRate).toBe(16000);
    expect(back.channels).toHaveLength(1);
    const y = back.channels[0] as Float32Array;
    expect(y.length).toBe(x.length);
    let worst = 0;
    x.forEach((v, i) => (worst = Math.max(worst, Math.abs(Math.max(-1, Math.min(1, v)) - (y[i] as number)))));
    expect(worst).toBeLessThanOrEqual(1 / 32768);
    expect(y[x.length - 3]).toBe(-1); // -3 clamps to the most negative sample
  });

  it('round-trips 32-bit float exactly, values beyond ±1 included', () => {
    const left = Float32Array.from([...ramp(300), 1.5, -2]);
    const right = left.map((v) => -v / 3);
    const bytes = encodeWav([left, right], 44100, 32);
    const back = parseWav(bytes);
    expect(back.sampleRate).toBe(44100);
    expect(back.channels).toEqual([left, right]);
  });

  it('mixes stereo down to mono as the mean of the channels', () => {
    const audio = parseWav(encodeWav([Float32Array.from([1, 0.5, -1]), Float32Array.from([0, -0.5, -1])], 8000, 32));
    expect(Array.from(toMono(audio))).toEqual([0.5, 0, -1]);
    const mono = { sampleRate: 8000, channels: [Float32Array.from([0.25])] };
    const copy = toMono(mono);
    expect(copy).toEqual(mono.channels[0]);
    expect(copy).not.toBe(mono.channels[0]);
  });

  it('reads hand-built 8-bit unsigned, 24-bit and 32-bit integer files, and 64-bit float', () => {
    const u8 = parseWav(
      riff([
        ['fmt ', fmt(1, 1, 8000, 8)],
        ['data', Uint8Array.from([0, 128, 255])],
      ]),
    );
    expect(Array.from(u8.channels[0] ?? [])).toEqual([-1, 0, 127 / 128]);
    // 24-bit stereo: L = -8388608, 1; R = 8388607, -1 (little-endian, two's complement)
    const pcm24 = Uint8Array.from([0x00, 0x00, 0x80, 0xff, 0xff, 0x7f, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff]);
    const s24 = parseWav(
      riff([
        ['fmt ', fmt(1, 2, 48000, 24)],
        ['data', pcm24],
      ]),
    );
    expect(Array.from(s24.channels[0] ?? [])).toEqual([-1, 1 / 8388608]);
    expect(Array.from(s24.channels[1] ?? [])).toEqual([8388607 / 8388608, -1 / 8388608]);
    const i32 = new Uint8Array(8);
    new DataView(i32.buffer).setInt32(0, -2147483648, true);
    new DataView(i32.buffer).setInt32(4, 1 << 30, true);
    expect(
      Array.from(
        parseWav(
          riff([
            ['fmt ', fmt(1, 1, 8000, 32)],
            ['data', i32],
          ]),
        ).channels[0] ?? [],
      ),
    ).toEqual([-1, 0.5]);
    const f64 = new Uint8Array(16);
    new DataView(f64.buffer).setFloat64(0, 0.125, true);
    new DataView(f64.buffer).setFloat64(8, -0.75, true);
    expect(
      Array.from(
        parseWav(
          riff([
            ['fmt ', fmt(3, 1, 8000, 64)],
            ['data', f64],
          ]),
        ).channels[0] ?? [],
      ),
    ).toEqual([0.125, -0.75]);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE, taking the encoding from the sub-format GUID', () => {
    const pcm = new Uint8Array(8);
    const view = new DataView(pcm.buffer);
    [16384, -16384, -32768, 32767].forEach((v, i) => view.setInt16(i * 2, v, true));
    const audio = parseWav(
      riff([
        ['fmt ', fmt(0xfffe, 2, 22050, 16, 1)],
        ['data', pcm],
      ]),
    );
    expect(audio.sampleRate).toBe(22050);
    expect(audio.channels.map((c) => Array.from(c))).toEqual([
      [0.5, -1],
      [-0.5, 32767 / 32768],
    ]);
    const f32 = new Uint8Array(4);
    new DataView(f32.buffer).setFloat32(0, -0.25, true);
    expect(
      Array.from(
        parseWav(
          riff([
            ['fmt ', fmt(0xfffe, 1, 8000, 32, 3)],
            ['data', f32],
          ]),
        ).channels[0] ?? [],
      ),
    ).toEqual([-0.25]);
    expect(() =>
      parseWav(
        riff([
          ['fmt ', fmt(0xfffe, 1, 8000, 8, 7)],
          ['data', f32],
        ]),
      ),
    ).toThrow(/encoded as µ-law 8-bit, which is not supported/);
  });

  it('finds fmt and data after a LIST chunk, skipping odd-sized chunks with their pad byte', () => {
    const info = new TextEncoder().encode('INFOISFT\x05\0\0\0Lavf\0'); // 17 bytes: odd, so padded
    const pcm = Uint8Array.from([0x00, 0x40, 0x00, 0xc0]);
    const audio = parseWav(
      riff([
        ['LIST', info],
        ['junk', Uint8Array.from([1, 2, 3])],
        ['fmt ', fmt(1, 1, 16000, 16)],
        ['data', pcm],
      ]),
    );
    expect(Array.from(audio.channels[0] ?? [])).toEqual([0.5, -0.5]);
    // data before fmt works too
    expect(
      Array.from(
        parseWav(
          riff([
            ['data', pcm],
            ['fmt ', fmt(1, 1, 16000, 16)],
          ]),
        ).channels[0] ?? [],
      ),
    ).toEqual([0.5, -0.5]);
  });

  it('decodes the whole frames of a truncated data chunk', () => {
    const bytes = encodeWav([ramp(100), ramp(100)], 16000);
    const cut = bytes.subarray(0, 44 + 10 * 4 + 3); // 10 frames and 3 bytes of the 11th
    const audio = parseWav(cut);
    expect(audio.channels.map((c) => c.length)).toEqual([10, 10]);
    expect(Array.from(audio.channels[1] ?? [])).toEqual(Array.from(parseWav(bytes).channels[1]?.subarray(0, 10) ?? []));
  });

  it('refuses garbage, an empty file, a text file and broken headers with a sentence', () => {
    const text = new TextEncoder().encode('label,file\nangry,a.wav\n');
    for (const bytes of [new Uint8Array(0), Uint8Array.from([1, 2, 3]), text, new TextEncoder().encode('RIFF\0\0\0\0AVI LIST')]) {
      expect(isWav(bytes)).toBe(false);
      expect(() => parseWav(bytes)).toThrow(/^This is not a WAV file: it does not start with a RIFF\/WAVE header\.$/);
    }
    expect(() => parseWav(riff([['data', new Uint8Array(4)]]))).toThrow(/has no format \(fmt\) chunk/);
    expect(() => parseWav(riff([['fmt ', fmt(1, 1, 8000, 16)]]))).toThrow(/has no data chunk/);
    expect(() =>
      parseWav(
        riff([
          ['fmt ', fmt(1, 0, 8000, 16)],
          ['data', new Uint8Array(4)],
        ]),
      ),
    ).toThrow(/zero channels/);
    expect(() =>
      parseWav(
        riff([
          ['fmt ', fmt(2, 1, 8000, 4)],
          ['data', new Uint8Array(4)],
        ]),
      ),
    ).toThrow(/^This WAV file is encoded as Microsoft ADPCM 4-bit, which is not supported: save it as/);
    expect(() =>
      parseWav(
        riff([
          ['fmt ', fmt(1, 1, 8000, 12)],
          ['data', new Uint8Array(4)],
        ]),
      ),
    ).toThrow(/PCM 12-bit, which is not supported/);
    expect(() => encodeWav([], 8000)).toThrow(/at least one channel/);
    expect(() => encodeWav([new Float32Array(2), new Float32Array(3)], 8000)).toThrow(/same number of samples/);
  });
});
