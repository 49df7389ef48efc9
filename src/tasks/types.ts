/**
 * What a task is to the studio. A task's folder (src/tasks/<task>/) holds its definition (index.ts:
 * plain data the state layer and the views read), its task runner for the one training loop (the
 * batches, loss and evaluation), its worker session (the verbs of src/worker/protocol.ts) and its
 * views (views.ts: the four steps). See src/tasks/README.md.
 */
import type { TaskId } from '../worker/protocol';

export type StepId = 'data' | 'model' | 'train' | 'evaluate';

export interface StepText {
  title: string;
  /** The sentence under the step's title: what the person does there. */
  intro: string;
}

export interface TaskDefinition {
  id: TaskId;
  /** The task picker's card. */
  title: string;
  summary: string;
  /** Each step's title and introduction. */
  steps: Record<StepId, StepText>;
  /** The metric the task is judged by on the validation split. */
  metric: { id: 'val-accuracy' | 'val-loss' | 'val-iou'; label: string };
  /** What the freezable parts of its models are called (layers, parameter groups). */
  parts: string;
  /** Download formats, in the order the evaluate step offers them. */
  exports: readonly string[];
  /** Why a run of the task cannot be handed to PyTorch as a training job (`export.job`, src/job/README.md); null when it can. */
  jobBlocker: string | null;
}
