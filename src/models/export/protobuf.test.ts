import { describe, expect, it } from 'vitest';
import { ProtoWriter, float32LE, int64LE, readFields } from './protobuf';

describe('ProtoWriter', () => {
  it('writes varints as protobuf does (known bytes)', () => {
    expect(Array.from(new ProtoWriter().int(1, 150).finish())).toEqual([0x08, 0x96, 0x01]);
    expect(Array.from(new ProtoWriter().string(2, 'testing').finish())).toEqual([0x12, 0x07, ...new TextEncoder().encode('testing')]);
    // int64 −1: ten bytes of two's complement.
    expect(Array.from(new ProtoWriter().int(3, -1).finish())).toEqual([0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it('round-trips ints, floats, strings and nested messages', () => {
    const inner = new ProtoWriter().int(1, 2 ** 40).float(2, 1.5);
    const bytes = new ProtoWriter().ints(1, [0, 1, -5]).message(4, inner).string(5, 'é').finish();
    const fields = readFields(bytes);
    expect(fields.map((f) => f.field)).toEqual([1, 1, 1, 4, 5]);
    expect(fields.slice(0, 3).map((f) => BigInt.asIntN(64, f.value as bigint))).toEqual([0n, 1n, -5n]);
    const nested = readFields(fields[3]?.value as Uint8Array);
    expect(nested).toEqual([
      { field: 1, wire: 0, value: 2n ** 40n },
      { field: 2, wire: 5, value: 1.5 },
    ]);
    expect(new TextDecoder().decode(fields[4]?.value as Uint8Array)).toBe('é');
  });

  it('lays out raw tensor data little-endian', () => {
    expect(Array.from(float32LE([1]))).toEqual([0, 0, 0x80, 0x3f]);
    expect(Array.from(int64LE([-2, 3]))).toEqual([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 3, 0, 0, 0, 0, 0, 0, 0]);
  });
});
