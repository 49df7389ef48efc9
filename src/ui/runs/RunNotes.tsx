import { useState } from 'react';
import { saveRunNotes } from '../../state';

/** A run's notes: edited here, saved to its stored record when the box loses focus. */
export function RunNotes({ id, notes, name }: { id: string; notes: string; name: string }) {
  const [text, setText] = useState(notes);
  const [saved, setSaved] = useState(notes);
  // A note saved elsewhere (the list reloaded) replaces an unedited box.
  if (notes !== saved && text === saved) {
    setSaved(notes);
    setText(notes);
  }
  return (
    <textarea
      className="runs-notes"
      rows={1}
      aria-label={`Notes on ${name}`}
      data-testid="runs.notes"
      placeholder="Add a note"
      value={text}
      onChange={(e) => setText(e.currentTarget.value)}
      onBlur={() => {
        if (text === saved) return;
        setSaved(text);
        void saveRunNotes(id, text);
      }}
    />
  );
}
