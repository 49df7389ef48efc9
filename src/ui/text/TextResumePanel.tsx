import { continueTextOnBackend, discardTextResume, resumeTextTraining, useShallow, useStudio } from '../../state';
import { CrashNotice } from '../common/CrashNotice';
import { ResumeBox } from '../common/ResumeBox';

/** Offers to continue a text run that a reload, a crashed worker or a lost GPU interrupted, from its last checkpoint. */
export function TextResumePanel() {
  const { runId, epoch, status, recoverBackends } = useStudio(
    useShallow((s) => ({
      runId: s.text.resumeRunId,
      epoch: s.text.resumeEpoch,
      status: s.text.status,
      recoverBackends: s.recoverBackends,
    })),
  );
  const paused = status === 'paused';
  return (
    <>
      <CrashNotice paused={paused} onRecover={(b) => void continueTextOnBackend(b)} />
      {runId !== null && paused && !recoverBackends && (
        <ResumeBox epoch={epoch} onResume={() => void resumeTextTraining()} onDiscard={discardTextResume} />
      )}
    </>
  );
}
