import { useEffect, useState } from 'react';
import { explainImage, type Explained } from '../../state';

export interface ExplanationState {
  value: Explained | null;
  error: string | null;
  loading: boolean;
}

/** Asks the worker for a heat-map of `blob` while `enabled`; forgets it when the image changes. */
export function useExplanation(blob: Blob | null, enabled: boolean, classIndex?: number): ExplanationState {
  const [state, setState] = useState<ExplanationState>({ value: null, error: null, loading: false });
  useEffect(() => {
    setState({ value: null, error: null, loading: false });
  }, [blob, classIndex]);
  useEffect(() => {
    if (!enabled || !blob) return;
    let live = true;
    setState((s) => (s.value ? s : { value: null, error: null, loading: true }));
    void explainImage(blob, classIndex).then((res) => {
      if (!live) return;
      setState('value' in res ? { value: res.value, error: null, loading: false } : { value: null, error: res.error, loading: false });
    });
    return () => {
      live = false;
    };
  }, [blob, enabled, classIndex]);
  return state;
}
