import { describe, expect, it } from 'vitest';
import { joinChunks, meterWidth, rms } from './recorderSamples';

describe('joinChunks', () => {
  it('joins the chunks in order', () => {
    const out = joinChunks([Float32Array.of(1, 2), Float32Array.of(3), Float32Array.of(4, 5)]);
    expect(Array.from(out)).toEqual([1, 2, 3, 4, 5]);
  });

  it('cuts at the maximum, inside a chunk', () => {
    const out = joinChunks([Float32Array.of(1, 2, 3), Float32Array.of(4, 5, 6), Float32Array.of(7)], 4);
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
  });

  it('gives an empty array for no chunks', () => {
    expect(joinChunks([]).length).toBe(0);
  });
});

describe('rms', () => {
  it('is the root mean square', () => {
    expect(rms(Float32Array.of(0.5, -0.5, 0.5, -0.5))).toBeCloseTo(0.5, 6);
    expect(rms(Float32Array.of(1, 0))).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('is 0 for silence and for no samples', () => {
    expect(rms(new Float32Array(8))).toBe(0);
    expect(rms(new Float32Array(0))).toBe(0);
  });
});

describe('meterWidth', () => {
  it('maps −60..0 dBFS to 0..1 and clamps outside', () => {
    expect(meterWidth(1)).toBeCloseTo(1, 6);
    expect(meterWidth(0.001)).toBeCloseTo(0, 6); // −60 dBFS
    expect(meterWidth(0.01)).toBeCloseTo(1 / 3, 6); // −40 dBFS
    expect(meterWidth(0)).toBe(0);
    expect(meterWidth(1e-6)).toBe(0);
    expect(meterWidth(2)).toBe(1);
  });
});
