import { CartesianGrid, LabelList, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { scatterPoints, setRunsView, SETTING_COLUMNS, useStudio, type RunRow, type SettingKey } from '../../state';
import { settingText } from './format';

const NUMERIC = SETTING_COLUMNS.filter((c) => c.numeric);

/** One setting (x; log scale for the learning rate) against each run's final validation metric (y). */
export function RunsScatter({ rows }: { rows: RunRow[] }) {
  const x = useStudio((s) => s.runs.scatterX);
  const log = x === 'learningRate';
  const points = scatterPoints(rows, x, log);
  const loss = rows.length > 0 && rows.every((r) => r.metric === 'loss');
  const label = NUMERIC.find((c) => c.key === x)?.label ?? x;
  return (
    <figure className="chart" data-testid="runs.scatter" data-points={points.length}>
      <figcaption className="runs-chart-head">
        <span>Final validation {loss ? 'loss' : 'accuracy'} against</span>
        <select
          aria-label="Setting on the x axis"
          data-testid="runs.scatter-x"
          value={x}
          onChange={(e) => setRunsView({ scatterX: e.currentTarget.value as SettingKey })}
        >
          {NUMERIC.map((c) => (
            <option key={c.key} value={c.key}>
              {c.label.toLowerCase()}
            </option>
          ))}
        </select>
      </figcaption>
      {points.length === 0 ? (
        <p className="muted small">No finished run has a {label.toLowerCase()} and a final metric yet.</p>
      ) : (
        <ResponsiveContainer width="100%" height={220}>
          <ScatterChart margin={{ top: 6, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
            <XAxis
              dataKey="x"
              type="number"
              name={label}
              scale={log ? 'log' : 'auto'}
              domain={['auto', 'auto']}
              padding={{ left: 24, right: 24 }}
              fontSize={11}
              tickFormatter={(v: number) => settingText(x, v)}
            />
            <YAxis
              dataKey="y"
              type="number"
              name="final"
              width={44}
              fontSize={11}
              domain={['auto', 'auto']}
              padding={{ top: 18, bottom: 8 }}
              tickFormatter={(v: number) => v.toFixed(2)}
            />
            <Tooltip
              cursor={{ strokeDasharray: '3 3' }}
              formatter={(v: unknown, name: unknown) =>
                typeof v === 'number' ? (name === 'final' ? v.toFixed(3) : settingText(x, v)) : ''
              }
            />
            <Scatter data={points} fill="var(--series-1)" isAnimationActive={false}>
              <LabelList dataKey="name" position="top" fontSize={11} formatter={(v: unknown) => String(v).replace(' ', '\u00a0')} />
            </Scatter>
          </ScatterChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
}
