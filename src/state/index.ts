/** The studio's state: the store, its selectors and the actions views call. */
export { useShallow } from 'zustand/react/shallow';
export { useStudio } from './store';
export * from './selectors';
export * from './controller';
export * from './evalMetrics';
export { batchMetrics, textBatchMetrics } from './metricsBuffer';
export type { MetricsBuffer } from './metricsBuffer';
export { fieldPatch, parseField, readField, RULES } from './validation';
export { augmentPreview, firstTrainImageId } from './augmentPreview';
export type { NumericField } from './validation';
export type * from './types';
export {
  chooseCatalogModel,
  dismissImportError,
  importModelFiles,
  importModelUrl,
  importTextFiles,
  refreshCachedModels,
} from './modelImport';
export { newProject, openProject, renameProject, duplicateProject, deleteProject } from './projectActions';
export { DEFAULT_TEXT_SETTINGS, TEXT_LM, isTextTask } from './textSlice';
export * from './textSelectors';
export * from './textModel';
export * from './textData';
export * from './textTraining';
export * from './textResults';
export { exportJob, jobExportBlocker, runStartBlocker } from './jobExport';
export { applyLrSuggestion, currentLearningRate, lrFinderBlocker, runLrFinder, stopLrFinder, undoLrSuggestion } from './lrFinder';
export { IDLE_LR_FINDER } from './lrFinderSlice';
export * from './runsActions';
export * from './runRows';
export * from './sweep';
export { textTrialSettings } from './textSweep';
export { DEFAULT_SPACE, rungEpochs, type SweepSpace, type TrialParams, type TrialState } from '../engine/sweep';
export { addSegFiles, clearSegData, loadSegSample, setSegColourClass } from './segData';
export { currentSegSplit, segSplitOf, segStartBlocker, segTrainableParams } from './segSelectors';
export { evaluateSeg, exportSeg, predictSegFile, reevaluateSeg, startSegTraining } from './segTraining';
export { isImageTask } from './textSlice';
export { evaluateAudio, exportAudio, predictAudioClip, reevaluateAudio, startAudioTraining } from './audioTraining';
export {
  addAudioFiles,
  addRecording,
  clearAudio,
  loadAudioSample,
  removeAudioClass,
  removeAudioClip,
  SAMPLE_GROUP_KEY,
  setAudioGroupKey,
} from './audioData';
export {
  audioClassSummary,
  audioGroupKeyError,
  audioGroupNotice,
  audioStartBlocker,
  currentAudioSplit,
  groupOfClip,
  type AudioClassRow,
} from './audioSelectors';
