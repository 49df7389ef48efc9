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
  const [state, setState] = useState<Omit<PreviewState, 'hasImage'>>({ urls: [], loading: false, error: null });
  const urls = useRef<string[]>([]);
  const request = useRef(0);

  useEffect(() => {
    if (!active || !key.image || key.busy || !key.ready) return;
    const mine = ++request.current;
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(() => {
      augmentPreview(count).then(
        (blobs) => {
          if (mine !== request.current) return;
          const next = (blobs ?? []).map((b) => URL.createObjectURL(b));
          for (const u of urls.current) URL.revokeObjectURL(u);
          urls.current = next;
          setState({ urls: next, loading: false, error: null });
        },
        (err: unknown) => {
          if (mine !== request.current) return;
          setState((s) => ({ ...s, loading: false, error: userMessageOf(err) }));
        },
      );
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [active, count, key]);

  useEffect(
    () => () => {
      request.current += 1;
      for (const u of urls.current) URL.revokeObjectURL(u);
      urls.current = [];
    },
    [],
  );

  return { ...state, hasImage: key.image !== null };
}
