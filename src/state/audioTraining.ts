/**
 * Audio runs from the UI: start (and resume after a reload), the per-clip evaluation after it, try-it
 * and the downloads. The run itself uses the image slices (status, curves, record), as segmentation's
 * does, so the Train step's controls, progress and charts serve every image task; its results are
 * under `audio`.
 */
import type { ImageRunRecord } from '../engine/run-record';
import { decodeAudioFile } from '../data/audio-decode';
import { audioGroupOf } from '../data/audio-ingest';
import { audioSplitOf } from '../data/audio-split';
import { userMessageOf } from '../lib/errors';
import { DEFAULT_AUDIO } from '../tasks/audio-classification/defaults';
import type { WorkerClip } from '../tasks/audio-classification/types';
import { AUDIO_RESULTS_RESET } from './audioSlice';
import { audioStartBlocker, currentAudioSplit } from './audioSelectors';
import { getClient } from './clientHost';
import { continueImageRun, newImageRun } from './controller';
import { exportTaskModel } from './exporting';
import type { ResumePoint } from './persistence';
import { useStudio } from './store';
import { evaluateInto } from './taskResults';
import type { AudioState, StudioState } from './types';

const setAudio = (patch: Partial<AudioState>) => useStudio.getState().setAudio(patch);

/** The clips of `ids` as the worker takes them, labelled by their index in `labels`. */
function workerClips(ids: readonly string[], labels: readonly string[]): WorkerClip[] {
  const byId = new Map(useStudio.getState().audio.clips.map((c) => [c.id, c]));
  return ids.flatMap((id) => {
    const c = byId.get(id);
    const label = c ? labels.indexOf(c.label) : -1;
    return c && label >= 0 ? [{ id, label, samples: c.samples, sampleRate: c.sampleRate, hash: c.hash }] : [];
  });
}

/** The settings a run sends: the screen's, with where the clips came from for the model card. */
function runSettings(s: StudioState) {
  const audio = s.settings.audio ?? DEFAULT_AUDIO;
  return { ...s.settings, audio: { ...audio, provenance: [...s.audio.sources] } };
}

/** Evaluates the last run's model per clip on `clips` (the validation split). */
export function evaluateAudio(clips: WorkerClip[]): Promise<void> {
  return evaluateInto(() => getClient().call({ kind: 'evaluate', task: 'audio-classification', clips }), setAudio);
}

export async function startAudioTraining(): Promise<void> {
  const s = useStudio.getState();
  if (audioStartBlocker(s)) return;
  const labels = [...s.audio.classNames];
  const split = currentAudioSplit(s);
  const train = workerClips(split.train, labels);
  const val = workerClips(split.val, labels);
  setAudio(AUDIO_RESULTS_RESET);
  await newImageRun(
    labels,
    (run) => ({ kind: 'train', task: 'audio-classification', settings: runSettings(useStudio.getState()), labels, train, val, run }),
    () => evaluateAudio(val),
  );
}

/** Continues an interrupted audio run from its checkpoint, on the clips on screen (its record's settings, classes and split). */
export async function resumeAudioTraining(point: ResumePoint, record: ImageRunRecord): Promise<void> {
  const s = useStudio.getState();
  if (s.audio.clips.length === 0) {
    s.failRun('Add the clips of this run again in step 1, then continue it.');
    return;
  }
  const key = s.audio.groupKey;
  const split = audioSplitOf(s.audio.clips, record.settings.validationSplit, record.settings.seed, (c) => audioGroupOf(c, key));
  const val = workerClips(split.val, record.labels);
  setAudio(AUDIO_RESULTS_RESET);
  await continueImageRun(
    point,
    record,
    record.labels,
    (history) => ({
      kind: 'train',
      task: 'audio-classification',
      settings: record.settings,
      labels: record.labels,
      train: workerClips(split.train, record.labels),
      val,
      run: { id: point.run.id, model: record.model },
      resume: { checkpoint: point.checkpoint, history, record },
    }),
    () => evaluateAudio(val),
  );
}

/** Evaluates the last run again on the validation split on screen. */
export async function reevaluateAudio(): Promise<void> {
  const s = useStudio.getState();
  if (!s.result || s.audio.evalState === 'running') return;
  const labels = s.runRecord?.labels ?? s.audio.classNames;
  await evaluateAudio(workerClips(currentAudioSplit(s).val, labels));
}

/** The model's answer for one clip (a picked file or a recording). */
export async function predictAudioClip(name: string, blob: Blob): Promise<void> {
  setAudio({ predicting: true, predictError: null });
  try {
    const { samples, sampleRate } = await decodeAudioFile(blob, name);
    const result = await getClient().call({ kind: 'infer', task: 'audio-classification', samples, sampleRate });
    setAudio({ predicting: false, prediction: { name, clip: blob, result } });
  } catch (err) {
    setAudio({ predicting: false, prediction: null, predictError: userMessageOf(err) });
  }
}

/** Downloads the last run's model: the TF.js zip (model.json, weights.bin, metadata.json, frontend.js, README.md) or model.onnx. */
export function exportAudio(format: 'tfjs' | 'onnx'): Promise<void> {
  return exportTaskModel('audio-classification', format, 'audio', setAudio);
}
