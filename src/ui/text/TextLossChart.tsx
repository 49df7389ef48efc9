import { useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { textBatchMetrics, useStudio } from '../../state';
import { useFrameValue } from '../common/useBufferVersion';
import { batchLossPoints } from '../train/chartData';

/** Redraws at most every 250 ms, like the image chart (ui/train/useChartData). */
const CHART_INTERVAL_MS = 250;

/**
 * A text run's curves: batch losses from the append-only buffer (read once per redraw, never copied
 * into the store), and the per-epoch losses from the store (epoch 0 is the model before training).
 */
function useLossPoints() {
  const key = useFrameValue(() => {
    const t = useStudio.getState().text;
    return `${textBatchMetrics.version}:${t.history.length}:${t.initial ? 1 : 0}`;
  }, CHART_INTERVAL_MS);
  return useMemo(() => {
    void key;
    const { initial, history } = useStudio.getState().text;
    const batches = batchLossPoints(textBatchMetrics.items);
    const epochs = [
      ...(initial ? [{ x: 0, valLoss: initial.valLoss, trainLoss: undefined }] : []),
      ...history.map((h) => ({ x: h.epoch, valLoss: h.valLoss, trainLoss: h.trainLoss ?? undefined })),
    ];
    return { batches, epochs, batchCount: textBatchMetrics.items.length };
  }, [key]);
}

export function TextLossChart() {
  const { batches, epochs, batchCount } = useLossPoints();
  const maxX = Math.max(1, ...batches.map((b) => b.x), ...epochs.map((e) => e.x));
  return (
    <div className="chart" data-testid="metrics.loss-chart" data-points={batchCount}>
      <h3>Loss (lower is better)</h3>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="x"
            type="number"
            domain={[0, maxX]}
            tickFormatter={(v: number) => String(Math.round(v * 10) / 10)}
            label={{ value: 'epoch', position: 'insideBottomRight', offset: -4 }}
          />
          <YAxis domain={['auto', 'auto']} />
          <Tooltip />
          <Legend />
          <Line data={batches} dataKey="batchLoss" name="batch loss" stroke="#9aa8e8" dot={false} isAnimationActive={false} />
          <Line data={epochs} dataKey="trainLoss" name="train loss (epoch)" stroke="#3553d6" isAnimationActive={false} connectNulls />
          <Line data={epochs} dataKey="valLoss" name="validation loss" stroke="#e0661b" isAnimationActive={false} connectNulls />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
