/** Plain data types of a dataset. No tfjs, no DOM beyond Blob: usable in the worker and in Node tests. */

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'bmp';

/** One accepted image. The compressed original is kept, never full-size decoded pixels. */
export interface DatasetImage {
  id: string;
  /** Class name. */
  label: string;
  /** File name without folders, shown to the user as text. */
  name: string;
  /** Path inside the drop, folder or zip, for messages. */
  path: string;
  blob: Blob;
  format: ImageFormat;
  bytes: number;
  /** SHA-256 of the file, hex: finds exact duplicates. */
  hash: string;
  width: number;
  height: number;
}

/** A file that was looked at and not accepted, with the reason in plain words. */
export interface SkippedFile {
  path: string;
  reason: string;
}

export type WarningKind =
  'few-images' | 'imbalance' | 'duplicate' | 'skipped' | 'single-class' | 'empty-class' | 'large-image' | 'no-images';

export interface DatasetWarning {
  kind: WarningKind;
  /** A plain sentence for a role="alert" element. */
  message: string;
  /** Classes or files it concerns. */
  subjects: string[];
}

/** What an ingest produced. */
export interface IngestResult {
  images: DatasetImage[];
  skipped: SkippedFile[];
  /** Class folders that held no accepted image. */
  emptyClasses: string[];
  /** Images above the decode budget that were accepted but will be downscaled. */
  largeImages: string[];
}

export interface DatasetSplit {
  train: string[];
  val: string[];
}

/** Pixel dimensions of an image, from its header or the browser's decoder. */
export interface ImageSize {
  width: number;
  height: number;
}

/** How an image is fitted to the model's square input. */
export type ResizeMode = 'stretch' | 'center-crop';

/** How many images one class holds. */
export interface ClassCount {
  label: string;
  count: number;
}
