/** The studio's state: the store, its selectors and the actions views call. */
export { useShallow } from 'zustand/react/shallow';
export { useStudio } from './store';
export * from './selectors';
export * from './controller';
export * from './evalMetrics';
export { batchMetrics } from './metricsBuffer';
export type { MetricsBuffer } from './metricsBuffer';
export { fieldPatch, parseField, readField, RULES } from './validation';
export { augmentPreview, firstTrainImageId } from './augmentPreview';
export type { NumericField } from './validation';
export type * from './types';
export { chooseCatalogModel, dismissImportError, importModelFiles, importModelUrl, refreshCachedModels } from './modelImport';
export { newProject, openProject, renameProject, duplicateProject, deleteProject } from './projectActions';
export * from './text';
