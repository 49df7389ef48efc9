/**
 * `export.job`: the run on screen handed to PyTorch as a training job (src/job/README.md). The worker
 * composes the classifier as a run would start it and writes its record; here the dataset's own files
 * join it, with train.py, in `<project>-job.zip`. Nothing loaded changes: no run starts, the last run's
 * model stays as it was, and a failure is a sentence beside the button.
 */
import trainPy from '../job/train.py?raw';
import trainLmPy from '../job/train_lm.py?raw';
import { jobEntries, textJobEntries, zipJob, type JobImage } from '../job/job-export';
import { textJobProblem } from '../text/job';
import { StudioError, userMessageOf } from '../lib/errors';
import { taskOf } from '../tasks';
import { getClient } from './clientHost';
import { ensureReady, newRunId, workerImages } from './controller';
import { download, slug } from './exporting';
import { modelOrigin } from './modelSource';
import { classNames, isBusy, startBlocker } from './selectors';
import { useStudio } from './store';
import { ensureTextBase } from './textModel';
import { isTextBusy, textLora, textStartBlocker, textTrainSettings, textTrainingData } from './textSelectors';
import { textModelOrigin } from './textTraining';
import type { StudioState } from './types';

/** Why a training job cannot be made now, as a sentence; null when it can. */
export function jobExportBlocker(s: StudioState): string | null {
  const why = taskOf(s.text.task).jobBlocker;
  if (why) return why;
  if (s.exportingJob) return 'The training job is being made.';
  if (s.text.task === 'text-generation') {
    if (isTextBusy(s.text.status) || s.sweep.state === 'running') return 'Wait for the run in progress to end.';
    return textJobProblem({ task: s.text.task, lora: textLora(s.text) }) ?? textStartBlocker(s.text);
  }
  if (isBusy(s.status) || s.sweep.state === 'running') return 'Wait for the run in progress to end.';
  if (s.summary?.format === 'graph') {
    return `${s.summary.name} is a TF.js graph model, which a training job cannot start from: choose a Layers model in step 2.`;
  }
  return startBlocker(s);
}

/** What keeps the run itself from starting (the start button's own sentence), for the task on screen. */
export function runStartBlocker(s: StudioState): string | null {
  return s.text.task === 'text-generation' ? textStartBlocker(s.text) : startBlocker(s);
}

/** The split's images with their bytes, in split order (training first), as the job's data. */
async function jobImages(s: StudioState): Promise<JobImage[]> {
  const byId = new Map(s.images.map((i) => [i.id, i]));
  const of = (ids: readonly string[], split: JobImage['split']) =>
    ids.flatMap((id) => {
      const img = byId.get(id);
      return img ? [{ img, split }] : [];
    });
  return Promise.all(
    [...of(s.split.train, 'train'), ...of(s.split.val, 'val')].map(async ({ img, split }) => ({
      id: img.id,
      label: img.label,
      name: img.name,
      bytes: new Uint8Array(await img.blob.arrayBuffer()),
      sha256: img.hash,
      split,
    })),
  );
}

/** Makes the training job of the current settings, model and split, and downloads it as `<project>-job.zip`. */
export async function exportJob(): Promise<void> {
  if (jobExportBlocker(useStudio.getState())) return;
  const set = useStudio.getState().setExport;
  set({ exportingJob: true, jobError: null });
  try {
    if (useStudio.getState().text.task !== 'text-generation' && !(await ensureReady())) {
      throw new StudioError(
        'model-load-failed',
        'The model is not ready in the training worker. Reload the model in step 2 and try again.',
      );
    }
    const s = useStudio.getState();
    if (s.text.task === 'text-generation') {
      await exportTextJob(s);
      set({ exportingJob: false });
      return;
    }
    const labels = classNames(s.images);
    const job = await getClient().call({
      kind: 'jobStart',
      task: 'image-classification',
      settings: s.settings,
      labels,
      train: workerImages(s.split.train, labels),
      val: workerImages(s.split.val, labels),
      run: { id: newRunId(), model: modelOrigin(s.modelId, s.summary) },
    });
    const folder = `${slug(s.projectName)}-job`;
    const entries = jobEntries({
      folder,
      record: job.record,
      head: job.head,
      parts: job.parts,
      images: await jobImages(s),
      weights: job.files,
      trainPy,
      createdAt: new Date().toISOString(),
    });
    saveJob(folder, entries);
    set({ exportingJob: false });
  } catch (err) {
    set({ exportingJob: false, jobError: userMessageOf(err) });
  } finally {
    // Auto's comparison of layers reports its progress as a phase; no run follows it.
    useStudio.setState({ phase: null });
  }
}

/** A text-generation run's job: the worker's start of it (model files, tokens, record) with the text, as `<project>-job.zip`. */
async function exportTextJob(s: StudioState): Promise<void> {
  // The model a new run here would start from (textBaseForRun without a stored run's origin).
  if (!(await ensureTextBase())) {
    throw new StudioError(
      'model-load-failed',
      s.text.baseError ?? 'The language model could not be loaded. Reload it in step 2 and try again.',
    );
  }
  const t = useStudio.getState().text;
  const { data } = textTrainingData(t, 'text-generation');
  if (data.task !== 'text-generation') return;
  const start = await getClient().call({
    kind: 'jobStart',
    task: 'text-generation',
    settings: textTrainSettings(t, 'text-generation'),
    labels: [],
    data,
    run: { id: newRunId(), model: textModelOrigin(), validationSplit: t.settings.validationSplit },
  });
  const folder = `${slug(s.projectName)}-job`;
  const entries = await textJobEntries({
    folder,
    start,
    texts: { train: data.train, validation: data.validation },
    trainPy,
    trainLmPy,
    createdAt: new Date().toISOString(),
  });
  saveJob(folder, entries);
}

/** Downloads a job's entries as `<folder>.zip`. */
function saveJob(folder: string, entries: Record<string, Uint8Array>): void {
  download(new Blob([zipJob(entries) as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), `${folder}.zip`);
}
