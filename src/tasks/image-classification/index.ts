/** Image classification: folders of pictures → a model that names what it sees. */
import type { TaskDefinition } from '../types';

export const imageClassification: TaskDefinition = {
  id: 'image-classification',
  title: 'Image classification',
  summary: 'Folders of pictures → a model that names what it sees.',
  steps: {
    data: {
      title: 'Data',
      intro: 'Add labelled images: one folder per class (the folder name is the class), a .zip of such folders, or the built-in sample.',
    },
    model: { title: 'Model', intro: 'Start from a pre-trained image model and choose which of its layers keep learning.' },
    train: { title: 'Train', intro: 'Pick settings, then train. Everything runs on this computer; Stop keeps what was learnt so far.' },
    evaluate: {
      title: 'Evaluate & export',
      intro:
        'How the trained model does on the held-out validation images, why it answers what it does, and a download to use it anywhere TF.js runs.',
    },
  },
  metric: { id: 'val-accuracy', label: 'validation accuracy' },
  parts: 'layers',
  exports: ['tfjs', 'onnx', 'teachable'],
  jobBlocker: null,
};
