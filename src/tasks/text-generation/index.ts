/** Text generation: a person's writing → a language model that continues text in its style. */
import type { TaskDefinition } from '../types';
import { TEXT_STEPS } from '../text-steps';

export const textGeneration: TaskDefinition = {
  id: 'text-generation',
  title: 'Text generation',
  summary: 'Your writing → a language model that continues text in its style.',
  steps: {
    ...TEXT_STEPS,
    data: {
      title: 'Data',
      intro:
        'Add text in the style the model should write: .txt or .md files, or .jsonl with a "text" field. A part of it is held out to measure progress honestly.',
    },
  },
  metric: { id: 'val-loss', label: 'validation loss (nats per token)' },
  parts: 'parameter groups',
  exports: ['tfjs'],
  jobBlocker: null,
};
