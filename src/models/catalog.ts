/** The catalog of pre-trained models: plain data. See docs/ARCHITECTURE.md, "Add a model to the catalog". */
export interface CatalogEntry {
  id: string;
  name: string;
  /** Path relative to the page, or an absolute URL for hosted models. */
  url: string;
  inputSize: number;
  inputRange: [number, number];
  params: number;
  sizeBytes: number;
  licence: string;
  provenance: string;
  goodFor: string;
  /** 'bundled': served with the studio, works offline; 'hosted': downloaded once, then kept in browser storage. */
  source: 'bundled' | 'hosted';
  /** The tasks it is offered for (absent: every image task). */
  tasks?: readonly string[];
  /** False for a network with freshly initialised weights (a from-scratch baseline). */
  pretrained?: boolean;
}

const TFJS_MODELS = 'https://storage.googleapis.com/tfjs-models/tfjs';

function mobilenetV1(alpha: string, params: number, sizeBytes: number, goodFor: string): CatalogEntry {
  return {
    id: `mobilenet-v1-${String(Math.round(Number(alpha) * 100)).padStart(3, '0')}`,
    name: `MobileNet v1 ${alpha} (hosted)`,
    url: `${TFJS_MODELS}/mobilenet_v1_${alpha}_224/model.json`,
    inputSize: 224,
    inputRange: [-1, 1],
    params,
    sizeBytes,
    licence: 'Apache-2.0 (tfjs-models)',
    provenance: `Google's MobileNet v1 (width ${alpha}, 224×224) trained on ImageNet, published by tfjs-models as a TF.js Layers model. Its 1000-class classifier is removed at conv_pw_13_relu.`,
    goodFor,
    source: 'hosted',
  };
}

export const CATALOG: readonly CatalogEntry[] = [
  {
    id: 'mobilenet-v2',
    name: 'MobileNetV2 (bundled)',
    url: './models/mobilenet-v2/model.json',
    inputSize: 224,
    inputRange: [0, 1],
    params: 2_257_984,
    sizeBytes: 2_370_000,
    licence: 'MIT (from the nsfwjs 4.2.1 npm package)',
    provenance:
      'Keras MobileNetV2 (alpha 1.0, 224×224) shipped by nsfwjs, without its 5-class head. Blocks up to block_10 carry ImageNet weights; its publisher tuned the later blocks on its own data.',
    goodFor: 'General photos and drawings; fast enough to fine-tune in a browser.',
    source: 'bundled',
  },
  {
    id: 'small-cnn',
    name: 'Small CNN (from scratch)',
    url: './models/small-cnn/model.json',
    inputSize: 96,
    inputRange: [-1, 1],
    params: 246_128,
    sizeBytes: 985_000,
    licence: 'MIT (this repository)',
    provenance:
      'No pre-training: four blocks of 3×3 convolution, batch norm, ReLU and max-pool (16–128 channels) with seeded random weights, written by scripts/make-scratch-cnn.mjs. Train every layer (Everything).',
    goodFor: 'A baseline: what training from nothing reaches on your data, to see what pre-training adds.',
    source: 'bundled',
    tasks: ['image-classification', 'audio-classification'],
    pretrained: false,
  },
  mobilenetV1('0.25', 470_000, 1_900_000, 'The smallest and fastest: quick experiments, slow devices, phones.'),
  mobilenetV1('0.50', 1_300_000, 5_300_000, 'A balance of speed and accuracy for everyday photos.'),
  mobilenetV1('0.75', 2_600_000, 10_400_000, 'More accurate features when the classes look alike.'),
  mobilenetV1('1.0', 4_200_000, 16_900_000, 'The most accurate v1: fine detail, many classes, a fast GPU.'),
];

/** Whether the catalog offers model `id` for `task` (models not in the catalog — imports — are the person's choice). */
export function offeredFor(id: string, task: string): boolean {
  const entry = catalogEntry(id);
  return !entry?.tasks || entry.tasks.includes(task);
}

export function catalogEntry(id: string): CatalogEntry | undefined {
  return CATALOG.find((e) => e.id === id);
}
