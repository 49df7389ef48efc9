import { describe, expect, it } from 'vitest';
import { classColour, fitWithin, hexToRgb, maskToRgba } from './overlay';

const px = (rgba: Uint8ClampedArray, i: number) => Array.from(rgba.slice(i * 4, i * 4 + 4));

describe('classColour', () => {
  it('leaves the background unpainted and gives every other class a colour', () => {
    expect(classColour(0)).toBeNull();
    for (let c = 1; c < 60; c++) expect(classColour(c)).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('gives the first classes distinct colours, far apart', () => {
    const colours = Array.from({ length: 30 }, (_, i) => classColour(i + 1) as string);
    expect(new Set(colours).size).toBe(colours.length);
    // The first eight (what most datasets use) differ clearly from each other.
    const first = colours.slice(0, 8).map(hexToRgb);
    for (let i = 0; i < first.length; i++) {
      for (let j = i + 1; j < first.length; j++) {
        const [a, b] = [first[i] as number[], first[j] as number[]];
        const d = Math.hypot((a[0] ?? 0) - (b[0] ?? 0), (a[1] ?? 0) - (b[1] ?? 0), (a[2] ?? 0) - (b[2] ?? 0));
        expect(d).toBeGreaterThan(90);
      }
    }
  });
});

describe('maskToRgba', () => {
  it('paints each class in its colour at the opacity, and leaves background, ignored and unknown values transparent', () => {
    const classes = Uint8Array.from([0, 1, 2, 255, 7, 1]);
    const rgba = maskToRgba(classes, 3, 2, 3, 0.5);
    expect(rgba.length).toBe(3 * 2 * 4);
    expect(px(rgba, 0)[3]).toBe(0);
    expect(px(rgba, 1)).toEqual([...hexToRgb(classColour(1) as string), 128]);
    expect(px(rgba, 2)).toEqual([...hexToRgb(classColour(2) as string), 128]);
    expect(px(rgba, 3)[3]).toBe(0); // ignored
    expect(px(rgba, 4)[3]).toBe(0); // beyond the 3 classes
    expect(px(rgba, 5)).toEqual(px(rgba, 1));
  });

  it('follows the opacity, clamped to 0..1', () => {
    const classes = Uint8Array.from([1]);
    expect(px(maskToRgba(classes, 1, 1, 2, 1), 0)[3]).toBe(255);
    expect(px(maskToRgba(classes, 1, 1, 2, 0), 0)[3]).toBe(0);
    expect(px(maskToRgba(classes, 1, 1, 2, 3), 0)[3]).toBe(255);
    expect(px(maskToRgba(classes, 1, 1, 2, -1), 0)[3]).toBe(0);
  });

  it('refuses a class map of the wrong length', () => {
    expect(() => maskToRgba(new Uint8Array(5), 3, 2, 2, 1)).toThrow(RangeError);
  });
});

describe('fitWithin', () => {
  it('keeps the aspect inside the box', () => {
    expect(fitWithin(200, 100, 100)).toEqual({ width: 100, height: 50 });
    expect(fitWithin(100, 400, 120)).toEqual({ width: 30, height: 120 });
    expect(fitWithin(64, 64, 128)).toEqual({ width: 128, height: 128 });
    expect(fitWithin(0, 0, 96)).toEqual({ width: 96, height: 96 });
  });
});
