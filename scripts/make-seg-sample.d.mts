/** Types of the segmentation sample generator (scripts/make-seg-sample.mjs). */
export const SEG_CLASSES: string[];
export const NUCLEUS: 1;
export const CELL: 2;
export const LICENCE: string;
export interface SegSampleOptions {
  count?: number;
  size?: number;
  seed?: number;
}
export interface SegSampleDrawing {
  /** size×size×3 bytes. */
  rgb: Uint8Array;
  /** The class of each pixel: 0 background, 1 nucleus, 2 cell. */
  mask: Uint8Array;
  /** The object of each pixel (1-based; 0 background), the topmost where two overlap. */
  instances: Uint16Array;
}
export interface SegSampleItem extends SegSampleDrawing {
  name: string;
  imagePng: Uint8Array;
  maskPng: Uint8Array;
}
export function drawSegSample(size: number, rng: () => number, opts?: { flatLight?: boolean }): SegSampleDrawing;
export function makeSegSample(opts?: SegSampleOptions & { flatLight?: boolean }): {
  classes: string[];
  size: number;
  items: SegSampleItem[];
};
export function writeSegSample(
  outDir: string,
  opts?: SegSampleOptions,
): { count: number; size: number; seed: number; classes: string[]; files: string[] };
export function parseArgs(argv: string[]): { out: string; count: number; size: number; seed: number };
export function main(argv?: string[]): ReturnType<typeof writeSegSample> | undefined;
