/** Pure helpers of the microphone recorder: joining captured chunks, and the level meter's numbers. */

/** The chunks joined into one array, cut at `max` samples. */
export function joinChunks(chunks: readonly Float32Array[], max = Infinity): Float32Array {
  const total = Math.min(
    max,
    chunks.reduce((n, c) => n + c.length, 0),
  );
  const out = new Float32Array(total);
  let at = 0;
  for (const c of chunks) {
    if (at >= total) break;
    const part = c.subarray(0, total - at);
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Root mean square of the samples (0 for none): 0..1 for samples in [-1, 1]. */
export function rms(x: Float32Array): number {
  let sum = 0;
  for (const v of x) sum += v * v;
  return x.length > 0 ? Math.sqrt(sum / x.length) : 0;
}

/** Where an RMS level sits on the meter, 0..1: −60 dBFS at the left end, 0 dBFS at the right. */
export function meterWidth(level: number): number {
  if (!(level > 0)) return 0;
  return Math.min(1, Math.max(0, 1 + (20 * Math.log10(level)) / 60));
}
