import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useChartData } from './useChartData';

const pct = (v: unknown) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : '');

export function AccuracyChart() {
  const { epochs: data, showDots } = useChartData();
  return (
    <figure className="chart" data-testid="metrics.accuracy-chart">
      <figcaption>Accuracy per epoch (higher is better)</figcaption>
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
          <XAxis
            dataKey="x"
            type="number"
            domain={[0, Math.max(1, data[data.length - 1]?.x ?? 1)]}
            allowDecimals={false}
            label={{ value: 'epoch', position: 'insideBottomRight', offset: -4 }}
          />
          <YAxis width={48} domain={[0, 1]} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} />
          <Tooltip formatter={pct} labelFormatter={(x) => `epoch ${String(x)}`} />
          <Legend />
          <Line dataKey="trainAcc" name="train" stroke="var(--series-1)" strokeWidth={2} dot={showDots} isAnimationActive={false} />
          <Line
            dataKey="valAcc"
            name="validation"
            stroke="var(--series-2)"
            strokeWidth={2}
            dot={showDots}
            isAnimationActive={false}
            connectNulls
          />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
