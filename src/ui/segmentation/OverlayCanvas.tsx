import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { fitWithin, maskToRgba } from './overlay';

interface Props {
  image: Blob;
  /** Class indices, `maskWidth × maskHeight`, row-major (null: the image alone). */
  mask: Uint8Array | null;
  maskWidth: number;
  maskHeight: number;
  /** The longer side on screen, in CSS pixels; the picture keeps its aspect. */
  size: number;
  /** How opaque the classes' colours are, 0..1. */
  opacity: number;
  /** Classes the mask can hold (values from it on are not painted). */
  classCount?: number;
  /** The image's own size when known: it is then decoded straight to the size shown. */
  imageWidth?: number;
  imageHeight?: number;
  label: string;
  testId?: string;
  /** Decode only once the canvas comes near the screen (grids); false draws at once (a single picture). */
  lazy?: boolean;
}

/** The picture scaled into the box, once it scrolls near the screen (kept at display size, not full size). */
function useBase(image: Blob, size: number, hint: { width?: number; height?: number }, visible: boolean) {
  const [base, setBase] = useState<{ image: Blob; size: number; canvas: HTMLCanvasElement | null } | null>(null);
  const { width, height } = hint;
  useEffect(() => {
    if (!visible) return;
    let live = true;
    const target = width && height ? fitWithin(width, height, size) : null;
    const decode = target
      ? createImageBitmap(image, { resizeWidth: target.width, resizeHeight: target.height, resizeQuality: 'medium' })
      : createImageBitmap(image);
    decode.then(
      (bmp) => {
        const fit = target ?? fitWithin(bmp.width, bmp.height, size);
        const canvas = document.createElement('canvas');
        canvas.width = fit.width;
        canvas.height = fit.height;
        canvas.getContext('2d')?.drawImage(bmp, 0, 0, fit.width, fit.height);
        bmp.close();
        if (live) setBase({ image, size, canvas });
      },
      () => {
        if (live) setBase({ image, size, canvas: null });
      },
    );
    return () => {
      live = false;
    };
  }, [image, size, width, height, visible]);
  return base;
}

/** Becomes true once the element comes within a screen of the viewport, and stays true. */
function useNearScreen(ref: RefObject<HTMLElement | null>, lazy: boolean): boolean {
  const [near, setNear] = useState(!lazy || typeof IntersectionObserver === 'undefined');
  useEffect(() => {
    const el = ref.current;
    if (near || !el) return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setNear(true), { rootMargin: '400px' });
    io.observe(el);
    return () => io.disconnect();
  }, [ref, near]);
  return near;
}

/**
 * An image with a class map over it: each class in its colour at `opacity`, the background clear. The
 * class map is stretched over the picture with no smoothing (nearest neighbour), as the model's
 * stretched input maps back onto the image.
 */
export function OverlayCanvas({
  image,
  mask,
  maskWidth,
  maskHeight,
  size,
  opacity,
  classCount = 255,
  imageWidth,
  imageHeight,
  label,
  testId,
  lazy = true,
}: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  const visible = useNearScreen(ref, lazy);
  const base = useBase(image, size, { width: imageWidth, height: imageHeight }, visible);
  const maskCanvas = useMemo(() => {
    if (!mask || maskWidth <= 0 || maskHeight <= 0 || mask.length !== maskWidth * maskHeight) return null;
    const c = document.createElement('canvas');
    c.width = maskWidth;
    c.height = maskHeight;
    c.getContext('2d')?.putImageData(new ImageData(maskToRgba(mask, maskWidth, maskHeight, classCount, 1), maskWidth, maskHeight), 0, 0);
    return c;
  }, [mask, maskWidth, maskHeight, classCount]);
  const shown = base?.canvas ?? null;
  const fit = shown ? { width: shown.width, height: shown.height } : fitWithin(imageWidth ?? 1, imageHeight ?? 1, size);

  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx || !shown) return;
    ctx.clearRect(0, 0, shown.width, shown.height);
    ctx.globalAlpha = 1;
    ctx.drawImage(shown, 0, 0);
    if (maskCanvas && opacity > 0) {
      ctx.imageSmoothingEnabled = false;
      ctx.globalAlpha = opacity;
      ctx.drawImage(maskCanvas, 0, 0, shown.width, shown.height);
      ctx.globalAlpha = 1;
    }
  }, [shown, maskCanvas, opacity]);

  if (base && !base.canvas) {
    return (
      <span className="seg-canvas seg-canvas-missing" style={{ width: fit.width, height: fit.height }} data-testid={testId}>
        This image could not be shown.
      </span>
    );
  }
  return (
    <canvas
      ref={ref}
      className="seg-canvas"
      width={fit.width}
      height={fit.height}
      style={{ width: fit.width, height: fit.height }}
      role="img"
      aria-label={label}
      data-testid={testId}
      data-ready={shown ? 'true' : 'false'}
    />
  );
}
