/**
 * Next to the export buttons: what the download describes (the trained model, from its run record),
 * and what changed on screen since it trained. Not an alert: nothing failed.
 */
export function RunDriftNotice({ trained, changes }: { trained: string; changes: readonly string[] }) {
  if (changes.length === 0) return null;
  return (
    <p className="note note-warn" role="status" data-testid="export.drift" data-count={changes.length}>
      Changed since this model trained: {changes.join('; ')}. The download describes the model as it was trained ({trained}); train again to
      include the changes.
    </p>
  );
}
