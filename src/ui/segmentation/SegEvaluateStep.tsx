import { Step } from '../common/Step';
import { Alert } from '../common/Alert';
import { isBusy, reevaluateSeg, useShallow, useStudio } from '../../state';
import type { SegEvalResult } from '../../tasks/image-segmentation/types';
import { OpacitySlider } from './OpacitySlider';
import { SegClassMetrics } from './SegClassMetrics';
import { SegConfusion } from './SegConfusion';
import { SegExport } from './SegExport';
import { SegGallery } from './SegGallery';
import { SegTryIt } from './SegTryIt';
import '../evaluate/evaluate.css';
import './segmentation.css';

/** Step 4 for segmentation: IoU, Dice and pixel accuracy on the held-out pairs, where it fails, try-it and the downloads. */
export function SegEvaluateStep() {
  const { evaluation, evalState, evalError, hasRun, stopped, epochs, busy } = useStudio(
    useShallow((s) => ({
      evaluation: s.seg.evaluation,
      evalState: s.seg.evalState,
      evalError: s.seg.evalError,
      hasRun: s.result !== null,
      stopped: s.result?.stopped ?? false,
      epochs: s.result?.epochsCompleted ?? 0,
      busy: isBusy(s.status),
    })),
  );
  const running = evalState === 'running';
  return (
    <Step step="evaluate">
      {!hasRun && !running && !evaluation && (
        <p className="muted">
          Train a model in step 3 to see how well it outlines each class, where it goes wrong, and to try and export it.
        </p>
      )}
      {(hasRun || running) && (
        <div className="eval-actions seg-toolbar">
          <button
            type="button"
            className="btn btn-small"
            data-testid="eval.rerun"
            disabled={busy || running || !hasRun}
            onClick={() => void reevaluateSeg()}
          >
            Re-evaluate
          </button>
          {running && (
            <span className="muted" aria-live="polite">
              Evaluating on the validation images…
            </span>
          )}
          <OpacitySlider testId="seg.opacity" />
        </div>
      )}
      {evalError && (
        <Alert action={{ label: 'Try again', onClick: () => void reevaluateSeg() }}>
          {evalError} The trained model is still there: you can try it and export it anyway.
        </Alert>
      )}
      {evaluation && <SegResults evaluation={evaluation} />}
      {hasRun && (
        <>
          {stopped && <p className="note">Training was stopped after {epochs} complete epochs; the model is what was learnt so far.</p>}
          <SegTryIt />
          <SegExport />
        </>
      )}
    </Step>
  );
}

function SegResults({ evaluation }: { evaluation: SegEvalResult }) {
  const n = evaluation.images.length;
  return (
    <>
      <div className="metrics seg-headline">
        <div className="stat" data-testid="eval.mean-iou" data-value={evaluation.meanIou}>
          <span className="stat-value big">{(evaluation.meanIou * 100).toFixed(1)}%</span>
          <span className="stat-label">mean IoU over the foreground classes</span>
        </div>
        <div className="stat" data-testid="eval.mean-dice" data-value={evaluation.meanDice}>
          <span className="stat-value big">{(evaluation.meanDice * 100).toFixed(1)}%</span>
          <span className="stat-label">mean Dice</span>
        </div>
        <div className="stat" data-testid="eval.accuracy" data-value={evaluation.pixelAccuracy}>
          <span className="stat-value big">{(evaluation.pixelAccuracy * 100).toFixed(1)}%</span>
          <span className="stat-label">
            pixel accuracy ({n} validation {n === 1 ? 'image' : 'images'} at {evaluation.size} px, loss {evaluation.loss.toFixed(3)})
          </span>
        </div>
      </div>
      <div className="eval-top">
        <SegClassMetrics evaluation={evaluation} />
        <SegConfusion labels={evaluation.labels} confusion={evaluation.confusion} />
      </div>
      <SegGallery evaluation={evaluation} />
    </>
  );
}
