/**
 * A PyTorch job's run coming back through model import: `metrics.jsonl` given with the job's
 * `model.zip` is read before anything loads (a bad line is a sentence, and the model on screen
 * stays), and once the model has loaded its run joins the project's runs with its curves, on screen
 * in the Train step until a new run starts. The run is stored like the studio's own, without a
 * checkpoint: its model is the one imported beside it.
 */
import { StudioError, userMessageOf } from '../lib/errors';
import { jobHistory, jobRunId, jobRunRecord, jobTextRunRecord, parseJobMetrics, type JobKind, type JobMetricsLine } from '../job/job-run';
import type { RunRecord as StoredRun } from '../storage/projects';
import { baseName } from '../models/validate';
import { isTeachableMetadata } from './modelSource';
import { adoptRun, adoptTextRun, newId, projectDb, storeRun } from './persistence';
import { loadRuns } from './runsActions';
import { useStudio } from './store';
import { textTrainSettings } from './textSelectors';

/** The job's metrics, read from the files given to model import. */
export interface JobMetricsFile {
  name: string;
  lines: JobMetricsLine[];
}

const isMetrics = (f: File) => /\.jsonl$/i.test(baseName(f.name));

/**
 * Takes `metrics.jsonl` out of the files given to model import and reads it (as a text job's when
 * `kind` is 'text': the model given is the studio's text export): the model's files, and the job's
 * metrics (null when none was given). Throws a StudioError when it cannot be read, when it came
 * without a model, or more than one came.
 */
export async function takeJobMetrics(
  files: readonly File[],
  kind: JobKind = 'image',
): Promise<{ files: File[]; job: JobMetricsFile | null }> {
  const metrics = files.filter(isMetrics);
  const rest = files.filter((f) => !isMetrics(f));
  const first = metrics[0];
  if (!first) return { files: rest, job: null };
  if (metrics.length > 1) {
    throw new StudioError(
      'file-unreadable',
      `${metrics.length} metrics files were given (${metrics.map((f) => baseName(f.name)).join(', ')}): drop one job’s metrics.jsonl with its model.zip at a time.`,
    );
  }
  const name = baseName(first.name);
  if (!rest.some((f) => /\.(zip|json)$/i.test(f.name))) {
    throw new StudioError(
      'model-invalid',
      `${name} holds a job’s curves, not a model: drop it together with the model.zip train.py wrote beside it (both are in the job’s output folder).`,
    );
  }
  return { files: rest, job: { name, lines: parseJobMetrics(await first.text(), name, kind) } };
}

/** Why the job's metrics cannot come with this model (it is no studio export); null when they can. */
export function jobMetricsBlocker(job: JobMetricsFile, metadata: Record<string, unknown> | undefined): string | null {
  if (metadata && !isTeachableMetadata(metadata) && Array.isArray(metadata.labels)) return null;
  return `${job.name} comes with a studio export (the model.zip train.py writes, or its model.json, weights.bin and metadata.json), and these files have no studio metadata.json: drop ${job.name} with the job’s model.zip.`;
}

/** Epochs the job trained (its metrics' epochs after the first step). */
export function jobEpochs(job: JobMetricsFile): number {
  return jobHistory(job.lines).history.length;
}

/**
 * Brings the job's run in once its model has loaded: shown in the Train step's charts at once (before
 * anything else can happen: a run started right after the import is a new run), stored in the project
 * (the same job imported again replaces its run) as its last run, and listed (and overlaid) in the
 * runs view. Without browser storage the curves are still shown.
 */
export function bringJobRun(job: JobMetricsFile, metadata: Record<string, unknown>, file: string): Promise<void> {
  const s = useStudio.getState();
  const run = jobRunRecord({ ...jobRunArgs(job, metadata, file), fallbackSettings: s.settings });
  // The autosave then records to this run, never to the one on screen before it.
  return keepJobRun(run, () =>
    adoptRun(run.id, () =>
      useStudio.setState({
        history: run.history,
        initialValLoss: run.initialValLoss,
        runLabels: run.labels,
        runId: run.id,
        runRecord: null,
        result: null,
        trainError: null,
        status: 'idle',
      }),
    ),
  );
}

/**
 * `bringJobRun` for a text-generation job (train_lm.py), once its model (the studio's text export) is
 * the current text model: its curves (loss and perplexity per epoch) in the text Train step until a
 * new run starts, and its run stored and listed like an image job's.
 */
export function bringTextJobRun(job: JobMetricsFile, metadata: Record<string, unknown>, file: string): Promise<void> {
  const s = useStudio.getState();
  const run = jobTextRunRecord({
    ...jobRunArgs(job, metadata, file),
    fallbackSettings: s.settings,
    textSettings: textTrainSettings(s.text, 'text-generation'),
  });
  const t = run.text;
  return keepJobRun(run, () =>
    adoptTextRun(run.id, () =>
      s.resetTextRun({
        status: 'idle',
        runTask: 'text-generation',
        runLabels: [],
        initial: t?.initial ?? null,
        history: t?.history ?? [],
        record: null,
        result: null,
      }),
    ),
  );
}

function jobRunArgs(job: JobMetricsFile, metadata: Record<string, unknown>, file: string) {
  const projectId = useStudio.getState().currentId;
  return {
    id: jobRunId(projectId ?? '', metadata) ?? newId('job'),
    projectId: projectId ?? '',
    lines: job.lines,
    metadata,
    file,
    now: Date.now(),
  };
}

/** Stores the job's run (queued before anything the autosave writes to it once `show` made it the current run), then lists it. */
function keepJobRun(run: StoredRun, show: () => void): Promise<void> {
  const stored = projectDb() && useStudio.getState().currentId ? storeRun(run) : null;
  show();
  if (!stored) return Promise.resolve();
  return stored.then(
    () => loadRuns(),
    (err: unknown) =>
      useStudio.getState().setRuns({
        error: `The job’s run could not be stored in this project (${userMessageOf(err)}): its curves are on screen in step 3 until the next run.`,
      }),
  );
}
