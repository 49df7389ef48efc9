import { useMemo } from 'react';
import {
  applyBestTrial,
  bestTrial,
  continueBlocker,
  continueSweep,
  resetSweep,
  runRows,
  startSweep,
  stopSweep,
  sweepBlocker,
  sweepInputProblem,
  useShallow,
  useStudio,
} from '../../state';
import { Alert } from '../common/Alert';
import { metricText } from '../runs/format';
import { RunsOverlay } from '../runs/RunsOverlay';
import { SweepSpaceForm } from './SweepSpaceForm';
import { SweepTrials } from './SweepTrials';
import './sweep.css';

const STATUS = { idle: 'Not started', running: 'Running', done: 'Done', error: 'Failed' } as const;

/** Sweeps: many short runs over a space of settings, the promising ones trained longer, the best one applied. */
export function SweepPanel() {
  const { state, stopping, note, error, list, rungs, inputProblem, blocker, restoring, canContinue } = useStudio(
    useShallow((s) => ({
      state: s.sweep.state,
      stopping: s.sweep.stopping,
      note: s.sweep.note,
      error: s.sweep.error,
      list: s.sweep.list,
      rungs: s.sweep.rungs,
      inputProblem: sweepInputProblem(s),
      blocker: sweepBlocker(s),
      restoring: s.runs.restoring,
      canContinue: continueBlocker(s) === null,
    })),
  );
  const stored = useStudio((s) => s.runs.list);
  const image = useStudio((s) => s.text.task === 'image-classification');
  const metric = useStudio((s) => s.sweep.metric ?? 'accuracy');
  const ids = list.map((t) => t.runId).join(' ');
  const rows = useMemo(() => runRows(stored).filter((r) => ids.split(' ').includes(r.id)), [stored, ids]);
  const best = bestTrial(list, metric);
  const bestValue = best?.metrics.at(-1) ?? null;
  const running = state === 'running';
  return (
    <section className="sweep" aria-labelledby="sweep-title" data-testid="sweep.panel">
      <h3 id="sweep-title">Sweep: try many settings</h3>
      <p className="muted">
        Trials draw settings at random from the ranges you choose (the same trials for the same seed). Every trial trains a few epochs
        {rungs.length > 1 || list.length === 0 ? '; only the best third go on, three times longer each rung, up to the Epochs setting' : ''}
        . Each trial is a run of its own in the runs view.
      </p>
      <SweepSpaceForm disabled={running} image={image} />
      {inputProblem && <Alert testId="sweep.input-error">{inputProblem}</Alert>}
      <div className="buttons sweep-controls">
        <button
          type="button"
          className="btn btn-primary"
          data-testid="sweep.start"
          disabled={blocker !== null}
          onClick={() => void startSweep()}
        >
          {state === 'done' || state === 'error' ? 'Sweep again' : 'Start sweep'}
        </button>
        {canContinue && (
          <button type="button" className="btn" data-testid="sweep.resume" onClick={() => void continueSweep()}>
            Continue the sweep
          </button>
        )}
        <button type="button" className="btn" data-testid="sweep.stop" disabled={!running || stopping} onClick={() => void stopSweep()}>
          {stopping ? 'Stopping…' : 'Stop sweep'}
        </button>
        <span className={`status status-${state}`} data-testid="sweep.status" data-state={state} aria-live="polite">
          {stopping ? 'Stopping after this batch' : STATUS[state]}
        </span>
        {!running && list.length > 0 && (
          <button type="button" className="btn btn-ghost" data-testid="sweep.clear" onClick={resetSweep}>
            Clear
          </button>
        )}
      </div>
      {blocker && !inputProblem && !running && <p className="muted small">{blocker}</p>}
      {error && <Alert testId="sweep.error">{error}</Alert>}
      {note && <p className="note">{note}</p>}
      {list.length > 0 && (
        <>
          <div className="sweep-best-line">
            <span>
              Best so far:{' '}
              <strong data-testid="sweep.best" data-value={bestValue ?? ''} data-trial={best?.trial ?? ''}>
                {best ? `${metricText(bestValue, metric)}${metric === 'loss' ? ' validation loss' : ''} (trial ${best.trial})` : '—'}
              </strong>
            </span>
            <button
              type="button"
              className="btn btn-small"
              data-testid="sweep.apply"
              disabled={running || !best?.runId || restoring !== null}
              onClick={() => void applyBestTrial()}
            >
              {restoring !== null && restoring === best?.runId ? 'Loading…' : 'Use the best trial’s model'}
            </button>
          </div>
          <SweepTrials />
          <div className="charts sweep-charts">
            <RunsOverlay rows={rows} title="The trials’ curves" />
          </div>
        </>
      )}
    </section>
  );
}
