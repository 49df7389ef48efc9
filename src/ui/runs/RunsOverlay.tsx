import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { metricNameOf, overlayData, setRunsView, useStudio, type RunRow } from '../../state';
import { runColour } from './format';

const fmt = (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : '');

/** The chosen runs' validation loss or metric per epoch, one line per run. */
export function RunsOverlay({ rows, title = 'Curves of the chosen runs' }: { rows: RunRow[]; title?: string }) {
  const series = useStudio((s) => s.runs.series);
  const shared = metricNameOf(rows);
  const metricName = shared === 'metric' ? 'metric (accuracy; mean IoU for segmentation; loss for text generation)' : shared;
  const data = overlayData(rows, series);
  const unit = series === 'valMetric' && rows.length > 0 && rows.every((r) => r.metric !== 'loss');
  // data-runs: the runs overlaid; data-epochs: the epochs along the x axis (their union), for tests.
  return (
    <figure className="chart" data-testid="runs.overlay" data-runs={rows.length} data-epochs={data.length}>
      <figcaption className="runs-chart-head">
        <span>{title}</span>
        <select
          aria-label="Curve"
          data-testid="runs.series"
          value={series}
          onChange={(e) => setRunsView({ series: e.currentTarget.value as typeof series })}
        >
          <option value="valLoss">validation loss</option>
          <option value="valMetric">validation {metricName}</option>
        </select>
      </figcaption>
      {rows.length === 0 ? (
        <p className="muted small">Tick runs in the table to overlay their curves.</p>
      ) : (
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={data} margin={{ top: 6, right: 12, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
            <XAxis dataKey="epoch" type="number" domain={[1, 'dataMax']} allowDecimals={false} fontSize={11} />
            <YAxis
              width={44}
              fontSize={11}
              domain={unit ? [0, 1] : ['auto', 'auto']}
              tickFormatter={(v: number) => (unit ? `${Math.round(v * 100)}%` : v.toFixed(2))}
            />
            <Tooltip formatter={fmt} labelFormatter={(x) => `epoch ${String(x)}`} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {rows.map((r) => (
              <Line
                key={r.id}
                dataKey={r.id}
                name={`Run ${r.number}`}
                stroke={runColour(r.number)}
                strokeWidth={2}
                dot={{ r: 2 }}
                isAnimationActive={false}
                connectNulls
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
}
