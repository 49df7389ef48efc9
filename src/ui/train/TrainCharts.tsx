import type { ReactNode } from 'react';
import { useStudio } from '../../state';
import { LossChart } from './LossChart';

interface Props {
  /** The task's chart beside the loss (accuracy, IoU). */
  beside: ReactNode;
  /** Until the first run starts: which charts will come. */
  waiting: string;
}

/** The loss chart and the task's own chart once a run has started; until then a line saying they will come. */
export function TrainCharts({ beside, waiting }: Props) {
  const started = useStudio((s) => s.runStartedAt !== null || s.history.length > 0);
  return started ? (
    <div className="charts">
      <LossChart />
      {beside}
    </div>
  ) : (
    <p className="muted" data-testid="metrics.loss-chart">
      {waiting}
    </p>
  );
}
