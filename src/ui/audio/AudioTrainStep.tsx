import { Step } from '../common/Step';
import { useStudio } from '../../state';
import { AccuracyChart } from '../train/AccuracyChart';
import { MetricsStrip } from '../train/MetricsStrip';
import { OverfitNote } from '../train/OverfitNote';
import { ProgressPanel } from '../train/ProgressPanel';
import { ResumePanel } from '../train/ResumePanel';
import { RunOutcome } from '../train/RunOutcome';
import { TrainCharts } from '../train/TrainCharts';
import { TrainControls } from '../train/TrainControls';
import { JobExport } from '../train/JobExport';
import { AudioHyperparams } from './AudioHyperparams';

/** Step 3 for audio: settings, start and stop, live loss and accuracy (per window; step 4 measures per clip). */
export function AudioTrainStep() {
  const evaluating = useStudio((s) => s.audio.evalState === 'running');
  const trained = useStudio((s) => s.history.length > 0);
  return (
    <Step step="train">
      <AudioHyperparams />
      <ResumePanel />
      <TrainControls />
      <JobExport />
      <ProgressPanel />
      {evaluating && (
        <p className="muted" aria-live="polite" data-testid="audio.evaluating">
          Measuring each validation clip (the mean of its windows; step 4 shows the results)…
        </p>
      )}
      <MetricsStrip />
      {trained && (
        <p className="muted small audio-per-window">
          These numbers count spectrogram windows; step 4 scores whole clips (each the mean of its windows).
        </p>
      )}
      <RunOutcome />
      <OverfitNote />
      <TrainCharts
        beside={<AccuracyChart />}
        waiting="Loss and accuracy charts (per spectrogram window) appear here once training starts."
      />
    </Step>
  );
}
