import { reevaluateAudio, useShallow, useStudio } from '../../state';
import { TaskEvaluateFrame } from '../evaluate/TaskEvaluateFrame';
import { AudioEvalResults } from './AudioEvalResults';
import { AudioExport } from './AudioExport';
import { AudioTryIt } from './AudioTryIt';
import '../evaluate/evaluate.css';
import './audio-eval.css';

/** Step 4 for audio: clip accuracy, UAR and macro-F1 on the held-out clips, clips to listen to per confusion cell, try-it and the downloads. */
export function AudioEvaluateStep() {
  const { evaluation, evalState, evalError } = useStudio(
    useShallow((s) => ({ evaluation: s.audio.evaluation, evalState: s.audio.evalState, evalError: s.audio.evalError })),
  );
  return (
    <TaskEvaluateFrame
      evalState={evalState}
      evalError={evalError}
      hasEvaluation={evaluation !== null}
      rerun={reevaluateAudio}
      idleText="Train a model in step 3 to see how well it tells the classes apart, listen to its mistakes, and try and export it."
      runningText="Evaluating on the validation clips…"
      results={evaluation && <AudioEvalResults evaluation={evaluation} />}
      after={
        <>
          <AudioTryIt />
          <AudioExport />
        </>
      }
    />
  );
}
