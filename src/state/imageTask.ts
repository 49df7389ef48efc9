/**
 * The two image tasks (classification, segmentation) share the image slices: the pre-trained model,
 * the layer table's freezing, the settings and the run on screen. Choosing the other image task parks
 * the settings and trainable layers of the one left and brings back the chosen one's (its defaults the
 * first time); the run on screen is cleared, and stays in the runs view.
 */
import { DEFAULT_SETTINGS } from '../engine/types';
import { SEG_DEFAULT_SETTINGS } from '../tasks/image-segmentation/defaults';
import { SEG_RESULTS_RESET } from './segSlice';
import { autoImageSize } from './selectors';
import { useStudio } from './store';
import type { ImageTask, ParkedImageSettings } from './types';

export function showImageSettingsOf(task: ImageTask): void {
  const s = useStudio.getState();
  if (s.seg.settingsTask === task) return;
  const parked: ParkedImageSettings = {
    task: s.seg.settingsTask,
    settings: s.settings,
    trainable: s.trainable,
    imageSizeAuto: s.imageSizeAuto,
  };
  const back = s.seg.parked?.task === task ? s.seg.parked : null;
  const fresh =
    task === 'image-segmentation'
      ? { settings: { ...SEG_DEFAULT_SETTINGS, seed: s.settings.seed }, imageSizeAuto: false }
      : { settings: { ...DEFAULT_SETTINGS, seed: s.settings.seed, imageSize: autoImageSize(s.images) }, imageSizeAuto: true };
  useStudio.setState({
    settings: back?.settings ?? fresh.settings,
    imageSizeAuto: back?.imageSizeAuto ?? fresh.imageSizeAuto,
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
}
