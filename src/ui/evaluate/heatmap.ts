/** Pure pixel work for the Explain overlay: bilinear upscaling and a jet-like colour map with alpha. */

/** Jet-like colour of v in [0, 1]: blue → cyan → yellow → red. */
export function jet(v: number): [number, number, number] {
  const t = Math.min(1, Math.max(0, v));
  const ch = (c: number) => Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - c))));
  return [ch(3), ch(2), ch(1)];
}

/** Value at output pixel (x, y) of a w×h map upscaled to W×H, sampling at pixel centres (edges clamped). */
function sample(values: ArrayLike<number>, w: number, h: number, fx: number, fy: number): number {
  const x = Math.min(w - 1, Math.max(0, fx));
  const y = Math.min(h - 1, Math.max(0, fy));
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = Math.min(w - 1, x0 + 1);
  const y1 = Math.min(h - 1, y0 + 1);
  const ax = x - x0;
  const ay = y - y0;
  const at = (i: number, j: number) => values[j * w + i] ?? 0;
  const top = at(x0, y0) * (1 - ax) + at(x1, y0) * ax;
  const bottom = at(x0, y1) * (1 - ax) + at(x1, y1) * ax;
  return top * (1 - ay) + bottom * ay;
}

/** Bilinearly upscaled copy of a w×h map at W×H. */
export function upscale(values: ArrayLike<number>, w: number, h: number, W: number, H: number): Float32Array {
  const out = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    const fy = ((y + 0.5) * h) / H - 0.5;
    for (let x = 0; x < W; x++) out[y * W + x] = sample(values, w, h, ((x + 0.5) * w) / W - 0.5, fy);
  }
  return out;
}

/** RGBA pixels (W×H) of the heat-map: jet colours, alpha from `minAlpha` (cold) to `maxAlpha` (hot). */
export function heatmapRgba(
  values: ArrayLike<number>,
  w: number,
  h: number,
  W: number,
  H: number,
  minAlpha = 0.15,
  maxAlpha = 0.65,
): Uint8ClampedArray {
  const up = upscale(values, w, h, W, H);
  const out = new Uint8ClampedArray(W * H * 4);
  up.forEach((v, i) => {
    const [r, g, b] = jet(v);
    out[i * 4] = r;
    out[i * 4 + 1] = g;
    out[i * 4 + 2] = b;
    out[i * 4 + 3] = Math.round(255 * (minAlpha + (maxAlpha - minAlpha) * Math.min(1, Math.max(0, v))));
  });
  return out;
}
