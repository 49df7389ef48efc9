import { StudioError, userMessageOf } from '../lib/errors';

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

/**
 * Runs a task's evaluation into its own results slice: `running`, then its result or the failure in a
 * sentence (a cancel — the worker restarted — leaves it as it was).
 */
export async function evaluateInto<R>(
  call: () => Promise<R>,
  set: (patch: { evalState: 'running' | 'done' | 'error'; evalError?: string | null; evaluation?: R }) => void,
): Promise<void> {
  set({ evalState: 'running', evalError: null });
  try {
    const evaluation = await call();
    set({ evaluation, evalState: 'done' });
  } catch (err) {
    if (err instanceof StudioError && err.code === 'cancelled') return;
    set({ evalState: 'error', evalError: userMessageOf(err) });
  }
}
