import { Step } from '../common/Step';
import { useStudio } from '../../state';
import { MetricsStrip } from '../train/MetricsStrip';
import { OverfitNote } from '../train/OverfitNote';
import { ProgressPanel } from '../train/ProgressPanel';
import { ResumePanel } from '../train/ResumePanel';
import { RunOutcome } from '../train/RunOutcome';
import { TrainCharts } from '../train/TrainCharts';
import { TrainControls } from '../train/TrainControls';
import { JobExport } from '../train/JobExport';
import { IouChart } from './IouChart';
import { SegHyperparams } from './SegHyperparams';

/** Step 3 for segmentation: settings, start and stop, live loss, IoU and pixel accuracy. */
export function SegTrainStep() {
  const evaluating = useStudio((s) => s.seg.evalState === 'running');
  return (
    <Step step="train">
      <SegHyperparams />
      <ResumePanel />
      <TrainControls />
      <JobExport />
      <ProgressPanel />
      {evaluating && (
        <p className="muted" aria-live="polite" data-testid="seg.evaluating">
          Measuring IoU per class and per image on the validation pairs (step 4 shows the results)…
        </p>
      )}
      <MetricsStrip />
      <RunOutcome />
      <OverfitNote />
      <TrainCharts beside={<IouChart />} waiting="Loss, IoU and pixel-accuracy charts appear here once training starts." />
    </Step>
  );
}
