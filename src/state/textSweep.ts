/**
 * Sweeps for the text tasks: the `SweepRunner`s of sweep.ts for text runs (classification trials are
 * judged by validation accuracy, generation trials by validation loss). A trial is a text run
 * like one started from the Train step (stored, in the runs view, checkpointed each epoch); a
 * promotion continues the trial's stored run from its checkpoint with more epochs, as a resume does.
 * Head-only trials share the worker's feature cache, so after the first trial each costs seconds.
 */
import type { TrialParams } from '../engine/sweep';
import { presetGroups } from '../text/groups';
import type { LmConfig } from '../text/model';
import type { TextTask, TextTrainSettings } from '../text/types';
import { newRunId } from './controller';
import { beginTextResume, patchRun, type ResumePoint } from './persistence';
import { useStudio } from './store';
import { finite } from './runRows';
import { patchTrial, registerTextSweep, type SweepRunner } from './sweep';
import { textStartBlocker, textTrainSettings, type PreparedTextData } from './textSelectors';
import { prepare, stopTextTraining, TEXT_MODEL_ORIGIN, textBaseForRun, trainTextInWorker } from './textTraining';
import type { SweepTrialView, TextState } from './types';

const text = () => useStudio.getState().text;
const setText = (patch: Partial<TextState>) => useStudio.getState().setText(patch);

/** A trial's settings: the run's own, with the sampled values, trained to `epochs`; `blocks` top blocks train (0: the head alone). */
export function textTrialSettings(base: TextTrainSettings, p: TrialParams, epochs: number, config: LmConfig | null): TextTrainSettings {
  const out: TextTrainSettings = { ...base, epochs };
  if (p.learningRate !== undefined) out.learningRate = p.learningRate;
  if (p.batchSize !== undefined) out.batchSize = p.batchSize;
  if (p.dropout !== undefined) out.dropout = p.dropout;
  if (p.weightDecay !== undefined) out.weightDecay = p.weightDecay;
  if (p.topBlocks !== undefined && config) {
    out.trainableGroups = p.topBlocks > 0 ? presetGroups(config, { kind: 'top-blocks', blocks: p.topBlocks }) : ['head'];
  }
  return out;
}

/** The sweep runner of one text task. */
function textSweepRunner(task: TextTask): SweepRunner {
  let base: TextTrainSettings | null = null;
  let data: PreparedTextData | null = null;
  /** Starts a text run in the store, as startTextTraining does, for the labels and validation texts of `prepared`. */
  const showRun = (prepared: PreparedTextData, patch: Partial<TextState> = {}): void =>
    useStudio.getState().resetTextRun({
      status: 'loading',
      runTask: task,
      runLabels: prepared.labels,
      valExamples: prepared.valExamples,
      ...patch,
    });
  return {
    metric: task === 'text-classification' ? 'accuracy' : 'loss',
    blocker: (s) => textStartBlocker(s.text),
    epochs: (s) => s.text.settings.epochs,
    begin() {
      base = textTrainSettings(text(), task);
      data = prepare(text(), task);
    },
    async fresh(sweepId: string, t: SweepTrialView, epochs: number): Promise<boolean> {
      const prepared = data;
      if (!prepared || !base) return false;
      const settings = textTrialSettings(base, t.params, epochs, text().base?.config ?? null);
      const runId = newRunId();
      patchTrial(t.trial, { runId });
      showRun(prepared);
      if (!(await textBaseForRun())) return false;
      const run = { id: runId, model: TEXT_MODEL_ORIGIN, validationSplit: text().settings.validationSplit };
      await trainTextInWorker({
        kind: 'train',
        task,
        settings,
        labels: prepared.labels,
        data: prepared.data,
        run,
        checkpoints: true,
      });
      // The stored run is created when the worker's first record arrives; the tag is written after the run.
      await patchRun(runId, { sweep: { id: sweepId, trial: t.trial } }).catch(() => undefined);
      return text().status === 'done';
    },
    async resume(t: SweepTrialView, point: ResumePoint, epochs: number): Promise<boolean> {
      const stored = point.run.text;
      const prepared = data;
      if (!stored?.initial || !stored.record || !prepared) {
        setText({ status: 'error', runError: `Trial ${t.trial}’s checkpoint is missing, so it cannot go on to the next rung.` });
        return false;
      }
      const { run, checkpoint } = point;
      const settings = { ...stored.record.settings, epochs };
      const history = stored.history.filter((h) => h.epoch <= checkpoint.epoch);
      beginTextResume(run.id);
      showRun(prepared, { initial: stored.initial, history, record: stored.record });
      if (!(await textBaseForRun(stored.record.model))) return false;
      await trainTextInWorker({
        kind: 'train',
        task,
        settings,
        labels: stored.labels,
        data: prepared.data,
        run: { id: run.id, model: stored.record.model ?? TEXT_MODEL_ORIGIN, validationSplit: stored.record.data.validationSplit },
        resume: { checkpoint, history, initial: stored.initial, record: { ...stored.record, settings } },
        checkpoints: true,
      });
      return text().status === 'done';
    },
    outcome() {
      const t = text();
      const last = t.history.at(-1);
      return {
        metric: finite(task === 'text-classification' ? last?.valAccuracy : last?.valLoss),
        epoch: t.history.at(-1)?.epoch ?? null,
        stoppedByPerson: t.result?.reason === 'stopped',
        error: t.runError,
      };
    },
    settle: () => {},
    finish: async () => {},
    stop: stopTextTraining,
  };
}

registerTextSweep('text-classification', textSweepRunner('text-classification'));
registerTextSweep('text-generation', textSweepRunner('text-generation'));
