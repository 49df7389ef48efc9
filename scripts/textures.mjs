// Seeded photo-like textures in 4 classes (grass, sand, water, bark) for tests of whole workflows on
// data that is not drawn shapes: fractal value noise shaped per class, with random hue, scale, direction,
// lighting gradient, vignette, sensor noise and sometimes blur. RGB bytes; no network.
import { classFolderEntries, createRng, gaussian, uniform } from './make-fixtures.mjs';
import { encodePng } from './png.mjs';

export const TEXTURE_CLASSES = ['grass', 'sand', 'water', 'bark'];

/** A smooth random field that tiles: bilinear value noise over a periodic `cells`×`cells` lattice. */
function valueNoise(rng, size) {
  const cells = Math.max(1, Math.round(size));
  const grid = Float32Array.from({ length: cells * cells }, () => rng());
  const smooth = (t) => t * t * (3 - 2 * t);
  const wrap = (i) => ((i % cells) + cells) % cells;
  return (u, v) => {
    const x = u * cells;
    const y = v * cells;
    const ix = Math.floor(x);
    const iy = Math.floor(y);
    const fx = smooth(x - ix);
    const fy = smooth(y - iy);
    const at = (i, j) => grid[wrap(j) * cells + wrap(i)];
    const top = at(ix, iy) * (1 - fx) + at(ix + 1, iy) * fx;
    const bottom = at(ix, iy + 1) * (1 - fx) + at(ix + 1, iy + 1) * fx;
    return top * (1 - fy) + bottom * fy;
  };
}

/** Fractal noise in [0, 1]: octaves of value noise, each twice as fine and half as strong. */
function fractal(rng, base, octaves) {
  const layers = Array.from({ length: octaves }, (_, o) => valueNoise(rng, base * 2 ** o));
  const norm = layers.reduce((s, _, o) => s + 0.5 ** o, 0);
  return (u, v) => layers.reduce((s, f, o) => s + f(u, v) * 0.5 ** o, 0) / norm;
}

function mix(a, b, t) {
  return a.map((x, i) => x * (1 - t) + b[i] * t);
}

/** Per class: a colour for coordinates (u, v) in the texture's own rotated, scaled frame. */
function painter(label, rng) {
  const jitter = (c, amount) => c.map((x) => Math.min(1, Math.max(0, x + uniform(rng, -amount, amount))));
  if (label === 'grass') {
    const dark = jitter([0.12, 0.3, 0.08], 0.06);
    const light = jitter([0.45, 0.62, 0.2], 0.08);
    const blades = fractal(rng, uniform(rng, 10, 18), 3);
    const patches = fractal(rng, 3, 2);
    // Blades: noise stretched along v, so thin near-vertical strands.
    return (u, v) => mix(dark, light, Math.min(1, Math.max(0, 1.4 * blades(u * 3, v * 0.35) - 0.25 + 0.3 * (patches(u, v) - 0.5))));
  }
  if (label === 'sand') {
    const base = jitter([0.76, 0.66, 0.46], 0.06);
    const shade = jitter([0.58, 0.48, 0.3], 0.06);
    const freq = uniform(rng, 5, 9);
    const warp = fractal(rng, 3, 2);
    const grain = fractal(rng, 24, 2);
    return (u, v) => {
      const ripple = 0.5 + 0.5 * Math.sin(2 * Math.PI * (v * freq + 0.8 * warp(u, v)));
      return mix(shade, base, Math.min(1, Math.max(0, 0.65 * ripple + 0.35 * grain(u, v))));
    };
  }
  if (label === 'water') {
    const deep = jitter([0.05, 0.22, 0.38], 0.06);
    const shallow = jitter([0.2, 0.5, 0.62], 0.08);
    const waves = fractal(rng, uniform(rng, 4, 7), 3);
    const glints = fractal(rng, 14, 2);
    return (u, v) => {
      const w = waves(u * 0.6, v * 1.8);
      const glint = Math.max(0, glints(u * 0.7, v * 2) - 0.68) * 3;
      return mix(mix(deep, shallow, w), [0.92, 0.95, 0.97], Math.min(1, glint));
    };
  }
  const bark = jitter([0.32, 0.22, 0.14], 0.05);
  const light = jitter([0.55, 0.42, 0.3], 0.06);
  const streaks = fractal(rng, uniform(rng, 6, 10), 3);
  const cracks = valueNoise(rng, Math.round(uniform(rng, 5, 9)));
  return (u, v) => {
    const s = streaks(u * 2.5, v * 0.3);
    const crack = Math.abs(cracks(u * 1.5, v * 0.25) - 0.5) < 0.04 ? 0.45 : 1;
    return mix(bark, light, s).map((x) => x * crack);
  };
}

