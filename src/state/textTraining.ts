/**
 * Text actions on a run: settings, start and stop. The run's progress (the worker's `text` events)
 * reaches the store through events.ts, like an image run's.
 */
import { StudioError, userMessageOf } from '../lib/errors';
import { getClient } from './clientHost';
import type { TaskCommand } from '../worker/protocol';
import type { TextTask } from '../text/types';
import { activeTextRunId, beginTextResume, discardRun, resumePoint } from './persistence';
import { deviceLossNotice, forgetWorker, newRunId, switchBackend } from './controller';
import type { TrainingClient } from '../worker/client';
import type { BackendName } from '../engine/types';
import { useStudio } from './store';
import { ensureTextBaseFor, importedTextExport, textBaseMismatch } from './textModel';
import { continuedFromOf } from './modelSource';
import type { ModelOrigin } from '../engine/run-record';
import { isTextBusy, textStartBlocker, textTrainSettings, textTrainingData, type PreparedTextData } from './textSelectors';
import { TEXT_LM, isTextTask } from './textSlice';
import type { TextSettings, TextState } from './types';

const text = () => useStudio.getState().text;
export const TEXT_MODEL_ORIGIN = { id: TEXT_LM.id, name: TEXT_LM.name, licence: TEXT_LM.licence, source: 'bundled' };

/**
 * The origin a new text run's record gets from this side: the bundled model, or the studio text export
 * imported as the base, with what it said about itself (`continuedFrom`: its epochs, where it trained).
 * The worker names an imported Hugging Face model itself.
 */
export function textModelOrigin(): ModelOrigin {
  const exported = importedTextExport();
  if (!exported) return TEXT_MODEL_ORIGIN;
  return {
    id: `files:${exported.name}`,
    name: exported.name,
    licence: 'unknown (imported)',
    source: 'files',
    continuedFrom: continuedFromOf(exported.metadata, exported.jobEpochs),
  };
}
const setText = (patch: Partial<TextState>) => useStudio.getState().setText(patch);

export function updateTextSettings(patch: Partial<TextSettings>): void {
  setText({ settings: { ...text().settings, ...patch } });
}

/**
 * Loads the language model for a run (for a stored one, `origin`: the model it fine-tuned, which an
 * import the project keeps is loaded back for); false, and the reason in the store as the run's
 * error, when it cannot.
 */
export async function textBaseForRun(origin?: { name: string; source: string } | null): Promise<boolean> {
  if (await ensureTextBaseFor(origin)) {
    const mismatch = textBaseMismatch(origin);
    if (!mismatch) return true;
    setText({ status: 'error', runError: mismatch });
    return false;
  }
  setText({ status: 'error', runError: text().baseError ?? 'The language model could not be loaded.' });
  return false;
}

/** The run's data from the texts on screen; a sentence in the store when they cannot give it. */
export function prepare(s: TextState, task: TextTask): PreparedTextData | null {
  try {
    return textTrainingData(s, task);
  } catch (err) {
    setText({ runError: userMessageOf(err), status: 'error' });
    return null;
  }
}

export async function startTextTraining(): Promise<void> {
  const s = text();
  if (isTextBusy(s.status) || textStartBlocker(s) || !isTextTask(s.task)) return;
  const task = s.task;
  const prepared = prepare(s, task);
  if (!prepared) return;
  const { labels, valExamples, data } = prepared;
  useStudio.getState().resetTextRun({ status: 'loading', runTask: task, runLabels: labels, valExamples });
  if (!(await textBaseForRun())) return;
  const run = { id: newRunId(), model: textModelOrigin(), validationSplit: s.settings.validationSplit };
  await trainTextInWorker({ kind: 'train', task, settings: textTrainSettings(text(), task), labels, data, run, checkpoints: true });
}

/**
 * Runs a text training command; its answer (or error) ends the run in the store. A worker that dies
 * mid-run continues from the last checkpoint; a lost GPU lets the person pick the backend to continue on.
 */
