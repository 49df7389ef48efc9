import { useMemo } from 'react';
import { batchMetrics, useStudio } from '../../state';
import { useFrameValue } from '../common/useBufferVersion';
import { batchLossPoints, epochPoints, thin } from './chartData';

/** Redraws charts at most every 250 ms, reading the batch buffer and the epoch history once per redraw. */
const CHART_INTERVAL_MS = 250;

export function useChartData() {
  const key = useFrameValue(() => `${batchMetrics.version}:${useStudio.getState().history.length}`, CHART_INTERVAL_MS);
  return useMemo(() => {
    void key;
    const history = useStudio.getState().history;
    const batches = batchLossPoints(batchMetrics.items);
    const epochs = thin(epochPoints(history), 300);
    return { batches, epochs, batchCount: batchMetrics.items.length, showDots: epochs.length <= 30 };
  }, [key]);
}
