import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { overfitOnset, useShallow, useStudio } from '../../state';
import { useChartData } from './useChartData';

const fmt = (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : String(v ?? ''));

/** Training loss per batch (from the buffer, once per frame) plus per-epoch train and validation loss. */
export function LossChart() {
  const { batches, epochs, batchCount, showDots } = useChartData();
  const { onset, best } = useStudio(
    useShallow((s) => ({ onset: overfitOnset(s.history)?.epoch ?? null, best: s.result?.stoppedEarly ? s.result.bestEpoch : null })),
  );
  const maxX = Math.max(1, ...batches.map((b) => b.x), ...epochs.map((e) => e.x));
  return (
    <figure className="chart" data-testid="metrics.loss-chart" data-points={batchCount} data-overfit-epoch={onset ?? ''}>
      <figcaption>Loss (lower is better)</figcaption>
      <ResponsiveContainer width="100%" height={240}>
        <LineChart margin={{ top: 16, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
          <XAxis
            dataKey="x"
            type="number"
            domain={[0, Math.ceil(maxX)]}
            allowDecimals={false}
            label={{ value: 'epoch', position: 'insideBottomRight', offset: -4 }}
          />
          <YAxis width={48} tickFormatter={(v: number) => v.toFixed(2)} />
          <Tooltip formatter={fmt} labelFormatter={(x) => `epoch ${Number(x).toFixed(2)}`} />
          <Legend />
          <Line
            data={batches}
            dataKey="batchLoss"
            name="batch loss"
            stroke="var(--series-3)"
            strokeWidth={1}
            dot={false}
            isAnimationActive={false}
          />
          <Line
            data={epochs}
            dataKey="trainLoss"
            name="train loss (epoch)"
            stroke="var(--series-1)"
            strokeWidth={2}
            dot={showDots}
            isAnimationActive={false}
          />
          <Line
            data={epochs}
            dataKey="valLoss"
            name="validation loss"
            stroke="var(--series-2)"
            strokeWidth={2}
            dot={showDots}
            isAnimationActive={false}
            connectNulls
          />
          {onset !== null && (
            <ReferenceLine
              x={onset}
              stroke="var(--warn)"
              strokeDasharray="4 3"
              label={{ value: 'overfitting from here', position: 'insideTopLeft', fill: 'var(--warn)', fontSize: 11 }}
            />
          )}
          {best !== null && best !== onset && (
            <ReferenceLine
              x={best}
              stroke="var(--ok)"
              strokeDasharray="4 3"
              label={{ value: 'best epoch', position: 'insideTopRight', fill: 'var(--ok)', fontSize: 11 }}
            />
          )}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
