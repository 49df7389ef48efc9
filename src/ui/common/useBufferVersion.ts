import { useEffect, useRef, useState } from 'react';
import type { MetricsBuffer } from '../../state';

/**
 * Polls `read` once per animation frame (or less often, every `minIntervalMs`) and re-renders only when
 * the value changed (Object.is). Keep `read` cheap and returning a primitive, e.g. a version counter.
 */
export function useFrameValue<T>(read: () => T, minIntervalMs = 0): T {
  const [value, setValue] = useState(read);
  const readRef = useRef(read);
  useEffect(() => {
    readRef.current = read;
  });
  useEffect(() => {
    let frame = 0;
    let last = -Infinity;
    const tick = (t: number) => {
      if (t - last >= minIntervalMs) {
        last = t;
        const v = readRef.current();
        setValue((prev) => (Object.is(prev, v) ? prev : v));
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [minIntervalMs]);
  return value;
}

/** Re-renders at most once per animation frame (or per `minIntervalMs`) when the buffer has grown. */
export function useBufferVersion(buffer: MetricsBuffer, minIntervalMs = 0): number {
  return useFrameValue(() => buffer.version, minIntervalMs);
}
