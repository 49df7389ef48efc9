/** Types of the fixture generator that specs and tests import (scripts/make-fixtures.mjs). */
export interface GreyShapesOptions {
  perClass?: number;
  size?: number;
  seed?: number;
  classes?: string[];
}
export interface GreyShapeImage {
  label: string;
  png: Buffer;
  grey: Uint8Array;
}
export function makeGreyShapes(opts?: GreyShapesOptions): { labels: string[]; images: GreyShapeImage[] };
export function writeGreyShapesZip(path: string, opts?: GreyShapesOptions): number;
export function writeBadZip(path: string): void;
export function teachableMobilenetEntries(opts?: { size?: number; labels?: string[]; seed?: number }): Record<string, Uint8Array>;
export function teachableMetadata(labels: readonly string[], imageSize: number): Record<string, unknown>;
export function main(): void;
export function createRng(seed: number): () => number;
