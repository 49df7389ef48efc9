/** Validation of typed hyper-parameters: each returns a plain sentence, or null when the value is fine. */
import type { TrainSettings } from '../engine/types';
import type { AudioAugmentSettings } from '../tasks/audio-classification/types';
import { DEFAULT_AUDIO } from '../tasks/audio-classification/defaults';

/** Top-level numeric settings, and nested ones as `group.key`. */
export type NumericField =
  | 'learningRate'
  | 'batchSize'
  | 'epochs'
  | 'validationSplit'
  | 'dropout'
  | 'weightDecay'
  | 'labelSmoothing'
  | 'backboneLrMultiplier'
  | 'schedule.stepEpochs'
  | 'schedule.stepFactor'
  | 'schedule.warmupEpochs'
  | 'schedule.minFactor'
  | 'earlyStopping.patience'
  | 'gradualUnfreezing.everyEpochs'
  | 'augmentation.cropScale'
  | 'augmentation.rotationDeg'
  | 'augmentation.brightness'
  | 'augmentation.contrast'
  | 'augmentation.variants'
  | AudioAugmentField;

/** Audio's sound augmentation (`settings.audio.augment`). */
export type AudioAugmentField = `audio.augment.${keyof AudioAugmentSettings}`;

interface Rule {
  min: number;
  max: number;
  integer: boolean;
  message: string;
  /** Excludes `min` itself (for factors that must be above zero). */
  aboveMin?: boolean;
}

export const RULES: Record<NumericField, Rule> = {
  learningRate: { min: 1e-6, max: 1, integer: false, message: 'Learning rate must be a number from 0.000001 to 1.' },
  batchSize: { min: 1, max: 512, integer: true, message: 'Batch size must be a whole number from 1 to 512.' },
  epochs: { min: 1, max: 500, integer: true, message: 'Epochs must be a whole number from 1 to 500.' },
  validationSplit: {
    min: 0.05,
    max: 0.5,
    integer: false,
    message: 'Validation split must be a fraction from 0.05 to 0.5 (for example 0.2 for 20%).',
  },
  dropout: { min: 0, max: 0.9, integer: false, message: 'Dropout must be a fraction from 0 to 0.9.' },
  weightDecay: { min: 0, max: 0.5, integer: false, message: 'Weight decay must be a number from 0 to 0.5 (0.01 is typical for AdamW).' },
  labelSmoothing: { min: 0, max: 0.5, integer: false, message: 'Label smoothing must be a fraction from 0 to 0.5 (0.1 is typical).' },
  backboneLrMultiplier: {
    min: 0.001,
    max: 1,
    integer: false,
    message: 'The backbone multiplier must be a number from 0.001 to 1 (1 = same rate as the head).',
  },
  'schedule.stepEpochs': { min: 1, max: 500, integer: true, message: 'Step every must be a whole number of epochs from 1 to 500.' },
  'schedule.stepFactor': {
    min: 0,
    max: 1,
    integer: false,
    aboveMin: true,
    message: 'The step factor must be above 0 and at most 1 (0.5 halves the rate).',
  },
  'schedule.warmupEpochs': { min: 0, max: 100, integer: false, message: 'Warm-up must be from 0 to 100 epochs.' },
  'schedule.minFactor': {
    min: 0,
    max: 1,
    integer: false,
    message: 'The final fraction must be from 0 to 1 (0.01 ends at 1% of the rate).',
  },
  'earlyStopping.patience': { min: 1, max: 100, integer: true, message: 'Patience must be a whole number of epochs from 1 to 100.' },
  'gradualUnfreezing.everyEpochs': {
    min: 1,
    max: 100,
    integer: true,
    message: 'Unfreeze every must be a whole number of epochs from 1 to 100.',
  },
  'augmentation.cropScale': {
    min: 0.3,
    max: 1,
    integer: false,
    message: 'The smallest crop must be a fraction of the side from 0.3 to 1 (1 = no cropping).',
  },
  'augmentation.rotationDeg': { min: 0, max: 45, integer: false, message: 'Rotation must be from 0 to 45 degrees.' },
  'augmentation.brightness': { min: 0, max: 0.5, integer: false, message: 'Brightness must be from 0 to 0.5.' },
  'augmentation.contrast': { min: 0, max: 0.9, integer: false, message: 'Contrast must be from 0 to 0.9.' },
  'augmentation.variants': { min: 1, max: 16, integer: true, message: 'Variants must be a whole number from 1 to 16.' },
  'audio.augment.timeShift': { min: 0, max: 0.5, integer: false, message: 'Time shift must be from 0 to 0.5 seconds.' },
  'audio.augment.gainDb': { min: 0, max: 20, integer: false, message: 'Gain must be from 0 to 20 dB.' },
  'audio.augment.noiseSnrDb': {
    min: 0,
    max: 40,
    integer: false,
    message: 'The noise level must be a signal-to-noise ratio from 0 to 40 dB (0 = no noise; lower is noisier).',
  },
  'audio.augment.freqMasks': { min: 0, max: 4, integer: true, message: 'Frequency masks must be a whole number from 0 to 4.' },
  'audio.augment.freqMaskWidth': { min: 0, max: 0.5, integer: false, message: 'A mask width must be a fraction from 0 to 0.5.' },
  'audio.augment.timeMasks': { min: 0, max: 4, integer: true, message: 'Time masks must be a whole number from 0 to 4.' },
  'audio.augment.timeMaskWidth': { min: 0, max: 0.5, integer: false, message: 'A mask width must be a fraction from 0 to 0.5.' },
};

export function parseField(field: NumericField, raw: string): { value: number } | { error: string } {
  const rule = RULES[field];
  const text = raw.trim();
  if (text === '') return { error: rule.message };
  const value = Number(text);
  if (
    !Number.isFinite(value) ||
    value < rule.min ||
    (rule.aboveMin && value <= rule.min) ||
    value > rule.max ||
    (rule.integer && !Number.isInteger(value))
  ) {
    return { error: rule.message };
  }
  return { value };
}

type Group = 'schedule' | 'earlyStopping' | 'gradualUnfreezing' | 'augmentation';

function split(field: NumericField): [Group, string] | null {
  const dot = field.indexOf('.');
  return dot < 0 ? null : [field.slice(0, dot) as Group, field.slice(dot + 1)];
}

const AUDIO_PREFIX = 'audio.augment.';
const audioKey = (field: NumericField) =>
  field.startsWith(AUDIO_PREFIX) ? (field.slice(AUDIO_PREFIX.length) as keyof AudioAugmentSettings) : null;

/** The current value of a numeric field in the settings. */
export function readField(settings: TrainSettings, field: NumericField): number {
  const key = audioKey(field);
  if (key) return (settings.audio ?? DEFAULT_AUDIO).augment[key];
  const path = split(field);
  if (!path) return settings[field as keyof TrainSettings] as number;
  const group = settings[path[0]] as unknown as Record<string, number>;
  return group[path[1]] ?? NaN;
}

/** The settings patch that sets one numeric field (nested groups are copied, never mutated). */
export function fieldPatch(settings: TrainSettings, field: NumericField, value: number): Partial<TrainSettings> {
  const key = audioKey(field);
  if (key) {
    const audio = settings.audio ?? DEFAULT_AUDIO;
    return { audio: { ...audio, augment: { ...audio.augment, [key]: value } } };
  }
  const path = split(field);
  if (!path) return { [field]: value } as Partial<TrainSettings>;
  return { [path[0]]: { ...settings[path[0]], [path[1]]: value } } as Partial<TrainSettings>;
}
