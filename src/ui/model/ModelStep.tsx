import { useEffect } from 'react';
import { Step } from '../common/Step';
import { Alert } from '../common/Alert';
import { GRAPH_TRAIN_MESSAGE } from '../../engine/types';
import { dismissImportError, graphTrainBlocked, refreshCachedModels, retryModel, useStudio } from '../../state';
import { CatalogCards } from './CatalogCards';
import { FreezeControls } from './FreezeControls';
import { LayerTable } from './LayerTable';
import { ModelImport } from './ModelImport';
import { ModelNotes } from './ModelNotes';
import { DecoderNote } from '../segmentation/DecoderNote';

export function ModelStep() {
  const modelState = useStudio((s) => s.modelState);
  const modelError = useStudio((s) => s.modelError);
  const importError = useStudio((s) => s.importError);
  const graphBlocked = useStudio(graphTrainBlocked);
  const noBackend = useStudio((s) => s.backendError !== null);
  const seg = useStudio((s) => s.text.task === 'image-segmentation');
  useEffect(() => {
    void refreshCachedModels();
  }, []);
  return (
    <Step step="model">
      <CatalogCards />
      <ModelImport />
      {importError && (
        <Alert testId="model.import-error" action={{ label: 'Dismiss', onClick: dismissImportError }}>
          {importError} The current model stays loaded.
        </Alert>
      )}
      {modelState === 'idle' && noBackend && <p className="muted">The model loads once a compute backend is running.</p>}
      {modelState === 'loading' && (
        <p className="muted" aria-live="polite">
          Loading the model…
        </p>
      )}
      {modelError && <Alert action={{ label: 'Retry', onClick: retryModel }}>{modelError}</Alert>}
      {modelState === 'loaded' && (
        <>
          <ModelNotes />
          {seg && <DecoderNote />}
          {graphBlocked && !seg && (
            <Alert
              testId="model.graph-train-error"
              action={{ label: 'Head only', onClick: () => useStudio.getState().applyPreset('head-only') }}
            >
              {GRAPH_TRAIN_MESSAGE}
            </Alert>
          )}
          <FreezeControls />
          <LayerTable />
        </>
      )}
    </Step>
  );
}
