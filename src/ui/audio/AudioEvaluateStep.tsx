import { isBusy, reevaluateAudio, useShallow, useStudio } from '../../state';
import { Alert } from '../common/Alert';
import { Step } from '../common/Step';
import { AudioEvalResults } from './AudioEvalResults';
import { AudioExport } from './AudioExport';
import { AudioTryIt } from './AudioTryIt';
import '../evaluate/evaluate.css';
import './audio-eval.css';

/** Step 4 for audio: clip accuracy, UAR and macro-F1 on the held-out clips, clips to listen to per confusion cell, try-it and the downloads. */
export function AudioEvaluateStep() {
  const { evaluation, evalState, evalError, hasRun, stopped, epochs, busy } = useStudio(
    useShallow((s) => ({
      evaluation: s.audio.evaluation,
      evalState: s.audio.evalState,
      evalError: s.audio.evalError,
      hasRun: s.result !== null,
      stopped: s.result?.stopped ?? false,
      epochs: s.result?.epochsCompleted ?? 0,
      busy: isBusy(s.status),
    })),
  );
  const running = evalState === 'running';
  return (
    <Step step="evaluate">
      {!hasRun && !running && !evaluation && (
        <p className="muted">
          Train a model in step 3 to see how well it tells the classes apart, listen to its mistakes, and try and export it.
        </p>
      )}
      {(hasRun || running) && (
        <div className="eval-actions" data-testid="eval.state" data-state={evalState}>
          <button
            type="button"
            className="btn btn-small"
            data-testid="eval.rerun"
            disabled={busy || running || !hasRun}
            onClick={() => void reevaluateAudio()}
          >
            Re-evaluate
          </button>
          {running && (
            <span className="muted" aria-live="polite">
              {' '}
              Evaluating on the validation clips…
            </span>
          )}
        </div>
      )}
      {evalError && (
        <Alert action={{ label: 'Try again', onClick: () => void reevaluateAudio() }}>
          {evalError} The trained model is still there: you can try it and export it anyway.
        </Alert>
      )}
      {evaluation && <AudioEvalResults evaluation={evaluation} />}
      {hasRun && (
        <>
          {stopped && <p className="note">Training was stopped after {epochs} complete epochs; the model is what was learnt so far.</p>}
          <AudioTryIt />
          <AudioExport />
        </>
      )}
    </Step>
  );
}
