/**
 * A queue of small drawing jobs run when the main thread is idle, a few milliseconds at a time,
 * so a gallery of hundreds of clips never computes every picture at once.
 */
type Job = () => void;

const queue: Job[] = [];
let scheduled = false;
/** Milliseconds of jobs per idle slice. */
const SLICE_MS = 8;

function pump(): void {
  scheduled = false;
  const start = performance.now();
  while (queue.length > 0 && performance.now() - start < SLICE_MS) {
    const job = queue.shift();
    try {
      job?.();
    } catch {
      // A picture that cannot be drawn stays blank; the clip itself is unaffected.
    }
  }
  if (queue.length > 0) schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  if (typeof requestIdleCallback === 'function') requestIdleCallback(pump, { timeout: 400 });
  else setTimeout(pump, 16);
}

/** Runs `job` when the thread is idle; the returned function takes it back if it has not run. */
export function whenIdle(job: Job): () => void {
  queue.push(job);
  schedule();
  return () => {
    const at = queue.indexOf(job);
    if (at >= 0) queue.splice(at, 1);
  };
}
