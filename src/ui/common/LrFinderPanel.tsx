import { useMemo } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import {
  IDLE_LR_FINDER,
  applyLrSuggestion,
  currentLearningRate,
  lrFinderBlocker,
  runLrFinder,
  stopLrFinder,
  undoLrSuggestion,
  useShallow,
  useStudio,
} from '../../state';
import { Alert } from './Alert';

const fmt = (v: number) => (v >= 1e-3 ? String(Number(v.toPrecision(2))) : v.toExponential(0));

/**
 * The learning-rate range test: one click trains briefly at rates rising from 1e-6 to 10 on the
 * training images, plots the loss against the rate and suggests one; the model's weights come back
 * as they were. The suggestion can be applied (and undone).
 */
export function LrFinderPanel() {
  const { own, lr, blocker, phase } = useStudio(
    useShallow((s) => ({ own: s.lrFinder, lr: currentLearningRate(s), blocker: lrFinderBlocker(s), phase: s.phase })),
  );
  const task = useStudio((s) => s.text.task);
  // A test run for another task is not this page's.
  const view = own.task === null || own.task === task ? own : IDLE_LR_FINDER;
  const data = useMemo(
    () => view.points.map((p) => ({ x: Math.log10(p.learningRate), loss: p.loss, smoothed: p.smoothed })),
    [view.points],
  );
  // The divergence at the end would flatten the rest: the axis stops at 1.5× the starting loss.
  const top = Number((1.5 * (view.points[0]?.smoothed ?? 1)).toPrecision(2));
  const running = view.state === 'running';
  const suggestion = view.suggestion;
  const progress = running
    ? view.points.length
      ? `step ${view.points.length} of at most ${view.steps}`
      : phase?.phase === 'caching'
        ? `preparing the frozen layers' features (${phase.done}/${phase.total})`
        : 'starting'
    : null;
  return (
    <div className="lr-finder" data-testid="lr-finder" data-state={view.state}>
      <div className="lr-finder-head">
        <button
          type="button"
          className="btn"
          data-testid="lr-finder.run"
          disabled={Boolean(blocker) && !running}
          title={blocker ?? undefined}
          onClick={() => void (running ? stopLrFinder() : runLrFinder())}
        >
          {running ? 'Stop the test' : view.state === 'done' ? 'Test again' : 'Find a learning rate'}
        </button>
        <small className="help">
          {progress ??
            'Trains briefly at rates rising from 0.000001 to 10 on your training examples and watches the loss; the model is put back as it was.'}
        </small>
      </div>
      {view.state === 'error' && view.error && <Alert>{view.error}</Alert>}
      {data.length > 1 && (
        <figure className="chart lr-finder-chart" data-testid="lr-finder.chart" data-points={data.length}>
          <figcaption>Training loss against the learning rate</figcaption>
          <ResponsiveContainer width="100%" height={170}>
            <LineChart data={data} margin={{ top: 6, right: 16, bottom: 4, left: 4 }}>
              <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
              <XAxis
                dataKey="x"
                type="number"
                domain={[-6, 1]}
                ticks={[-6, -5, -4, -3, -2, -1, 0, 1]}
                tickFormatter={(v: number) => fmt(10 ** v)}
              />
              <YAxis width={48} domain={[0, top]} allowDataOverflow tickFormatter={(v: number) => v.toFixed(2)} />
              <Tooltip
                formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))}
                labelFormatter={(x) => `rate ${fmt(10 ** Number(x))}`}
              />
              <Line dataKey="loss" name="loss" stroke="var(--series-2)" strokeOpacity={0.45} dot={false} isAnimationActive={false} />
              <Line dataKey="smoothed" name="smoothed" stroke="var(--series-1)" strokeWidth={2} dot={false} isAnimationActive={false} />
              {suggestion !== null && (
                <ReferenceLine
                  x={Math.log10(suggestion)}
                  stroke="var(--ok, green)"
                  strokeDasharray="4 3"
                  label={{ value: 'suggested', position: 'insideTopRight', fontSize: 11 }}
                />
              )}
              <ReferenceLine
                x={Math.log10(lr)}
                stroke="var(--muted, grey)"
                strokeDasharray="2 4"
                label={{ value: 'now', position: 'insideTopLeft', fontSize: 11 }}
              />
            </LineChart>
          </ResponsiveContainer>
        </figure>
      )}
      {view.state === 'done' && (
        <div className="lr-finder-result">
          {suggestion !== null ? (
            <p>
              Suggested learning rate:{' '}
              <strong data-testid="lr-finder.suggestion" data-value={String(Number(suggestion.toPrecision(2)))}>
                {fmt(suggestion)}
              </strong>
              . <span className="muted">{view.rule}</span>
            </p>
          ) : (
            <Alert tone="warning">{view.rule ?? 'No rate could be suggested.'}</Alert>
          )}
          <div className="buttons">
            {suggestion !== null && (
              <button
                type="button"
                className="btn btn-small"
                data-testid="lr-finder.apply"
                disabled={lr === Number(suggestion.toPrecision(2))}
                onClick={applyLrSuggestion}
              >
                Use {fmt(suggestion)}
              </button>
            )}
            {view.appliedOver !== null && (
              <button type="button" className="btn btn-small btn-ghost" data-testid="lr-finder.undo" onClick={undoLrSuggestion}>
                Back to {fmt(view.appliedOver)}
              </button>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
