import { useEffect, useRef, useState } from 'react';
import { makeThumbnail } from '../../data/decode-client';
import type { DatasetImage } from '../../data/types';

const SIZE = 96;

/**
 * Lazily made thumbnails as object URLs, cached for the grid's lifetime and revoked when it unmounts.
 * `request(img)` returns the URL once ready (and re-renders when it is).
 */
export function useThumbnails(): (img: DatasetImage) => string | undefined {
  const urls = useRef(new Map<string, string>());
  const pending = useRef(new Set<string>());
  const [, bump] = useState(0);

  useEffect(() => {
    const map = urls.current;
    return () => {
      for (const url of map.values()) URL.revokeObjectURL(url);
      map.clear();
    };
  }, []);

  return (img) => {
    const hit = urls.current.get(img.id);
    if (hit || pending.current.has(img.id)) return hit;
    pending.current.add(img.id);
    makeThumbnail(img.blob, SIZE)
      .catch(() => img.blob)
      .then((blob) => {
        urls.current.set(img.id, URL.createObjectURL(blob));
        pending.current.delete(img.id);
        bump((n) => n + 1);
      });
    return undefined;
  };
}
