/** Text classification: a table of texts and labels → a model that sorts new texts. */
import type { TaskDefinition } from '../types';
import { TEXT_STEPS } from '../text-steps';

export const textClassification: TaskDefinition = {
  id: 'text-classification',
  title: 'Text classification',
  summary: 'A CSV of texts and labels → a model that sorts new texts.',
  steps: {
    ...TEXT_STEPS,
    data: {
      title: 'Data',
      intro: 'Add a table of texts and their labels: .csv, .tsv or .jsonl. Choose which column holds the text and which the label.',
    },
  },
  metric: { id: 'val-accuracy', label: 'validation accuracy' },
  parts: 'parameter groups',
  exports: ['tfjs'],
  jobBlocker:
    'Training jobs cover image classification and text generation so far: a text classifier (its pooled head on the language model) has no PyTorch twin yet.',
};
