import { EpochChart } from '../train/EpochChart';
import { useChartData } from '../train/useChartData';

/** Validation mean IoU and pixel accuracy per epoch. */
export function IouChart() {
  const { epochs: data, showDots } = useChartData();
  return (
    <EpochChart
      testId="metrics.iou-chart"
      caption="IoU and pixel accuracy per epoch (higher is better)"
      scale="share"
      data={data}
      attrs={{ 'data-points': data.length }}
      series={[
        { key: 'valIou', name: 'validation mean IoU', colour: 2, dots: showDots, connectNulls: true },
        { key: 'valAcc', name: 'validation pixel accuracy', colour: 1, dots: showDots, connectNulls: true },
        { key: 'trainAcc', name: 'training pixel accuracy', colour: 3, width: 1.5, dashed: true },
      ]}
    />
  );
}
