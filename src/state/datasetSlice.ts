import type { StateCreator } from 'zustand';
import {
  classNames,
  datasetWarnings,
  deleteClass,
  mergeIngest,
  moveImages,
  normaliseLabel,
  removeImages,
  renameClass,
  splitDataset,
} from '../data';
import type { DatasetImage } from '../data/types';
import { userMessageOf } from '../lib/errors';
import { autoImageSize } from './selectors';
import type { DatasetSlice, StudioState } from './types';

const EMPTY = { images: [], skipped: [], emptyClasses: [], largeImages: [], warnings: [], split: { train: [], val: [] } };

function cleanName(name: string): string {
  try {
    return normaliseLabel(name.replace(/[\\/]+/g, '-'));
  } catch {
    return '';
  }
}

export const createDatasetSlice: StateCreator<StudioState, [], [], DatasetSlice> = (set, get) => {
  const withImages = (images: DatasetImage[]): void => {
    set({ images });
    get().refreshDerived();
  };
  return {
    ...EMPTY,
    ingesting: false,
    ingestError: null,
    looseClass: 'unlabelled',
    projectName: 'my-project',
    addDataset(result) {
      const s = get();
      const merged = mergeIngest(
        { images: s.images, skipped: s.skipped, emptyClasses: s.emptyClasses, largeImages: s.largeImages },
        result,
      );
      set({ skipped: merged.skipped, emptyClasses: merged.emptyClasses, largeImages: merged.largeImages });
      withImages(merged.images);
    },
    setIngesting: (ingesting) => set({ ingesting }),
    setIngestError: (ingestError) => set({ ingestError }),
    setLooseClass: (looseClass) => set({ looseClass }),
    setProjectName: (projectName) => set({ projectName }),
    renameClass(from, to) {
      const name = cleanName(to);
      if (name === '') return 'A class name cannot be empty.';
      if (name === from) return null;
      if (classNames(get().images).includes(name)) {
        return `There is already a class called “${name}”. Move its images instead, or pick another name.`;
      }
      try {
        withImages(renameClass({ images: get().images }, from, name).images);
        return null;
      } catch (err) {
        return userMessageOf(err);
      }
    },
    deleteClass(name) {
      withImages(deleteClass({ images: get().images }, name).images);
    },
    deleteImages(ids) {
      withImages(removeImages({ images: get().images }, ids).images);
    },
    moveImages(ids, to) {
      const name = cleanName(to);
      if (name === '') return;
      withImages(moveImages({ images: get().images }, ids, name).images);
    },
    clearDataset() {
      set({ ...EMPTY, ingestError: null, projectName: 'my-project' });
      get().refreshDerived();
    },
    refreshDerived() {
      const { images, skipped, emptyClasses, largeImages, settings, imageSizeAuto } = get();
      const split = splitDataset(images, settings.validationSplit, settings.seed);
      const warnings = images.length === 0 && skipped.length === 0 ? [] : datasetWarnings(images, { skipped, emptyClasses, largeImages });
      // While the user has not picked an input size, it follows the dataset's image sizes.
      const imageSize = imageSizeAuto ? autoImageSize(images) : settings.imageSize;
      set({ split, warnings, ...(imageSize !== settings.imageSize ? { settings: { ...settings, imageSize } } : {}) });
    },
  };
};
