import { useEffect, type RefObject } from 'react';
import { whenIdle } from './idleQueue';

/**
 * Runs `job` once, on an idle slice after the element first comes near the viewport (at once on
 * idle where IntersectionObserver is missing). A new `job` (new data) runs again the same way.
 */
export function useWhenVisible(ref: RefObject<Element | null>, job: () => void): void {
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let cancel: (() => void) | undefined;
    const start = () => {
      cancel ??= whenIdle(job);
    };
    if (typeof IntersectionObserver === 'undefined') {
      start();
      return () => cancel?.();
    }
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          observer.disconnect();
          start();
        }
      },
      { rootMargin: '600px' },
    );
    observer.observe(el);
    return () => {
      observer.disconnect();
      cancel?.();
    };
  }, [ref, job]);
}
