/** Types of the fixture generator that specs import (scripts/make-fixtures.mjs). */
export interface GreyShape {
  label: string;
  png: Uint8Array;
  grey: Uint8Array;
}
export function makeGreyShapes(opts?: { perClass?: number; size?: number; seed?: number; classes?: string[] }): {
  labels: string[];
  images: GreyShape[];
};
