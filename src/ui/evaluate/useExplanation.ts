import { useEffect, useState } from 'react';
import { explainImage, type Explained } from '../../state';

export interface ExplanationState {
  value: Explained | null;
  error: string | null;
  loading: boolean;
}

interface Answer {
  blob: Blob;
  classIndex: number | undefined;
  value: Explained | null;
  error: string | null;
}

/** Asks the worker for a heat-map of `blob` while `enabled`; forgets it when the image changes. */
export function useExplanation(blob: Blob | null, enabled: boolean, classIndex?: number): ExplanationState {
  const [answer, setAnswer] = useState<Answer | null>(null);
  const current = answer && answer.blob === blob && answer.classIndex === classIndex ? answer : null;
  const needed = enabled && blob !== null && current === null;
  useEffect(() => {
    if (!needed || !blob) return;
    let live = true;
    void explainImage(blob, classIndex).then((res) => {
      if (!live) return;
      setAnswer('value' in res ? { blob, classIndex, value: res.value, error: null } : { blob, classIndex, value: null, error: res.error });
    });
    return () => {
      live = false;
    };
  }, [blob, needed, classIndex]);
  return { value: current?.value ?? null, error: current?.error ?? null, loading: needed };
}
