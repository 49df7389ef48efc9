import { describe, expect, it } from 'vitest';
import { heatmapRgba, jet, upscale } from './heatmap';

describe('heat-map pixels', () => {
  it('maps cold to blue and hot to red', () => {
    const [r0, , b0] = jet(0);
    const [r1, , b1] = jet(1);
    expect(b0).toBeGreaterThan(r0);
    expect(r1).toBeGreaterThan(b1);
  });

  it('upscales bilinearly, keeping corners and interpolating between cells', () => {
    const up = upscale([0, 1], 2, 1, 4, 1);
    expect(up[0]).toBeCloseTo(0);
    expect(up[3]).toBeCloseTo(1);
    expect(up[1]).toBeCloseTo(0.25);
    expect(up[2]).toBeCloseTo(0.75);
    expect(upscale([0.5], 1, 1, 3, 3).every((v) => Math.abs(v - 0.5) < 1e-6)).toBe(true);
  });

  it('gives every pixel some alpha and more where the map is hot', () => {
    const px = heatmapRgba([0, 1], 2, 1, 2, 1);
    expect(px).toHaveLength(8);
    expect(px[3]).toBeGreaterThan(0);
    expect(px[7]).toBeGreaterThan(px[3]!);
  });
});
