import { useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useStudio } from '../../state';
import { thin } from '../train/chartData';

const pct = (v: unknown) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : '');

/** Validation mean IoU and pixel accuracy per epoch (the history changes once an epoch). */
export function IouChart() {
  const history = useStudio((s) => s.history);
  const data = useMemo(
    () => thin(history, 300).map((h) => ({ x: h.epoch, valIou: h.valIou ?? null, valAcc: h.valAccuracy, trainAcc: h.accuracy })),
    [history],
  );
  const dots = data.length <= 30;
  return (
    <figure className="chart" data-testid="metrics.iou-chart" data-points={data.length}>
      <figcaption>IoU and pixel accuracy per epoch (higher is better)</figcaption>
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
          <Line
            dataKey="valIou"
            name="validation mean IoU"
            stroke="var(--series-2)"
            strokeWidth={2}
            dot={dots}
            isAnimationActive={false}
            connectNulls
          />
          <Line
            dataKey="valAcc"
            name="validation pixel accuracy"
            stroke="var(--series-1)"
            strokeWidth={2}
            dot={dots}
            isAnimationActive={false}
            connectNulls
          />
          <Line
            dataKey="trainAcc"
            name="training pixel accuracy"
            stroke="var(--series-3)"
            strokeWidth={1.5}
            strokeDasharray="4 3"
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
