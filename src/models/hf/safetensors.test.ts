/**
 * The safetensors reader against files built byte by byte from the format's description (not by the
 * writer), F16 and BF16 bit patterns with known values, and every malformed header it must refuse
 * with a sentence; the writer round-trips through the reader and pads its header as the library does.
 */
import { describe, expect, it } from 'vitest';
import { f16ToNumber, readSafetensors, readSafetensorsIndex, writeSafetensors } from './safetensors';

/** A file from a header object and a data section, as the format describes it. */
function file(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const le16 = (xs: number[]) => {
  const b = new Uint8Array(xs.length * 2);
  xs.forEach((x, i) => new DataView(b.buffer).setUint16(i * 2, x, true));
  return b;
};

describe('safetensors', () => {
  it('reads F32, F16, BF16 and I64 tensors, upcast to float32 exactly', () => {
    const f32 = new Uint8Array(new Float32Array([1.5, -2.25, 3e-8, 65504]).buffer);
    // f16: 1, -2, 65504 (largest), 2^-24 (smallest subnormal), +inf, 0.333251953125
    const f16 = le16([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x3555]);
    // bf16: 1, -5, 3.140625, a tiny 2^-126
    const bf16 = le16([0x3f80, 0xc0a0, 0x4049, 0x0080]);
    const i64 = new Uint8Array(new BigInt64Array([0n, 1n, 511n]).buffer);
    const data = new Uint8Array([...f32, ...f16, ...bf16, ...i64]);
    let at = 0;
    const range = (n: number) => [at, (at += n)];
    const header = {
      __metadata__: { format: 'pt' },
      'h.0.attn.c_attn.weight': { dtype: 'F32', shape: [2, 2], data_offsets: range(16) },
      half: { dtype: 'F16', shape: [6], data_offsets: range(12) },
      brain: { dtype: 'BF16', shape: [2, 2], data_offsets: range(8) },
      'embeddings.position_ids': { dtype: 'I64', shape: [1, 3], data_offsets: range(24) },
    };
    const st = readSafetensors(file(header, data));
    expect(st.names).toEqual(['h.0.attn.c_attn.weight', 'half', 'brain', 'embeddings.position_ids']);
    expect(st.metadata).toEqual({ format: 'pt' });
    expect(st.entries.get('brain')).toEqual({ dtype: 'BF16', shape: [2, 2], offsets: [28, 36] });
    expect(Array.from(st.read('h.0.attn.c_attn.weight'))).toEqual(Array.from(new Float32Array([1.5, -2.25, 3e-8, 65504])));
    expect(Array.from(st.read('half'))).toEqual([1, -2, 65504, 2 ** -24, Infinity, 0.333251953125]);
    expect(Array.from(st.read('brain'))).toEqual([1, -5, 3.140625, 2 ** -126]);
    expect(Array.from(st.read('embeddings.position_ids'))).toEqual([0, 1, 511]);
    expect(() => st.read('missing')).toThrow('has no tensor “missing”');
    expect(f16ToNumber(0x7e00)).toBeNaN();
    expect(f16ToNumber(0x8000)).toBe(-0);
  });

  it('refuses malformed files with a sentence naming the file and the tensor', () => {
    const ok = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
    const eight = new Uint8Array(8);
    const cases: Array<[Uint8Array, RegExp]> = [
      [new Uint8Array(4), /shorter than its 8-byte header length/],
      [
        (() => {
          const b = file({ a: ok }, eight);
          new DataView(b.buffer).setBigUint64(0, 10_000n, true);
          return b;
        })(),
        /more than the file holds/,
      ],
      [file({ a: { ...ok, dtype: 'F8_E4M3' } }, eight), /tensor “a” has dtype "F8_E4M3"/],
      [file({ a: { ...ok, shape: [3] } }, eight), /shape \[3\] F32 needs 12 bytes, but has 8/],
      [file({ a: { ...ok, data_offsets: [0, 16] } }, eight), /lies outside the file's data/],
      [file({ a: ok, b: { ...ok, shape: [1], data_offsets: [4, 8] } }, eight), /“a” and “b” overlap/],
      [file({ __metadata__: { n: 1 } }, eight), /__metadata__ is not a map of strings/],
    ];
    for (const [bytes, message] of cases) {
      expect(() => readSafetensors(bytes, 'shard-1.safetensors')).toThrow(message);
      expect(() => readSafetensors(bytes, 'shard-1.safetensors')).toThrow(/“shard-1.safetensors”/);
    }
    const notJson = file({}, eight);
    notJson[8] = 0x7b + 1; // '|' instead of '{'
    expect(() => readSafetensors(notJson)).toThrow(/header is not valid JSON/);
  });

  it('writes F32 files the reader reads back, header padded with spaces to 8 bytes', () => {
    const tensors = [
      { name: 'base_model.model.h.0.attn.c_attn.lora_A.weight', shape: [2, 3], values: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      { name: 'scalar', shape: [], values: Float32Array.of(-0.5) },
      { name: 'empty', shape: [0, 4], values: new Float32Array(0) },
    ];
    const bytes = writeSafetensors(tensors);
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    // The JSON, then fewer than 8 spaces of padding.
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
    const padding = /^\{[\s\S]*\}( *)$/.exec(text)?.[1];
    expect(padding).toBeDefined();
    expect(padding?.length).toBeLessThan(8);
    expect(JSON.parse(text)).toHaveProperty('scalar.dtype', 'F32');
    const st = readSafetensors(bytes);
    expect(st.metadata).toEqual({ format: 'pt' });
    for (const t of tensors) {
      expect(st.entries.get(t.name)?.shape).toEqual(t.shape);
      expect(Array.from(st.read(t.name))).toEqual(Array.from(t.values));
    }
    expect(() => writeSafetensors([{ name: 'x', shape: [2], values: new Float32Array(3) }])).toThrow(/does not hold 3 values/);
  });

  it('reads a sharded checkpoint’s index', () => {
    const index = readSafetensorsIndex(
      JSON.stringify({
        metadata: { total_size: 8 },
        weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors', c: 'model-00001-of-00002.safetensors' },
      }),
    );
    expect(index.files).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    expect(index.weightMap.get('b')).toBe('model-00002-of-00002.safetensors');
    expect(() => readSafetensorsIndex('{"weight_map": [1]}')).toThrow(/no weight_map/);
    expect(() => readSafetensorsIndex('nope')).toThrow(/not valid JSON/);
  });
});
