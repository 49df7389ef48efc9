/** Input sizes the MobileNet family trains at, smallest first. */
export const INPUT_SIZES = [96, 128, 160, 224] as const;

/**
 * The input size to use for a dataset: tiny pictures are not blown up four times (which blurs away
 * what the network looks for and costs 5× the compute); photos use the model's full size.
 * The smallest supported size at least 1.5× the median shorter side, capped at `max`.
 */
export function autoInputSize(shorterSides: readonly number[], max = 224): number {
  const sizes = INPUT_SIZES.filter((s) => s <= max);
  if (shorterSides.length === 0) return max;
  const sorted = [...shorterSides].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? max;
  const want = median * 1.5;
  return sizes.find((s) => s >= want) ?? max;
}
