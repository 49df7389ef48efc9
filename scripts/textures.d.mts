/** Types of the texture generator (scripts/textures.mjs). */
export const TEXTURE_CLASSES: string[];
export function drawTexture(label: string, size: number, rng: () => number): Uint8Array;
export function makeTextures(opts?: { perClass?: number; size?: number; seed?: number }): {
  labels: string[];
  images: { label: string; rgb: Uint8Array; png: Uint8Array }[];
};
export function textureEntries(opts?: { perClass?: number; size?: number; seed?: number }): Record<string, Uint8Array>;
