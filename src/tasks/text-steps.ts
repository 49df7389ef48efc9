/** The step texts both text tasks share (each task writes its own data step). */
import type { StepId, StepText } from './types';

export const TEXT_STEPS: Record<Exclude<StepId, 'data'>, StepText> = {
  model: { title: 'Model', intro: 'The pre-trained language model, and which of its parts learn from your text.' },
  train: { title: 'Train', intro: 'Pick settings, then train. Everything runs on this computer.' },
  evaluate: {
    title: 'Evaluate & export',
    intro: 'See what the fine-tuned model does on text it never trained on, try it, and download it.',
  },
};
