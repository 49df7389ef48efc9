import { EpochChart } from './EpochChart';
import { useChartData } from './useChartData';

export function AccuracyChart() {
  const { epochs: data, showDots } = useChartData();
  return (
    <EpochChart
      testId="metrics.accuracy-chart"
      caption="Accuracy per epoch (higher is better)"
      scale="share"
      data={data}
      series={[
        { key: 'trainAcc', name: 'train', colour: 1, dots: showDots },
        { key: 'valAcc', name: 'validation', colour: 2, dots: showDots, connectNulls: true },
      ]}
    />
  );
}
