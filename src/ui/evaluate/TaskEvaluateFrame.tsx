import type { ReactNode } from 'react';
import { isBusy, useShallow, useStudio, type EvalState } from '../../state';
import { Alert } from '../common/Alert';
import { Step } from '../common/Step';

interface Props {
  /** The task's own evaluation state (its results slice). */
  evalState: EvalState;
  evalError: string | null;
  hasEvaluation: boolean;
  rerun: () => Promise<void>;
  /** Shown before any run: what this step will show. */
  idleText: string;
  /** Beside Re-evaluate while it runs. */
  runningText: string;
  /** More controls in the toolbar (segmentation's opacity). */
  toolbar?: ReactNode;
  toolbarClass?: string;
  /** The evaluation's results (when there is one). */
  results: ReactNode;
  /** Try-it and the downloads, once a run has a model. */
  after: ReactNode;
}

/**
 * Step 4's frame for a task with its own results slice (segmentation, audio): Re-evaluate with the
 * evaluation's state, its failure in an alert, the results, a note when the run was stopped, then
 * try-it and the downloads.
 */
export function TaskEvaluateFrame({
  evalState,
  evalError,
  hasEvaluation,
  rerun,
  idleText,
  runningText,
  toolbar,
  toolbarClass,
  results,
  after,
}: Props) {
  const { hasRun, stopped, epochs, busy } = useStudio(
    useShallow((s) => ({
      hasRun: s.result !== null,
      stopped: s.result?.stopped ?? false,
      epochs: s.result?.epochsCompleted ?? 0,
      busy: isBusy(s.status),
    })),
  );
  const running = evalState === 'running';
  return (
    <Step step="evaluate">
      {!hasRun && !running && !hasEvaluation && <p className="muted">{idleText}</p>}
      {(hasRun || running) && (
        <div className={`eval-actions ${toolbarClass ?? ''}`} data-testid="eval.state" data-state={evalState}>
          <button
            type="button"
            className="btn btn-small"
            data-testid="eval.rerun"
            disabled={busy || running || !hasRun}
            onClick={() => void rerun()}
          >
            Re-evaluate
          </button>
          {running && (
            <span className="muted" aria-live="polite">
              {' '}
              {runningText}
            </span>
          )}
          {toolbar}
        </div>
      )}
      {evalError && (
        <Alert action={{ label: 'Try again', onClick: () => void rerun() }}>
          {evalError} The trained model is still there: you can try it and export it anyway.
        </Alert>
      )}
      {results}
      {hasRun && (
        <>
          {stopped && <p className="note">Training was stopped after {epochs} complete epochs; the model is what was learnt so far.</p>}
          {after}
        </>
      )}
    </Step>
  );
}
