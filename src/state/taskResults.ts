/** What a task's own results slice (segmentation's, audio's) clears when a new run starts: its evaluation, try-it and download state. */
export const TASK_RESULTS_RESET = {
  evaluation: null,
  evalState: 'idle',
  evalError: null,
  prediction: null,
  predicting: false,
  predictError: null,
  exporting: false,
  exportError: null,
} as const;
