/**
 * Segmentation runs from the UI: start (and resume after a crash or a reload), the evaluation after
 * it, try-it and the downloads. The run itself uses the image slices (status, curves, record), so the
 * Train step's controls, progress and charts serve both image tasks; its results are under `seg`.
 */
import type { SegRunRecord } from '../engine/run-record';
import { userMessageOf } from '../lib/errors';
import type { WorkerSegPair } from '../tasks/image-segmentation/types';
import { getClient } from './clientHost';
import { continueImageRun, newImageRun } from './controller';
import { exportTaskModel } from './exporting';
import type { ResumePoint } from './persistence';
import { currentSegSplit, segSplitOf, segStartBlocker } from './segSelectors';
import { SEG_RESULTS_RESET } from './segSlice';
import { useStudio } from './store';
import { evaluateInto } from './taskResults';
import type { SegState } from './types';

const setSeg = (patch: Partial<SegState>) => useStudio.getState().setSeg(patch);

/** The pairs of `ids` as the worker takes them. */
function workerPairs(ids: readonly string[]): WorkerSegPair[] {
  const byId = new Map(useStudio.getState().seg.pairs.map((p) => [p.id, p]));
  return ids.flatMap((id) => {
    const p = byId.get(id);
    return p ? [{ id, blob: p.image, hash: p.hash, mask: p.mask, width: p.width, height: p.height }] : [];
  });
}

/** Evaluates the last run's model on `pairs` (the validation split): per class, per image, worst first in the view. */
export function evaluateSeg(pairs: WorkerSegPair[]): Promise<void> {
  return evaluateInto(() => getClient().call({ kind: 'evaluate', task: 'image-segmentation', pairs }), setSeg);
}

export async function startSegTraining(): Promise<void> {
  const s = useStudio.getState();
  if (segStartBlocker(s)) return;
  const labels = [...s.seg.classNames];
  const split = currentSegSplit(s);
  const train = workerPairs(split.train);
  const val = workerPairs(split.val);
  setSeg(SEG_RESULTS_RESET);
  await newImageRun(
    labels,
    (run) => ({ kind: 'train', task: 'image-segmentation', settings: useStudio.getState().settings, labels, train, val, run }),
    () => evaluateSeg(val),
  );
}

/** Continues an interrupted segmentation run from its checkpoint, on the pairs on screen (its record's settings and classes). */
export async function resumeSegTraining(point: ResumePoint, record: SegRunRecord): Promise<void> {
  const s = useStudio.getState();
  if (s.seg.pairs.length === 0) {
    s.failRun('Add the image–mask pairs of this run again in step 1, then continue it.');
    return;
  }
  const split = segSplitOf(s.seg.pairs, record.settings.validationSplit, record.settings.seed);
  const val = workerPairs(split.val);
  setSeg(SEG_RESULTS_RESET);
  await continueImageRun(
    point,
    record,
    record.labels,
    (history) => ({
      kind: 'train',
      task: 'image-segmentation',
      settings: record.settings,
      labels: record.labels,
      train: workerPairs(split.train),
      val,
      run: { id: point.run.id, model: record.model },
      resume: { checkpoint: point.checkpoint, history, record },
    }),
    () => evaluateSeg(val),
  );
}

/** Evaluates the last run again on the validation split on screen. */
export async function reevaluateSeg(): Promise<void> {
  const s = useStudio.getState();
  if (!s.result || s.seg.evalState === 'running') return;
  await evaluateSeg(workerPairs(currentSegSplit(s).val));
}

/** The model's answer for one picked image (try-it). */
export async function predictSegFile(file: File): Promise<void> {
  setSeg({ predicting: true, predictError: null });
  try {
    const result = await getClient().call({ kind: 'infer', task: 'image-segmentation', blob: file });
    setSeg({ predicting: false, prediction: { name: file.name, image: file, result } });
  } catch (err) {
    setSeg({ predicting: false, prediction: null, predictError: userMessageOf(err) });
  }
}

/** Downloads the last run's model: the TF.js zip (model.json, weights.bin, metadata.json, README.md) or model.onnx. */
export function exportSeg(format: 'tfjs' | 'onnx'): Promise<void> {
  return exportTaskModel('image-segmentation', format, 'segmentation', setSeg);
}
