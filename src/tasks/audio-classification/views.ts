/** Audio classification's four steps: its own data, train and evaluation views; the model step is the image task's. */
import { AudioDataStep } from '../../ui/audio/AudioDataStep';
import { ModelStep } from '../../ui/model/ModelStep';
import { AudioTrainStep } from '../../ui/audio/AudioTrainStep';
import { AudioEvaluateStep } from '../../ui/audio/AudioEvaluateStep';

export const audioClassificationViews = { data: AudioDataStep, model: ModelStep, train: AudioTrainStep, evaluate: AudioEvaluateStep };
