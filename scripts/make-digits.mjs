#!/usr/bin/env node
// A seeded, digit-like 4-class set (0, 1, 2, 3 written with a pen): each digit a few strokes, drawn
// with a random slant, size, position, thickness and wobble, dark ink on a light, noisy, uneven page,
// so no two images are the same and a model has to learn the shapes. For the training-job tests
// (e2e/job.spec.ts, src/job/train.test.ts): one seed for the studio's data, another for images no
// run has seen. No network.
import { encodePng } from './png.mjs';
import { blur, createRng, gaussian, uniform } from './make-fixtures.mjs';

export const DIGITS = ['zero', 'one', 'two', 'three'];

/** Polylines of each digit in a unit box (x right, y down), before the random pen. */
function strokes(label, rng) {
  const arc = (cx, cy, rx, ry, a0, a1, n = 14) =>
    Array.from({ length: n + 1 }, (_, i) => {
      const a = a0 + ((a1 - a0) * i) / n;
      return [cx + rx * Math.cos(a), cy + ry * Math.sin(a)];
    });
  switch (label) {
    case 'zero':
      return [arc(0.5, 0.5, uniform(rng, 0.2, 0.28), uniform(rng, 0.32, 0.4), 0, 2 * Math.PI, 24)];
    case 'one': {
      const flag = rng() < 0.6;
      const base = rng() < 0.4;
      return [
        [
          [0.52, 0.12],
          [0.5, 0.88],
        ],
        ...(flag
          ? [
              [
                [0.34, 0.3],
                [0.52, 0.12],
              ],
            ]
          : []),
        ...(base
          ? [
              [
                [0.36, 0.88],
                [0.66, 0.88],
              ],
            ]
          : []),
      ];
    }
    case 'two':
      return [[...arc(0.5, 0.32, 0.22, 0.2, Math.PI * 1.05, Math.PI * 2.25), [0.28, 0.86], [0.74, 0.86]]];
    default:
      return [[...arc(0.48, 0.3, 0.2, 0.17, Math.PI * 1.1, Math.PI * 2.45), ...arc(0.48, 0.68, 0.23, 0.2, Math.PI * 1.55, Math.PI * 2.9)]];
  }
}

function segmentDistance(px, py, [ax, ay], [bx, by]) {
  const ex = bx - ax;
  const ey = by - ay;
  const t = Math.min(Math.max(((px - ax) * ex + (py - ay) * ey) / (ex * ex + ey * ey || 1), 0), 1);
  return Math.hypot(px - ax - ex * t, py - ay - ey * t);
}

/** One grey digit, size×size bytes. */
export function drawDigit(label, size, rng) {
  const slant = uniform(rng, -0.25, 0.25);
  const scale = uniform(rng, 0.7, 1);
  const dx = uniform(rng, -0.1, 0.1);
  const dy = uniform(rng, -0.08, 0.08);
  const width = uniform(rng, 0.045, 0.09);
  const wobble = () => gaussian(rng) * 0.015;
  const lines = strokes(label, rng).map((line) =>
    line.map(([x, y]) => {
      const u = (x - 0.5) * scale + 0.5 + dx + slant * (0.5 - y) + wobble();
      const v = (y - 0.5) * scale + 0.5 + dy + wobble();
      return [u * size, v * size];
    }),
  );
  const paper = uniform(rng, 170, 240);
  const ink = uniform(rng, 10, 80);
  const shade = uniform(rng, -30, 30);
  const img = new Float32Array(size * size);
  const half = width * size;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let d = Infinity;
      for (const line of lines)
        for (let i = 1; i < line.length; i++) d = Math.min(d, segmentDistance(x + 0.5, y + 0.5, line[i - 1], line[i]));
      const cover = Math.min(Math.max(half + 0.5 - d, 0), 1);
      const bg = paper + (shade * (x + y)) / (2 * size);
      img[y * size + x] = bg + (ink - bg) * cover + gaussian(rng) * 6;
    }
  }
  if (rng() < 0.3) blur(img, size);
  return Uint8Array.from(img, (v) => Math.max(0, Math.min(255, Math.round(v))));
}

/** `perClass` digits of each class, classes interleaved, as grey PNGs. */
export function makeDigits({ perClass = 40, size = 64, seed = 1 } = {}) {
  const rng = createRng(seed);
  const images = [];
  for (let n = 0; n < perClass; n++) {
    for (const label of DIGITS) {
      const grey = drawDigit(label, size, rng);
      images.push({ label, png: encodePng(size, size, grey, 1), grey });
    }
  }
  return { labels: [...DIGITS], images };
}
