import { Step } from '../common/Step';
import { Alert } from '../common/Alert';
import { useShallow, useStudio } from '../../state';
import { ConfusionMatrix } from './ConfusionMatrix';
import { ExportPanel } from './ExportPanel';
import { TryIt } from './TryIt';

export function EvaluateStep() {
  const { evaluation, evalState, evalError, result } = useStudio(
    useShallow((s) => ({ evaluation: s.evaluation, evalState: s.evalState, evalError: s.evalError, result: s.result })),
  );
  return (
    <Step id="step-evaluate" n={4} title="Evaluate & export" intro="How the trained model does on the held-out validation images, and a download to use it anywhere TF.js runs.">
      {!result && evalState === 'idle' && <p className="muted">Train a model in step 3 to see its results here.</p>}
      {evalState === 'running' && <p className="muted" aria-live="polite">Evaluating on the validation images…</p>}
      {evalError && <Alert>{evalError} The trained model is still there: you can export it anyway, or train again.</Alert>}
      {evaluation && (
        <div className="eval">
          <div className="stat" data-testid="eval.accuracy" data-value={evaluation.accuracy}>
            <span className="stat-value big">{(evaluation.accuracy * 100).toFixed(1)}%</span>
            <span className="stat-label">
              validation accuracy ({evaluation.predictions.length} images, loss {evaluation.loss.toFixed(3)})
            </span>
          </div>
          <ConfusionMatrix labels={evaluation.labels} confusion={evaluation.confusion} />
        </div>
      )}
      {result && (
        <>
          {result.stopped && <p className="note">Training was stopped after {result.epochsCompleted} complete epochs; the model is what was learnt so far.</p>}
          <ExportPanel />
          <TryIt />
        </>
      )}
    </Step>
  );
}
