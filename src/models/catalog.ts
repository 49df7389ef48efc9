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
  },
];

export function catalogEntry(id: string): CatalogEntry | undefined {
  return CATALOG.find((e) => e.id === id);
}
