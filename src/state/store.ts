/** The one store, built from typed slices. Only src/state imports zustand. */
import { create } from 'zustand';
import { createDatasetSlice } from './datasetSlice';
import { createEvaluationSlice } from './evaluationSlice';
import { createLrFinderSlice } from './lrFinderSlice';
import { createModelSlice } from './modelSlice';
import { createProjectSlice } from './projectSlice';
import { createSegSlice } from './segSlice';
import { createAudioSlice } from './audioSlice';
import { createRunsSlice } from './runsSlice';
import { createSettingsSlice } from './settingsSlice';
import { createSweepSlice } from './sweepSlice';
import { createTextSlice } from './textSlice';
import { createTrainingSlice } from './trainingSlice';
import type { StudioState } from './types';

export function createStudioStore() {
  return create<StudioState>()((...a) => ({
    ...createDatasetSlice(...a),
    ...createModelSlice(...a),
    ...createSettingsSlice(...a),
    ...createTrainingSlice(...a),
    ...createEvaluationSlice(...a),
    ...createTextSlice(...a),
    ...createProjectSlice(...a),
    ...createLrFinderSlice(...a),
    ...createRunsSlice(...a),
    ...createSweepSlice(...a),
    ...createSegSlice(...a),
    ...createAudioSlice(...a),
  }));
}

export const useStudio = createStudioStore();
