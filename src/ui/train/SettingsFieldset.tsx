import type { ReactNode } from 'react';
import { isBusy, useStudio } from '../../state';

/** The training settings of an image task, every field disabled while a run is loading, running or stopping. */
export function SettingsFieldset({ children }: { children: ReactNode }) {
  const busy = useStudio((s) => isBusy(s.status));
  return (
    <fieldset className="hp" disabled={busy}>
      <legend className="visually-hidden">Training settings</legend>
      {children}
    </fieldset>
  );
}
