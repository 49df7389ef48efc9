/** Synthetic benchmark images: coloured shapes drawn on an OffscreenCanvas, encoded as PNG blobs. */
import { createRng } from '../lib/random';

export async function makeBenchImages(
  count: number,
  classes: number,
  side: number,
  seed: number,
): Promise<{ blob: Blob; label: number }[]> {
  const rng = createRng(seed);
  const out: { blob: Blob; label: number }[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % classes;
    const canvas = new OffscreenCanvas(side, side);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d context');
    ctx.fillStyle = `hsl(${Math.floor(rng() * 360)} 30% ${20 + Math.floor(rng() * 60)}%)`;
    ctx.fillRect(0, 0, side, side);
    ctx.fillStyle = `hsl(${Math.floor(rng() * 360)} 80% 50%)`;
    const r = side * (0.2 + rng() * 0.2);
    const cx = side / 2 + (rng() - 0.5) * side * 0.3;
    const cy = side / 2 + (rng() - 0.5) * side * 0.3;
    ctx.beginPath();
    if (label === 0) ctx.arc(cx, cy, r, 0, Math.PI * 2);
    else if (label === 1) ctx.rect(cx - r, cy - r, 2 * r, 2 * r);
    else if (label === 2) {
      ctx.moveTo(cx, cy - r);
      ctx.lineTo(cx + r, cy + r);
      ctx.lineTo(cx - r, cy + r);
    } else ctx.ellipse(cx, cy, r, r / 3, rng() * Math.PI, 0, Math.PI * 2);
    ctx.fill();
    out.push({ blob: await canvas.convertToBlob({ type: 'image/png' }), label });
  }
  return out;
}
