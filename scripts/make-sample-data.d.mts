/** Types of the sample generator (scripts/make-sample-data.mjs). */
export function drawSample(shape: string, size: number, rng: () => number): Uint8Array;
export function main(outDir?: string): { name: string; licence: string; classes: string[]; files: string[] };
