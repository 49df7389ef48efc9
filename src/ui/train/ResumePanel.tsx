import { backendLabel } from '../../engine/types';
import { continueOnBackend, discardResume, resumeTraining, useShallow, useStudio } from '../../state';

/** Offers to continue a run that a reload or a crashed worker interrupted, from its last checkpoint. */
export function ResumePanel() {
  const { resumeRunId, resumeEpoch, crashNotice, recoverBackends } = useStudio(
    useShallow((p) => ({
      resumeRunId: p.resumeRunId,
      resumeEpoch: p.resumeEpoch,
      crashNotice: p.crashNotice,
      recoverBackends: p.recoverBackends,
    })),
  );
  const status = useStudio((s) => s.status);
  const canResume = resumeRunId !== null && status === 'paused' && !recoverBackends;
  return (
    <>
      {crashNotice && (
        <div role="alert" className="alert alert-error" data-testid="train.crash-notice">
          <div className="alert-body">
            <p>{crashNotice}</p>
            {recoverBackends && status === 'paused' && (
              <div className="buttons">
                {recoverBackends.map((b) => (
                  <button
                    key={b}
                    type="button"
                    className="btn"
                    data-testid={`train.recover.${b}`}
                    onClick={() => void continueOnBackend(b)}
                  >
                    Continue on {backendLabel(b)}
                  </button>
                ))}
              </div>
            )}
          </div>
        </div>
      )}
      {canResume && (
        <div className="resume-box">
          <p>
            The last run was interrupted after epoch {resumeEpoch}. Its checkpoint is saved: continue it, or discard it and start afresh.
          </p>
          <div className="buttons">
            <button type="button" className="btn btn-primary" data-testid="train.resume" onClick={() => void resumeTraining()}>
              Resume from epoch {(resumeEpoch ?? 0) + 1}
            </button>
            <button type="button" className="btn btn-ghost" data-testid="train.discard" onClick={discardResume}>
              Discard
            </button>
          </div>
        </div>
      )}
    </>
  );
}
