/**
 * Decoding with the browser's own decoders. Runs on the main thread and in workers: it uses only
 * createImageBitmap and OffscreenCanvas, which both have. Not unit-tested in Node (no decoders there).
 * Transparent pixels are composited onto white, the same way in training and in prediction.
 */
import { StudioError } from '../lib/errors';
import type { ImageSize, ResizeMode } from './types';

export interface CropBox {
  sx: number;
  sy: number;
  sw: number;
  sh: number;
}

/** The largest centred square of an image (pure; exported for tests). */
export function centerCropBox(width: number, height: number): CropBox {
  const side = Math.min(width, height);
  return { sx: Math.floor((width - side) / 2), sy: Math.floor((height - side) / 2), sw: side, sh: side };
}

/** size*size*3 floats in [0, 1], RGB, row-major (HWC). */
export async function decodeToPixels(blob: Blob, size: number, resize: ResizeMode): Promise<Float32Array> {
  const bitmap = await resizedBitmap(blob, size, resize);
  try {
    const data = drawSquare(bitmap, size).getImageData(0, 0, size, size).data;
    const out = new Float32Array(size * size * 3);
    for (let p = 0, q = 0; p < data.length; p += 4, q += 3) {
      out[q] = (data[p] ?? 0) / 255;
      out[q + 1] = (data[p + 1] ?? 0) / 255;
      out[q + 2] = (data[p + 2] ?? 0) / 255;
    }
    return out;
  } finally {
    bitmap.close();
  }
}

/** The decoded size; rejects when the browser cannot decode the file. A GIF gives its first frame. */
export async function probeImage(blob: Blob): Promise<ImageSize> {
  const bitmap = await createImageBitmap(blob);
  try {
    return { width: bitmap.width, height: bitmap.height };
  } finally {
    bitmap.close();
  }
}

/** A square, centre-cropped thumbnail (JPEG by default: small, and transparency is filled white). */
export async function makeThumbnail(blob: Blob, size: number, type: 'image/jpeg' | 'image/png' = 'image/jpeg'): Promise<Blob> {
  const bitmap = await resizedBitmap(blob, size, 'center-crop');
  try {
    const ctx = drawSquare(bitmap, size);
    return await ctx.canvas.convertToBlob({ type, quality: 0.85 });
  } finally {
    bitmap.close();
  }
}

/**
 * Decodes straight to the target size where the browser supports resize options. For a centre crop
 * the full image is decoded once to learn its size, then cropped and resized from that bitmap.
 */
async function resizedBitmap(blob: Blob, size: number, resize: ResizeMode): Promise<ImageBitmap> {
  const options: ImageBitmapOptions = { resizeWidth: size, resizeHeight: size, resizeQuality: 'high' };
  if (resize === 'stretch') return createImageBitmap(blob, options);
  const full = await createImageBitmap(blob);
  try {
    const { sx, sy, sw, sh } = centerCropBox(full.width, full.height);
    return await createImageBitmap(full, sx, sy, sw, sh, options);
  } finally {
    full.close();
  }
}

/** Draws the bitmap over white onto a size×size canvas (scaling it if the browser ignored resize options). */
function drawSquare(bitmap: ImageBitmap, size: number): OffscreenCanvasRenderingContext2D {
  const canvas = new OffscreenCanvas(size, size);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx)
    throw new StudioError(
      'unsupported',
      'This browser cannot draw images off screen (OffscreenCanvas 2D is missing). Try a current Chrome, Edge, Firefox or Safari.',
    );
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, size, size);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, size, size);
  return ctx;
}
