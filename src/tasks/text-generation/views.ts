/** Text generation's four steps: the text views, which read the task to show a corpus, samples and a prompt box. */
import { TextDataStep } from '../../ui/text/TextDataStep';
import { TextModelStep } from '../../ui/text/TextModelStep';
import { TextTrainStep } from '../../ui/text/TextTrainStep';
import { TextEvaluateStep } from '../../ui/text/TextEvaluateStep';

export const textGenerationViews = { data: TextDataStep, model: TextModelStep, train: TextTrainStep, evaluate: TextEvaluateStep };