/** One picture of `label` as size×size RGB bytes. */
export function drawTexture(label, size, rng) {
  const paint = painter(label, rng);
  const angle = uniform(rng, -0.35, 0.35);
  const scale = uniform(rng, 0.7, 1.4);
  const [ox, oy] = [rng(), rng()];
  const light = { dir: uniform(rng, 0, 2 * Math.PI), strength: uniform(rng, 0.05, 0.3) };
  const exposure = uniform(rng, 0.8, 1.15);
  const noise = uniform(rng, 0.01, 0.04);
  const blur = rng() < 0.25;
  // White balance and saturation vary as between cameras: colour alone does not tell the classes apart.
  const cast = [0, 1, 2].map(() => uniform(rng, -0.12, 0.12));
  const saturation = uniform(rng, 0.2, 1);
  const img = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const cx = x / size - 0.5;
      const cy = y / size - 0.5;
      const u = (cx * Math.cos(angle) - cy * Math.sin(angle)) * scale + 0.5 + ox * 0.2;
      const v = (cx * Math.sin(angle) + cy * Math.cos(angle)) * scale + 0.5 + oy * 0.2;
      const raw = paint(u, v);
      const grey = (raw[0] + raw[1] + raw[2]) / 3;
      const c = raw.map((x, k) => grey + (x - grey) * saturation + cast[k]);
      const grad = 1 + light.strength * (cx * Math.cos(light.dir) + cy * Math.sin(light.dir)) * 2;
      const vignette = 1 - 0.35 * (cx * cx + cy * cy);
      for (let k = 0; k < 3; k++) img[(y * size + x) * 3 + k] = c[k] * grad * vignette * exposure + noise * gaussian(rng);
    }
  }
  if (blur) {
    const copy = img.slice();
    for (let y = 1; y < size - 1; y++)
      for (let x = 1; x < size - 1; x++)
        for (let k = 0; k < 3; k++) {
          let s = 0;
          for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) s += copy[((y + dy) * size + x + dx) * 3 + k];
          img[(y * size + x) * 3 + k] = s / 9;
        }
  }
  return Uint8Array.from(img, (v) => Math.round(Math.min(Math.max(v, 0), 1) * 255));
}

/**
 * `perClass` textures of each class, interleaved, as PNGs.
 * @returns {{ labels: string[], images: { label: string, rgb: Uint8Array, png: Uint8Array }[] }}
 */
export function makeTextures({ perClass = 50, size = 64, seed = 1 } = {}) {
  const rng = createRng(seed);
  const images = [];
  for (let n = 0; n < perClass; n++) {
    for (const label of TEXTURE_CLASSES) {
      const rgb = drawTexture(label, size, rng);
      images.push({ label, rgb, png: encodePng(size, size, rgb, 3) });
    }
  }
  return { labels: [...TEXTURE_CLASSES], images };
}

/** `<class>/<n>.png` entries of makeTextures(opts), for a zip. */
export function textureEntries(opts = {}) {
  return classFolderEntries(makeTextures(opts).images);
}
