import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useChartData } from './useChartData';

const fmt = (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : String(v ?? ''));

/** Training loss per batch (from the buffer, once per frame) plus per-epoch train and validation loss. */
export function LossChart() {
  const { batches, epochs, batchCount, showDots } = useChartData();
  const maxX = Math.max(1, ...batches.map((b) => b.x), ...epochs.map((e) => e.x));
  return (
    <figure className="chart" data-testid="metrics.loss-chart" data-points={batchCount}>
      <figcaption>Loss (lower is better)</figcaption>
      <ResponsiveContainer width="100%" height={240}>
        <LineChart margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
          <XAxis dataKey="x" type="number" domain={[0, Math.ceil(maxX)]} allowDecimals={false} label={{ value: 'epoch', position: 'insideBottomRight', offset: -4 }} />
          <YAxis width={48} tickFormatter={(v: number) => v.toFixed(2)} />
          <Tooltip formatter={fmt} labelFormatter={(x) => `epoch ${Number(x).toFixed(2)}`} />
          <Legend />
          <Line data={batches} dataKey="batchLoss" name="batch loss" stroke="var(--series-3)" strokeWidth={1} dot={false} isAnimationActive={false} />
          <Line data={epochs} dataKey="trainLoss" name="train loss (epoch)" stroke="var(--series-1)" strokeWidth={2} dot={showDots} isAnimationActive={false} />
          <Line data={epochs} dataKey="valLoss" name="validation loss" stroke="var(--series-2)" strokeWidth={2} dot={showDots} isAnimationActive={false} connectNulls />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
