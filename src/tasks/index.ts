/** Every task the studio does, in the order the task picker shows them. */
import type { TaskId } from '../worker/protocol';
import { imageClassification } from './image-classification';
import { imageSegmentation } from './image-segmentation';
import { audioClassification } from './audio-classification';
import { textClassification } from './text-classification';
import { textGeneration } from './text-generation';
import type { StepId, TaskDefinition } from './types';

export const TASKS: readonly TaskDefinition[] = [
  imageClassification,
  imageSegmentation,
  audioClassification,
  textGeneration,
  textClassification,
];

/** The four steps, in the order every task shows them (step n is STEP_IDS[n - 1]). */
export const STEP_IDS: readonly StepId[] = ['data', 'model', 'train', 'evaluate'];

export function taskOf(id: TaskId): TaskDefinition {
  const task = TASKS.find((t) => t.id === id);
  if (!task) throw new Error(`unknown task ${id}`);
  return task;
}

export type { TaskDefinition, StepId, StepText } from './types';
