/** Every task the studio does, in the order the task picker shows them. */
import type { TaskId } from '../worker/protocol';
import { imageClassification } from './image-classification';
import { textClassification } from './text-classification';
import { textGeneration } from './text-generation';
import type { TaskDefinition } from './types';

export const TASKS: readonly TaskDefinition[] = [imageClassification, textGeneration, textClassification];

export function taskOf(id: TaskId): TaskDefinition {
  const task = TASKS.find((t) => t.id === id);
  if (!task) throw new Error(`unknown task ${id}`);
  return task;
}

export type { TaskDefinition, StepId, StepText } from './types';
