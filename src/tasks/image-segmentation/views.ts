/** Image segmentation's four steps: its own data and evaluation views; the model and train steps are the image task's, reading the task. */
import { SegDataStep } from '../../ui/segmentation/SegDataStep';
import { ModelStep } from '../../ui/model/ModelStep';
import { SegTrainStep } from '../../ui/segmentation/SegTrainStep';
import { SegEvaluateStep } from '../../ui/segmentation/SegEvaluateStep';

export const imageSegmentationViews = { data: SegDataStep, model: ModelStep, train: SegTrainStep, evaluate: SegEvaluateStep };
