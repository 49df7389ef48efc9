import { discardTextResume, resumeTextTraining, useShallow, useStudio } from '../../state';

/** Offers to continue a text run that a reload interrupted, from its last checkpoint. */
export function TextResumePanel() {
  const { runId, epoch, status } = useStudio(
    useShallow(({ text: t }) => ({ runId: t.resumeRunId, epoch: t.resumeEpoch, status: t.status })),
  );
  if (runId === null || status !== 'paused') return null;
  return (
    <div className="resume-box">
      <p>The last run was interrupted after epoch {epoch}. Its checkpoint is saved: continue it, or discard it and start afresh.</p>
      <div className="buttons">
        <button type="button" className="btn btn-primary" data-testid="train.resume" onClick={() => void resumeTextTraining()}>
          Resume from epoch {(epoch ?? 0) + 1}
        </button>
        <button type="button" className="btn btn-ghost" data-testid="train.discard" onClick={discardTextResume}>
          Discard
        </button>
      </div>
    </div>
  );
}
