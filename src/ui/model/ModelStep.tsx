import { Step } from '../common/Step';
import { Alert } from '../common/Alert';
import { retryModel, useStudio } from '../../state';
import { CatalogCards } from './CatalogCards';
import { FreezeControls } from './FreezeControls';
import { LayerTable } from './LayerTable';

export function ModelStep() {
  const modelState = useStudio((s) => s.modelState);
  const modelError = useStudio((s) => s.modelError);
  const noBackend = useStudio((s) => s.backendError !== null);
  return (
    <Step id="step-model" n={2} title="Model" intro="Start from a pre-trained image model and choose which of its layers keep learning.">
      <CatalogCards />
      {modelState === 'idle' && noBackend && <p className="muted">The model loads once a compute backend is running.</p>}
      {modelState === 'loading' && <p className="muted" aria-live="polite">Loading the model…</p>}
      {modelError && <Alert action={{ label: 'Retry', onClick: retryModel }}>{modelError}</Alert>}
      {modelState === 'loaded' && (
        <>
          <FreezeControls />
          <LayerTable />
        </>
      )}
    </Step>
  );
}
