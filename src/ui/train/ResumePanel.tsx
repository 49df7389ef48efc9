import { ResumeBox } from '../common/ResumeBox';
import { CrashNotice } from '../common/CrashNotice';
import { continueOnBackend, discardResume, resumeTraining, useShallow, useStudio } from '../../state';

/** Offers to continue a run that a reload or a crashed worker interrupted, from its last checkpoint. */
export function ResumePanel() {
  const { resumeRunId, resumeEpoch, recoverBackends, status } = useStudio(
    useShallow((s) => ({ resumeRunId: s.resumeRunId, resumeEpoch: s.resumeEpoch, recoverBackends: s.recoverBackends, status: s.status })),
  );
  const canResume = resumeRunId !== null && status === 'paused' && !recoverBackends;
  return (
    <>
      <CrashNotice paused={status === 'paused'} onRecover={(b) => void continueOnBackend(b)} />
      {canResume && <ResumeBox epoch={resumeEpoch} onResume={() => void resumeTraining()} onDiscard={discardResume} />}
    </>
  );
}
