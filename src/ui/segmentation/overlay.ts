/**
 * Drawing helpers for segmentation overlays, pure (no DOM): each class's colour (the background
 * transparent, then distinct colours that read on photographs and on dark microscopy alike), a class
 * map as RGBA pixels, and the size a picture takes inside a square box.
 */

/** The ignored pixel value of a class map (IGNORE_CLASS in src/data/segmentation.ts): drawn transparent. */
const IGNORED = 255;

/**
 * Colours for classes 1, 2, …: Sasha Trubetskoy's list of distinct colours, the strongest first.
 * Classes past the list get golden-angle hues.
 */
const PALETTE = [
  '#e6194b',
  '#3cb44b',
  '#4363d8',
  '#ffe119',
  '#f58231',
  '#911eb4',
  '#42d4f4',
  '#f032e6',
  '#bfef45',
  '#469990',
  '#9a6324',
  '#800000',
  '#808000',
  '#000075',
  '#fabed4',
  '#dcbeff',
  '#aaffc3',
  '#ffd8b1',
] as const;

const hex2 = (v: number) =>
  Math.round(Math.max(0, Math.min(255, v)))
    .toString(16)
    .padStart(2, '0');

/** HSL (degrees, 0..1, 0..1) to '#rrggbb'. */
function hslHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
  };
  return `#${hex2(f(0) * 255)}${hex2(f(8) * 255)}${hex2(f(4) * 255)}`;
}

/** The colour of a class as '#rrggbb'; null for the background (class 0), which is never painted. */
export function classColour(index: number): string | null {
  if (!Number.isInteger(index) || index <= 0) return null;
  return PALETTE[index - 1] ?? hslHex((index * 137.508) % 360, 0.7, 0.5);
}

/** '#rrggbb' to [r, g, b]. */
export function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1, 7), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * A class map (`width × height` class indices, row-major) as RGBA pixels for an ImageData: each class
 * from 1 to `classCount − 1` in its colour at `opacity` (0..1); the background, ignored pixels (255) and
 * values past the classes transparent.
 */
export function maskToRgba(
  classes: Uint8Array,
  width: number,
  height: number,
  classCount: number,
  opacity: number,
): Uint8ClampedArray<ArrayBuffer> {
  const n = width * height;
  if (classes.length !== n) throw new RangeError(`A ${width}×${height} class map has ${n} values, not ${classes.length}.`);
  const alpha = Math.round(Math.max(0, Math.min(1, opacity)) * 255);
  const lut = new Uint8ClampedArray(256 * 4);
  for (let c = 1; c < Math.min(classCount, IGNORED); c++) {
    const [r, g, b] = hexToRgb(classColour(c) as string);
    lut.set([r, g, b, alpha], c * 4);
  }
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const o = (classes[i] as number) * 4;
    const p = i * 4;
    out[p] = lut[o] as number;
    out[p + 1] = lut[o + 1] as number;
    out[p + 2] = lut[o + 2] as number;
    out[p + 3] = lut[o + 3] as number;
  }
  return out;
}

/** The size a `width × height` picture takes inside a `size × size` box, its aspect kept (at least 1 px a side). */
export function fitWithin(width: number, height: number, size: number): { width: number; height: number } {
  if (!(width > 0 && height > 0)) return { width: size, height: size };
  const scale = size / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
