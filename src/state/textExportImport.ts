/**
 * The studio's own text export coming back through model import (a text generator fine-tuned here, or
 * the model.zip of a PyTorch text-generation job): the studio moves to text generation and the
 * export becomes the model text runs start from, through the worker's text session, as an imported
 * Hugging Face model does (textModel.importTextModel); a job's metrics.jsonl beside it brings its run
 * back with its curves (jobRunImport.ts). Missing files are a sentence before anything changes.
 */
import { textExportProblem, textModelJsonOf, type TextModelJson } from '../text/export';
import { baseName } from '../models/validate';
import { bringTextJobRun, jobEpochs, type JobMetricsFile } from './jobRunImport';
import { useStudio } from './store';
import { chooseTask, importTextModel } from './textModel';

const named = (files: readonly File[], name: string) => files.find((f) => baseName(f.name).toLowerCase() === name);

/** model.json among `files`, parsed, when it is the studio's text export; null otherwise. */
export async function findTextExport(files: readonly File[]): Promise<Partial<TextModelJson> | null> {
  const json = named(files, 'model.json');
  return json ? textModelJsonOf(await json.text()) : null;
}

async function metadataOf(files: readonly File[]): Promise<Record<string, unknown>> {
  const meta = named(files, 'metadata.json');
  try {
    const value = meta ? (JSON.parse(await meta.text()) as unknown) : null;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Imports the text export `m` (model.json, parsed) from `files`; `from` names what was given (model.zip).
 * A problem with the files goes to `fail` (the alert where they were dropped) and nothing changes;
 * a failure to load is the text model step's alert, and the model loaded before stays.
 */
export async function importTextExport(
  m: Partial<TextModelJson>,
  files: readonly File[],
  job: JobMetricsFile | null,
  from: string,
  fail: (message: string) => void,
): Promise<boolean> {
  const problem = textExportProblem(
    m,
    files.map((f) => baseName(f.name)),
  );
  if (problem) {
    fail(problem);
    return false;
  }
  const metadata = await metadataOf(files);
  useStudio.getState().setModelSwitch({ importError: null });
  chooseTask('text-generation');
  const ok = await importTextModel(
    files.map((f) => ({ path: baseName(f.name), data: f })),
    job ? { jobEpochs: jobEpochs(job) } : {},
  );
  if (ok && job) await bringTextJobRun(job, metadata, from);
  return ok;
}
