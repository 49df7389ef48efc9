/** The offer to continue an interrupted run from its last checkpoint (`train.resume`), or discard it. */
export function ResumeBox({ epoch, onResume, onDiscard }: { epoch: number | null; onResume: () => void; onDiscard: () => void }) {
  return (
    <div className="resume-box">
      <p>The last run was interrupted after epoch {epoch}. Its checkpoint is saved: continue it, or discard it and start afresh.</p>
      <div className="buttons">
        <button type="button" className="btn btn-primary" data-testid="train.resume" onClick={onResume}>
          Resume from epoch {(epoch ?? 0) + 1}
        </button>
        <button type="button" className="btn btn-ghost" data-testid="train.discard" onClick={onDiscard}>
          Discard
        </button>
      </div>
    </div>
  );
}
