/** Plain types of the segmentation task, shared by the worker, the store and the views. No tfjs here. */
import type { ClassScores } from './metrics';

/** An image–mask pair sent to the worker: the compressed image, decoded there, and its class map. */
export interface WorkerSegPair {
  id: string;
  blob: Blob;
  /** The image file's SHA-256 (hex): its content key in the run record's data manifest (the id when absent). */
  hash?: string;
  /** Class indices at the image's own size (width × height, row-major); `IGNORE_CLASS` (255) where a pixel has none. */
  mask: Uint8Array;
  width: number;
  height: number;
}

/** One evaluated image: how well its prediction matches and the predicted class map (size × size). */
export interface SegImageResult {
  id: string;
  /** Foreground mean IoU of this image alone (1 when neither truth nor prediction holds foreground). */
  iou: number;
  pixelAccuracy: number;
  predicted: Uint8Array;
}

/** The evaluation of a segmentation model on a set of pairs (the validation split after a run). */
export interface SegEvalResult {
  labels: string[];
  /** The side of the class maps below (the model's input size). */
  size: number;
  loss: number;
  pixelAccuracy: number;
  /** Over the foreground classes (all but class 0). */
  meanIou: number;
  meanDice: number;
  perClass: ClassScores[];
  /** Pixels per [truth][predicted], at the model's resolution. */
  confusion: number[][];
  /** One per evaluated pair, in the order they were given. */
  images: SegImageResult[];
}

/** The model's answer for one image: class probabilities and the arg-max class of every pixel. */
export interface SegPrediction {
  size: number;
  labels: string[];
  /** size × size × classes, row-major. */
  probabilities: Float32Array;
  /** size × size arg-max classes. */
  classes: Uint8Array;
  /** Pixels predicted for each class. */
  classPixels: number[];
}

/** The loss settings a segmentation run takes (TrainSettings.segmentation). */
export interface SegLossSettings {
  /** Weight of soft Dice beside the pixel cross-entropy (0: cross-entropy alone). */
  diceWeight: number;
  /** 'balanced': the cross-entropy weighs each class by 1/√(its share of the training pixels). */
  classWeights: 'none' | 'balanced';
}

export const DEFAULT_SEG_LOSS: SegLossSettings = { diceWeight: 1, classWeights: 'none' };
