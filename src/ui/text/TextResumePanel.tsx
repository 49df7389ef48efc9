import { discardTextResume, resumeTextTraining, useShallow, useStudio } from '../../state';
import { ResumeBox } from '../common/ResumeBox';

/** Offers to continue a text run that a reload interrupted, from its last checkpoint. */
export function TextResumePanel() {
  const { runId, epoch, status } = useStudio(
    useShallow(({ text: t }) => ({ runId: t.resumeRunId, epoch: t.resumeEpoch, status: t.status })),
  );
  if (runId === null || status !== 'paused') return null;
  return <ResumeBox epoch={epoch} onResume={() => void resumeTextTraining()} onDiscard={discardTextResume} />;
}
