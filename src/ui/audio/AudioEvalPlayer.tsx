import { useLayoutEffect, useRef } from 'react';

/** A player for a clip's file. Its object URL lives exactly as long as the player: it is written to the DOM, not to state. */
export function AudioEvalPlayer({ blob, label, testId }: { blob: Blob; label: string; testId?: string }) {
  const audio = useRef<HTMLAudioElement>(null);
  useLayoutEffect(() => {
    const el = audio.current;
    const url = URL.createObjectURL(blob);
    if (el) el.src = url;
    return () => {
      el?.pause();
      URL.revokeObjectURL(url);
    };
  }, [blob]);
  return <audio ref={audio} controls preload="metadata" aria-label={label} data-testid={testId} className="audio-player" />;
}
