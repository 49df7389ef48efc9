import { Step } from '../common/Step';
import { Alert } from '../common/Alert';
import { isBusy, reevaluate, useShallow, useStudio } from '../../state';
import { EvaluationResults } from './EvaluationResults';
import { ExportPanel } from './ExportPanel';
import { TryIt } from './TryIt';
import './evaluate.css';

export function EvaluateStep() {
  const { evaluation, evalState, evalError, result, busy } = useStudio(
    useShallow((s) => ({
      evaluation: s.evaluation,
      evalState: s.evalState,
      evalError: s.evalError,
      result: s.result,
      busy: isBusy(s.status),
    })),
  );
  const running = evalState === 'running';
  return (
    <Step step="evaluate">
      {!result && evalState === 'idle' && <p className="muted">Train a model in step 3 to see its results here.</p>}
      {result && (
        <div className="eval-actions">
          <button
            type="button"
            className="btn btn-small"
            data-testid="eval.rerun"
            disabled={busy || running}
            onClick={() => void reevaluate()}
          >
            Re-evaluate
          </button>
          {running && (
            <span className="muted" aria-live="polite">
              {' '}
              Evaluating on the validation images…
            </span>
          )}
        </div>
      )}
      {evalError && <Alert>{evalError} The trained model is still there: you can export it anyway, or train again.</Alert>}
      {evaluation && <EvaluationResults evaluation={evaluation} />}
      {result && (
        <>
          {result.stopped && (
            <p className="note">
              Training was stopped after {result.epochsCompleted} complete epochs; the model is what was learnt so far.
            </p>
          )}
          <TryIt />
          <ExportPanel />
        </>
      )}
    </Step>
  );
}
