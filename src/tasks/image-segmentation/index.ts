/** Image segmentation: pictures with masks → a model that outlines what matters, pixel by pixel. */
import type { TaskDefinition } from '../types';

export const imageSegmentation: TaskDefinition = {
  id: 'image-segmentation',
  title: 'Image segmentation',
  summary: 'Pictures with masks → a model that outlines each kind of object, pixel by pixel.',
  steps: {
    data: {
      title: 'Data',
      intro:
        'Add images with their masks: a folder or .zip holding images/ and masks/ (one PNG mask per image, same name; its grey value, palette index or colour is the class), optionally a classes.txt — or the built-in microscopy sample.',
    },
    model: {
      title: 'Model',
      intro:
        'A U-Net decoder on a pre-trained image model: the decoder always learns; choose which encoder blocks learn too (decoder only is fastest, and the only choice on WASM).',
    },
    train: { title: 'Train', intro: 'Pick settings, then train. Everything runs on this computer; Stop keeps what was learnt so far.' },
    evaluate: {
      title: 'Evaluate & export',
      intro: 'Per-class IoU and Dice on the held-out images, where the model is right and wrong (worst first), try it, and download it.',
    },
  },
  metric: { id: 'val-iou', label: 'validation mean IoU' },
  parts: 'layers',
  exports: ['tfjs', 'onnx'],
  jobBlocker:
    'Training jobs cover image classification and text generation so far: the segmentation decoder and its Dice loss have no PyTorch twin yet.',
};
