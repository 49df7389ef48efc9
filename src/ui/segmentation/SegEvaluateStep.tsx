import { reevaluateSeg, useShallow, useStudio } from '../../state';
import { TaskEvaluateFrame } from '../evaluate/TaskEvaluateFrame';
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
  const { evaluation, evalState, evalError } = useStudio(
    useShallow((s) => ({ evaluation: s.seg.evaluation, evalState: s.seg.evalState, evalError: s.seg.evalError })),
  );
  return (
    <TaskEvaluateFrame
      evalState={evalState}
      evalError={evalError}
      hasEvaluation={evaluation !== null}
      rerun={reevaluateSeg}
      idleText="Train a model in step 3 to see how well it outlines each class, where it goes wrong, and to try and export it."
      runningText="Evaluating on the validation images…"
      toolbarClass="seg-toolbar"
      toolbar={<OpacitySlider testId="seg.opacity" />}
      results={evaluation && <SegResults evaluation={evaluation} />}
      after={
        <>
          <SegTryIt />
          <SegExport />
        </>
      }
    />
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
