import { ReferenceLine } from 'recharts';
import { overfitOnset, useShallow, useStudio } from '../../state';
import { EpochChart } from './EpochChart';
import { useChartData } from './useChartData';

/** Training loss per batch (from the buffer, once per frame) plus per-epoch train and validation loss. */
export function LossChart() {
  const { batches, epochs, batchCount, showDots } = useChartData();
  const { onset, best } = useStudio(
    useShallow((s) => ({ onset: overfitOnset(s.history)?.epoch ?? null, best: s.result?.stoppedEarly ? s.result.bestEpoch : null })),
  );
  const maxX = Math.max(1, ...batches.map((b) => b.x), ...epochs.map((e) => e.x));
  return (
    <EpochChart
      testId="metrics.loss-chart"
      caption="Loss (lower is better)"
      scale="loss"
      xMax={Math.ceil(maxX)}
      attrs={{ 'data-points': batchCount, 'data-overfit-epoch': onset ?? '' }}
      series={[
        { key: 'batchLoss', name: 'batch loss', colour: 3, data: batches, width: 1 },
        { key: 'trainLoss', name: 'train loss (epoch)', colour: 1, data: epochs, dots: showDots },
        { key: 'valLoss', name: 'validation loss', colour: 2, data: epochs, dots: showDots, connectNulls: true },
      ]}
    >
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
    </EpochChart>
  );
}
