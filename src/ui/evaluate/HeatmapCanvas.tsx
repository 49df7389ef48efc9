import { useEffect, useRef } from 'react';
import { heatmapRgba } from './heatmap';

/** The heat-map, bilinearly upscaled and colour-mapped with alpha, drawn over whatever sits beneath it. */
export function HeatmapCanvas({ values, width, height, size }: { values: readonly number[]; width: number; height: number; size: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const rgba = heatmapRgba(values, width, height, size, size);
    ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba), size, size), 0, 0);
  }, [values, width, height, size]);
  return <canvas ref={ref} className="explain-canvas" width={size} height={size} data-testid="explain.heatmap" aria-hidden="true" />;
}
