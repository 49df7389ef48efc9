/**
 * The image tasks (classification, segmentation, and audio, which reads spectrograms as images)
 * share the image slices: the pre-trained model, the layer table's freezing, the settings and the run
 * on screen. Choosing another image task parks the settings and trainable layers of the one left and
 * brings back the chosen one's (its defaults the first time); the run on screen is cleared, and stays
 * in the runs view.
 */
import { DEFAULT_SETTINGS, type TrainSettings } from '../engine/types';
import { SEG_DEFAULT_SETTINGS } from '../tasks/image-segmentation/defaults';
import { AUDIO_DEFAULT_SETTINGS } from '../tasks/audio-classification/defaults';
import { SEG_RESULTS_RESET } from './segSlice';
import { AUDIO_RESULTS_RESET } from './audioSlice';
import { autoImageSize } from './selectors';
import { useStudio } from './store';
import { CATALOG, offeredFor } from '../models/catalog';
import { chooseCatalogModel } from './modelImport';
import type { ImageTask, StudioState } from './types';

/** A task's settings the first time it is chosen (`imageSizeAuto`: classification follows its images' size). */
function freshSettings(task: ImageTask, s: StudioState): { settings: TrainSettings; imageSizeAuto: boolean } {
  const seed = s.settings.seed;
  if (task === 'image-segmentation') return { settings: { ...SEG_DEFAULT_SETTINGS, seed }, imageSizeAuto: false };
  if (task === 'audio-classification') return { settings: { ...AUDIO_DEFAULT_SETTINGS, seed }, imageSizeAuto: false };
  return { settings: { ...DEFAULT_SETTINGS, seed, imageSize: autoImageSize(s.images) }, imageSizeAuto: true };
}

export function showImageSettingsOf(task: ImageTask): void {
  const s = useStudio.getState();
  if (s.seg.settingsTask === task) return;
  const left = s.seg.settingsTask;
  const parked = { ...s.seg.parked, [left]: { task: left, settings: s.settings, trainable: s.trainable, imageSizeAuto: s.imageSizeAuto } };
  const back = parked[task] ?? null;
  delete parked[task];
  const chosen = back ?? freshSettings(task, s);
  useStudio.setState({
    settings: chosen.settings,
    imageSizeAuto: chosen.imageSizeAuto,
    fieldErrors: {},
    evaluation: null,
    evalState: 'idle',
    evalError: null,
    prediction: null,
    predictError: null,
  });
  s.setTrainable(back?.trainable ?? []);
  s.resetRun();
  s.setSeg({ ...SEG_RESULTS_RESET, settingsTask: task, parked });
  s.setAudio(AUDIO_RESULTS_RESET);
  // A model the catalog keeps for other tasks (the from-scratch CNN under segmentation) gives way to the bundled one.
  if (!offeredFor(s.modelId, task)) void chooseCatalogModel(CATALOG[0]?.id ?? 'mobilenet-v2');
}
