/** Public API of src/data: ingest, sniffing, split, warnings, dataset edits, browser decoding. */
export type {
  ClassCount,
  DatasetImage,
  DatasetSplit,
  DatasetWarning,
  ImageFormat,
  ImageSize,
  IngestResult,
  ResizeMode,
  SkippedFile,
  WarningKind,
} from './types';
export { mimeTypeOf, readImageSize, sniffImageFormat } from './sniff';
export {
  DEFAULT_INGEST_LIMITS,
  LARGE_IMAGE_PIXELS,
  SKIP_REASONS,
  UNLABELLED,
  ingestFiles,
  type ImageProbe,
  type IngestLimits,
  type IngestOptions,
  type InputFile,
} from './ingest';
export { splitCounts, splitDataset, type Labelled, type SplitCount } from './split';
export { MAX_IMBALANCE, MIN_IMAGES_PER_CLASS, datasetWarnings, type WarningExtras, type WarningImage } from './warnings';
export {
  classCounts,
  classNames,
  deleteClass,
  mergeIngest,
  moveImages,
  normaliseLabel,
  removeImages,
  renameClass,
  type DatasetLike,
} from './dataset';
export { centerCropBox, decodeToPixels, makeThumbnail, probeImage, type CropBox } from './decode-browser';
export { sha256Hex } from './hash';
export * from './text';