export async function trainTextInWorker(command: Extract<TaskCommand, { kind: 'train'; task: TextTask }>): Promise<void> {
  const c = getClient();
  const crashes = c.crashes;
  try {
    const { record, ...result } = await c.call(command);
    setText({ result, record, status: 'done' });
    if (command.resume) useStudio.setState({ crashNotice: null });
  } catch (err) {
    if (c.crashes !== crashes) return recover(c.lastCrash);
    if (err instanceof StudioError && err.code === 'cancelled') {
      setText({ status: 'idle' });
      return;
    }
    setText({ status: 'error', runError: userMessageOf(err) });
  }
}

/** After the worker died mid-run: the run is paused at its last checkpoint, and continues (a crash) or waits for a backend (a lost GPU). */
async function recover(crash: TrainingClient['lastCrash']): Promise<void> {
  forgetWorker();
  const point = await resumePoint(activeTextRunId() ?? undefined);
  const epoch = point?.run.text ? point.checkpoint.epoch : null;
  const lost = crash?.cause === 'device-lost' ? crash : null;
  if (lost) {
    const { notice, backends } = deviceLossNotice(lost.backend, lost.reason, epoch);
    if (epoch === null) return setText({ status: 'error', runError: notice });
    useStudio.setState({ crashNotice: notice, recoverBackends: backends });
  } else if (epoch === null) {
    return setText({
      status: 'error',
      runError:
        'The training worker stopped unexpectedly before the first epoch finished, so there is no checkpoint to continue from. Start training again.',
    });
  } else {
    useStudio.setState({
      crashNotice: `The training worker stopped unexpectedly during the run. The studio restarted it and is continuing from the checkpoint after epoch ${epoch}.`,
    });
  }
  setText({ status: 'paused', resumeRunId: point!.run.id, resumeEpoch: epoch });
  if (!lost) await resumeTextTraining();
}

/** Continues the interrupted text run on `backend` (a fresh worker starts it), from the last checkpoint. */
export async function continueTextOnBackend(backend: BackendName): Promise<void> {
  switchBackend(backend);
  await resumeTextTraining();
}

export async function stopTextTraining(): Promise<void> {
  const s = text();
  if (s.status !== 'running' && s.status !== 'loading') return;
  setText({ status: 'stopping' });
  await getClient()
    .call({ kind: 'stop' })
    .catch(() => undefined);
}

/** Continues the text run a reload interrupted, from its last checkpoint, with the settings it started with. */
export async function resumeTextTraining(): Promise<void> {
  const s = text();
  if (s.status !== 'paused' || !s.resumeRunId) return;
  const point = await resumePoint(s.resumeRunId);
  const stored = point?.run.text;
  if (!point || !stored || !stored.initial) {
    setText({ status: 'error', runError: 'There is no checkpoint of this run to continue from. Start training again.' });
    return;
  }
  const { run, checkpoint } = point;
  const task = stored.task;
  const prepared = prepare(s, task);
  if (!prepared) return;
  if (prepared.labels.join('\n') !== stored.labels.join('\n')) {
    setText({
      status: 'error',
      runError: `The labels changed since the run started (${stored.labels.join(', ')} then, ${prepared.labels.join(', ')} now), so it cannot continue. Start training again.`,
    });
    return;
  }
  const history = stored.history.filter((h) => h.epoch <= checkpoint.epoch);
  beginTextResume(run.id);
  setText({
    status: 'loading',
    runError: null,
    runTask: task,
    runLabels: stored.labels,
    valExamples: prepared.valExamples,
    initial: stored.initial,
    history,
    record: stored.record,
    result: null,
    resumeRunId: null,
    resumeEpoch: null,
  });
  if (!(await textBaseForRun(stored.record?.model))) return;
  await trainTextInWorker({
    kind: 'train',
    task,
    settings: stored.settings,
    labels: stored.labels,
    data: prepared.data,
    run: { id: run.id, model: stored.record?.model ?? TEXT_MODEL_ORIGIN, validationSplit: s.settings.validationSplit },
    resume: { checkpoint, history, initial: stored.initial, record: stored.record },
    checkpoints: true,
  });
}

/** The user chose not to continue the interrupted text run. */
export function discardTextResume(): void {
  const s = text();
  discardRun(s.resumeRunId);
  setText({ status: 'idle', resumeRunId: null, resumeEpoch: null });
}
