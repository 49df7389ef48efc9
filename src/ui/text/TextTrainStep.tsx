import { isBusy, startTextTraining, stopTextTraining, textStartBlocker, useShallow, useStudio } from '../../state';
import { Alert } from '../common/Alert';
import { Step } from '../common/Step';
import { TextLossChart } from './TextLossChart';
import { TextSettingsForm } from './TextSettingsForm';
import { LrFinderPanel } from '../common/LrFinderPanel';
import { STATUS_TEXT as IMAGE_STATUS_TEXT } from '../train/TrainControls';
import { TextResumePanel } from './TextResumePanel';
import { SweepPanel } from '../sweep/SweepPanel';
import { JobExport } from '../train/JobExport';

const STATUS_TEXT = { ...IMAGE_STATUS_TEXT, loading: 'Preparing…' } as const;

const fmt = (v: number | null | undefined, digits = 4) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));

/** Step 3 for text tasks: settings, start/stop, live metrics and curves, samples after each epoch. */
export function TextTrainStep() {
  const s = useStudio(
    useShallow(({ text: t }) => ({
      task: t.task,
      status: t.status,
      blocker: textStartBlocker(t),
      runError: t.runError,
      initial: t.initial,
      history: t.history,
      result: t.result,
      runTask: t.runTask,
      epochs: t.settings.epochs,
    })),
  );
  const busy = isBusy(s.status);
  const last = s.history[s.history.length - 1];
  const generation = (s.runTask ?? s.task) === 'text-generation';
  const overfit =
    s.history.length >= 2 &&
    last &&
    (s.history[s.history.length - 2]?.valLoss ?? Infinity) < last.valLoss &&
    (last.trainLoss ?? Infinity) < (s.history[s.history.length - 2]?.trainLoss ?? -Infinity);
  return (
    <Step step="train">
      <TextSettingsForm />
      <LrFinderPanel />
      <TextResumePanel />
      <div className="train-controls">
        <div className="buttons">
          <button
            type="button"
            className="btn btn-primary"
            data-testid="train.start"
            disabled={busy || s.blocker !== null}
            onClick={() => void startTextTraining()}
          >
            {s.status === 'done' ? 'Train again' : 'Start training'}
          </button>
          <button
            type="button"
            className="btn"
            data-testid="train.stop"
            disabled={s.status !== 'running' && s.status !== 'loading'}
            onClick={() => void stopTextTraining()}
          >
            Stop
          </button>
          <span className={`status status-${s.status}`} data-testid="train.status" data-state={s.status} aria-live="polite">
            {STATUS_TEXT[s.status]}
          </span>
        </div>
        {s.blocker && !busy && <p className="muted">{s.blocker}</p>}
        {s.runError && <Alert>{s.runError}</Alert>}
      </div>
      <JobExport />
      {busy && (
        <p className="muted" data-testid="train.progress">
          {s.initial ? `Epoch ${Math.min(s.epochs, s.history.length + 1)} of ${s.epochs}` : 'Measuring the model before its first step…'}
        </p>
      )}
      <div className="metrics">
        <div className="stat" data-testid="metrics.epoch" data-value={s.history.length}>
          <span className="stat-value">{s.history.length}</span>
          <span className="stat-label">epochs done</span>
        </div>
        <div className="stat" data-testid="metrics.val-loss-initial" data-value={s.initial?.valLoss ?? ''}>
          <span className="stat-value">{fmt(s.initial?.valLoss)}</span>
          <span className="stat-label">validation loss before training</span>
        </div>
        <div className="stat" data-testid="metrics.val-loss" data-value={last?.valLoss ?? ''}>
          <span className="stat-value">{fmt(last?.valLoss)}</span>
          <span className="stat-label">validation loss</span>
        </div>
        {generation ? (
          <div className="stat" data-testid="metrics.perplexity" data-value={last?.perplexity ?? s.initial?.perplexity ?? ''}>
            <span className="stat-value">{fmt(last?.perplexity ?? s.initial?.perplexity, 2)}</span>
            <span className="stat-label">perplexity per token {s.initial?.perplexity ? `(was ${fmt(s.initial.perplexity, 2)})` : ''}</span>
          </div>
        ) : (
          <div className="stat" data-testid="metrics.val-accuracy" data-value={last?.valAccuracy ?? ''}>
            <span className="stat-value">
              {last?.valAccuracy !== null && last?.valAccuracy !== undefined ? `${(last.valAccuracy * 100).toFixed(1)}%` : '—'}
            </span>
            <span className="stat-label">validation accuracy</span>
          </div>
        )}
      </div>
      {overfit && (
        <p className="note note-warn" data-testid="train.overfit">
          Validation loss rose while training loss fell: the model is starting to memorise. Fewer epochs, early stopping, more dropout or
          fewer trainable parts help.
        </p>
      )}
      {s.result && s.result.reason !== 'completed' && (
        <p className="note" data-testid="train.outcome">
          {s.result.reason === 'early-stopped'
            ? `Early stopping ended the run; the weights of epoch ${s.result.bestEpoch} were restored.`
            : `Stopped after ${s.result.epochs} epochs; the model keeps what it learnt.`}
        </p>
      )}
      {(s.initial || s.history.length > 0) && <TextLossChart />}
      {generation && (s.initial?.sample || s.history.some((h) => h.sample)) && (
        <div className="samples" data-testid="train.samples">
          <h3>Samples after each epoch</h3>
          <ol className="sample-list">
            {[...(s.initial ? [s.initial] : []), ...s.history].map((h) => (
              <li key={h.epoch}>
                <span className="muted">{h.epoch === 0 ? 'before training' : `epoch ${h.epoch}`}</span>
                <pre className="sample-text">{h.sample}</pre>
              </li>
            ))}
          </ol>
        </div>
      )}
      <SweepPanel />
    </Step>
  );
}
