/** Small text helpers for plain-English messages. */

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB'];

/** 1048576 → "1 MB", 1610612736 → "1.5 GB" (binary multiples, everyday names). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 ? String(value) : String(Math.round(value * 10) / 10);
  return `${text} ${UNITS[unit] ?? 'bytes'}`;
}

/** 20000 → "20,000". */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "1 image", "3 images". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** ["a", "b", "c"] → "a, b and c". */
export function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

/** Lists at most `max` items, then "and N more". */
export function listSome(items: readonly string[], max: number): string {
  if (items.length <= max) return joinAnd(items);
  return `${items.slice(0, max).join(', ')} and ${formatCount(items.length - max)} more`;
}

/** Wraps a name in typographic quotes for messages. */
export function quote(name: string): string {
  return `“${name}”`;
}
