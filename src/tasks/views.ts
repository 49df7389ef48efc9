/**
 * Each task's four step views, for the app shell. Kept apart from ./index.ts (plain data) so the state
 * layer can read task definitions without importing React views.
 */
import type { ComponentType } from 'react';
import type { TaskId } from '../worker/protocol';
import type { StepId } from './types';
import { imageClassificationViews } from './image-classification/views';
import { imageSegmentationViews } from './image-segmentation/views';
import { audioClassificationViews } from './audio-classification/views';
import { textClassificationViews } from './text-classification/views';
import { textGenerationViews } from './text-generation/views';

/** A task's view for each step, rendered in step order. */
export type TaskViews = Readonly<Record<StepId, ComponentType>>;

export const VIEWS: Readonly<Record<TaskId, TaskViews>> = {
  'image-classification': imageClassificationViews,
  'image-segmentation': imageSegmentationViews,
  'audio-classification': audioClassificationViews,
  'text-generation': textGenerationViews,
  'text-classification': textClassificationViews,
};
