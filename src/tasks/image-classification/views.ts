/** Image classification's four steps. */
import { DatasetStep } from '../../ui/dataset/DatasetStep';
import { ModelStep } from '../../ui/model/ModelStep';
import { TrainStep } from '../../ui/train/TrainStep';
import { EvaluateStep } from '../../ui/evaluate/EvaluateStep';

export const imageClassificationViews = { data: DatasetStep, model: ModelStep, train: TrainStep, evaluate: EvaluateStep };
