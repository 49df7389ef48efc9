import { Step } from '../common/Step';
import { Hyperparams } from './Hyperparams';
import { TrainControls } from './TrainControls';
import { JobExport } from './JobExport';
import { ResumePanel } from './ResumePanel';
import { ProgressPanel } from './ProgressPanel';
import { MetricsStrip } from './MetricsStrip';
import { AccuracyChart } from './AccuracyChart';
import { OverfitNote } from './OverfitNote';
import { AutoChoiceNote } from './AutoChoiceNote';
import { RunOutcome } from './RunOutcome';
import { TrainCharts } from './TrainCharts';
import { SweepPanel } from '../sweep/SweepPanel';

export function TrainStep() {
  return (
    <Step step="train">
      <Hyperparams />
      <ResumePanel />
      <TrainControls />
      <JobExport />
      <ProgressPanel />
      <MetricsStrip />
      <RunOutcome />
      <AutoChoiceNote />
      <OverfitNote />
      <TrainCharts beside={<AccuracyChart />} waiting="Loss and accuracy charts appear here once training starts." />
      <SweepPanel />
    </Step>
  );
}
