import { Step } from '../common/Step';
import { Alert } from '../common/Alert';
import { useStudio } from '../../state';
import { DataSources } from './DataSources';
import { DatasetSummary } from './DatasetSummary';
import { DatasetWarnings } from './DatasetWarnings';
import { ClassList } from './ClassList';
import { ThumbGrid } from './ThumbGrid';

export function DatasetStep() {
  const ingestError = useStudio((s) => s.ingestError);
  const hasImages = useStudio((s) => s.images.length > 0);
  return (
    <Step step="data">
      <DataSources />
      {ingestError && (
        <Alert action={{ label: 'Dismiss', onClick: () => useStudio.getState().setIngestError(null) }}>
          {ingestError} Nothing you had already added was lost.
        </Alert>
      )}
      <DatasetSummary />
      <DatasetWarnings />
      {hasImages && (
        <div className="dataset-grid">
          <ClassList />
          <ThumbGrid />
        </div>
      )}
    </Step>
  );
}
