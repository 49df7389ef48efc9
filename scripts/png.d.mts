export function crc32(bytes: Uint8Array, crc?: number): number;
export function encodePng(width: number, height: number, pixels: Uint8Array, channels: 1 | 3 | 4): Buffer;
