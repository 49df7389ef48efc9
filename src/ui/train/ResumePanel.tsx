import { backendLabel } from '../../engine/types';
import { ResumeBox } from '../common/ResumeBox';
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
      {canResume && <ResumeBox epoch={resumeEpoch} onResume={() => void resumeTraining()} onDiscard={discardResume} />}
    </>
  );
}
