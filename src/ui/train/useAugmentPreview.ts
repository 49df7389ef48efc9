import { useEffect, useRef, useState } from 'react';
import { augmentPreview, firstTrainImageId, isBusy, useShallow, useStudio } from '../../state';
import { userMessageOf } from '../../lib/errors';

const DEBOUNCE_MS = 300;

export interface PreviewState {
  urls: string[];
  loading: boolean;
  error: string | null;
  /** False when there is no training image to show. */
  hasImage: boolean;
}

/**
 * Object URLs of `count` augmented samples of the first training image, redrawn by the worker 300 ms
 * after the augmentation settings settle. Old URLs are revoked when replaced and on unmount.
 */
export function useAugmentPreview(count: number, active: boolean): PreviewState {
  const key = useStudio(
    useShallow((s) => ({
      augmentation: s.settings.augmentation,
      imageSize: s.settings.imageSize,
      resize: s.settings.resize,
      seed: s.settings.seed,
      image: firstTrainImageId(s),
      // The worker is busy training: wait, and redraw when it is free.
      busy: isBusy(s.status),
      ready: s.modelState === 'loaded',
    })),
  );
  // The preview drawn for `forKey` (the settings it shows); loading while the settings moved on from it.
  const [state, setState] = useState<{ urls: string[]; error: string | null; forKey: typeof key | null }>({
    urls: [],
    error: null,
    forKey: null,
  });
  const wanted = active && key.image !== null && !key.busy && key.ready;
  const urls = useRef<string[]>([]);
  const request = useRef(0);

  useEffect(() => {
    if (!wanted) return;
    const mine = ++request.current;
    const timer = setTimeout(() => {
      augmentPreview(count).then(
        (blobs) => {
          if (mine !== request.current) return;
          const next = (blobs ?? []).map((b) => URL.createObjectURL(b));
          for (const u of urls.current) URL.revokeObjectURL(u);
          urls.current = next;
          setState({ urls: next, error: null, forKey: key });
        },
        (err: unknown) => {
          if (mine !== request.current) return;
          setState((s) => ({ ...s, error: userMessageOf(err), forKey: key }));
        },
      );
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [wanted, count, key]);

  useEffect(
    () => () => {
      request.current += 1;
      for (const u of urls.current) URL.revokeObjectURL(u);
      urls.current = [];
    },
    [],
  );

  return { urls: state.urls, error: state.error, loading: wanted && state.forKey !== key, hasImage: key.image !== null };
}
