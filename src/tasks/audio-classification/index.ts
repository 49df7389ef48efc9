/** Audio classification: sound clips in class folders → a model that names what it hears (emotion in speech, a word, a machine). */
import type { TaskDefinition } from '../types';

export const audioClassification: TaskDefinition = {
  id: 'audio-classification',
  title: 'Audio classification',
  summary: 'Sound clips in class folders → a model that tells how something sounds: emotion in speech, a spoken word, a machine.',
  steps: {
    data: {
      title: 'Data',
      intro:
        'Add clips (.wav, .mp3, .ogg, .flac, .webm) in class folders or .zips of them, record from the microphone, or use the built-in voices sample. Set a speaker key so one voice never sits on both sides of the split.',
    },
    model: {
      title: 'Model',
      intro:
        'MobileNetV2 reads each clip as log-mel spectrogram images: ImageNet features transfer to them. Choose which layers learn, as for images (the new head only is fastest, and the only choice on WASM).',
    },
    train: {
      title: 'Train',
      intro: 'Pick settings and sound augmentation, then train. Everything runs on this computer; Stop keeps what was learnt so far.',
    },
    evaluate: {
      title: 'Evaluate & export',
      intro:
        'Per clip on the held-out voices: accuracy, unweighted average recall and F1 per class, a confusion matrix you can listen to, try it, and download it.',
    },
  },
  metric: { id: 'val-accuracy', label: 'validation accuracy (per window)' },
  parts: 'layers',
  exports: ['tfjs', 'onnx'],
  jobBlocker:
    'Training jobs cover image classification and text generation so far: the audio front end (clips to log-mel spectrogram windows) runs in JavaScript and has no PyTorch twin yet.',
};
