/** Types of the Node WAV codec (scripts/wav.mjs), the plain-JS twin of src/data/wav.ts. */
export interface DecodedAudio {
  sampleRate: number;
  channels: Float32Array[];
}
export function isWav(bytes: Uint8Array): boolean;
export function parseWav(bytes: Uint8Array): DecodedAudio;
export function encodeWav(channels: Float32Array[] | Float32Array, sampleRate: number, bits?: 16 | 32): Uint8Array;
