/** Text classification's four steps: the text views, which read the task to show a table, accuracy and a confusion matrix. */
import { TextDataStep } from '../../ui/text/TextDataStep';
import { TextModelStep } from '../../ui/text/TextModelStep';
import { TextTrainStep } from '../../ui/text/TextTrainStep';
import { TextEvaluateStep } from '../../ui/text/TextEvaluateStep';

export const textClassificationViews = { data: TextDataStep, model: TextModelStep, train: TextTrainStep, evaluate: TextEvaluateStep };
