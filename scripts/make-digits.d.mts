/** Types of the digit-like generator (scripts/make-digits.mjs). */
import type { GreyShapeImage } from './make-fixtures.mjs';
export const DIGITS: string[];
export function drawDigit(label: string, size: number, rng: () => number): Uint8Array;
export function makeDigits(opts?: { perClass?: number; size?: number; seed?: number }): { labels: string[]; images: GreyShapeImage[] };
