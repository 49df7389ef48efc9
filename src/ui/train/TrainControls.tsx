import { cancelTraining, isBusy, startBlocker, startTraining, stepMemoryWarning, stopTraining, useShallow, useStudio } from '../../state';
import { Alert } from '../common/Alert';

export const STATUS_TEXT = {
  idle: 'Ready',
  loading: 'Preparing images…',
  running: 'Training',
  paused: 'Paused',
  stopping: 'Stopping after this batch…',
  done: 'Finished',
  error: 'Stopped by an error',
} as const;

export function TrainControls() {
  const { status, blocker, trainError, memoryWarning, lastLog } = useStudio(
    useShallow((s) => ({
      status: s.status,
      blocker: startBlocker(s),
      trainError: s.trainError,
      memoryWarning: stepMemoryWarning(s),
      lastLog: s.lastLog,
    })),
  );
  const busy = isBusy(status);
  return (
    <div className="train-controls">
      <div className="buttons">
        <button
          type="button"
          className="btn btn-primary"
          data-testid="train.start"
          disabled={busy || blocker !== null}
          aria-describedby="start-reason"
          onClick={() => void startTraining()}
        >
          {status === 'done' ? 'Train again' : 'Start training'}
        </button>
        <button
          type="button"
          className="btn"
          data-testid="train.stop"
          disabled={status !== 'running' && status !== 'loading'}
          onClick={() => void stopTraining()}
        >
          Stop
        </button>
        <button type="button" className="btn btn-ghost danger" data-testid="train.cancel" disabled={!busy} onClick={cancelTraining}>
          Cancel
        </button>
        <span className={`status status-${status}`} data-testid="train.status" data-state={status} aria-live="polite">
          {STATUS_TEXT[status]}
        </span>
      </div>
      {blocker && !busy && (
        <p id="start-reason" className="muted">
          {blocker}
        </p>
      )}
      {memoryWarning && !busy && (
        <p className="note note-warn" data-testid="train.memory-warning">
          {memoryWarning}
        </p>
      )}
      {lastLog && (
        <p className="note" data-testid="train.log" aria-live="polite">
          {lastLog}
        </p>
      )}
      {trainError && (
        <Alert action={{ label: 'Try again', onClick: () => void startTraining() }}>
          {trainError} You can change the settings (a smaller batch or input size often helps) and start again.
        </Alert>
      )}
    </div>
  );
}
