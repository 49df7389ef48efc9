import { exportJob, jobExportBlocker, runStartBlocker, useShallow, useStudio } from '../../state';
import { Alert } from '../common/Alert';

const HINT =
  'Downloads this run as it would start here — settings, starting weights and images — with a PyTorch train.py that trains it on GPUs, alone or with torchrun across machines; its model.zip and metrics.jsonl import back in step 2.';
const TEXT_HINT =
  'Downloads this run as it would start here — settings, the starting language model and the text with its tokens — with a PyTorch train.py that trains it on GPUs, alone or with torchrun across machines; its model.zip (the studio’s text export, which lm.js runs) and metrics.jsonl import back in step 2.';

/**
 * `export.job`: the run on screen handed to PyTorch as a training job (src/job/README.md), beside the
 * start button. A task that cannot be handed over yet says why; what also blocks a run here (no model,
 * too few classes) is said by the start button's own sentence.
 */
export function JobExport() {
  const { blocker, reason, exporting, error, text } = useStudio(
    useShallow((s) => {
      const blocker = jobExportBlocker(s);
      return {
        blocker,
        reason: blocker !== runStartBlocker(s) ? blocker : null,
        exporting: s.exportingJob,
        error: s.jobError,
        text: s.text.task === 'text-generation',
      };
    }),
  );
  return (
    <div className="train-controls job-export">
      <div className="buttons">
        <button
          type="button"
          className="btn"
          data-testid="export.job"
          disabled={blocker !== null}
          aria-describedby="job-export-hint"
          onClick={() => void exportJob()}
        >
          {exporting ? 'Making the training job…' : 'Export as a PyTorch training job'}
        </button>
      </div>
      <p id="job-export-hint" className="muted" data-testid="export.job-hint">
        {reason ?? (text ? TEXT_HINT : HINT)}
      </p>
      {error && <Alert action={{ label: 'Try again', onClick: () => void exportJob() }}>{error}</Alert>}
    </div>
  );
}
