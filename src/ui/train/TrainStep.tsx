import { Step } from '../common/Step';
import { useStudio } from '../../state';
import { Hyperparams } from './Hyperparams';
import { TrainControls } from './TrainControls';
import { ResumePanel } from './ResumePanel';
import { ProgressPanel } from './ProgressPanel';
import { MetricsStrip } from './MetricsStrip';
import { LossChart } from './LossChart';
import { AccuracyChart } from './AccuracyChart';
import { OverfitNote } from './OverfitNote';
import { AutoChoiceNote } from './AutoChoiceNote';
import { RunOutcome } from './RunOutcome';
import { SweepPanel } from '../sweep/SweepPanel';

export function TrainStep() {
  const started = useStudio((s) => s.runStartedAt !== null || s.history.length > 0);
  return (
    <Step step="train">
      <Hyperparams />
      <ResumePanel />
      <TrainControls />
      <ProgressPanel />
      <MetricsStrip />
      <RunOutcome />
      <AutoChoiceNote />
      <OverfitNote />
      {started ? (
        <div className="charts">
          <LossChart />
          <AccuracyChart />
        </div>
      ) : (
        <p className="muted" data-testid="metrics.loss-chart">
          Loss and accuracy charts appear here once training starts.
        </p>
      )}
      <SweepPanel />
    </Step>
  );
}
