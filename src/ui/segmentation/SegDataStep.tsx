import { Step } from '../common/Step';
import { Alert } from '../common/Alert';
import { useStudio } from '../../state';
import { SegSources } from './SegSources';
import { SegSummary } from './SegSummary';
import { SegIssues } from './SegIssues';
import { SegClassTable } from './SegClassTable';
import { ColourMapEditor } from './ColourMapEditor';
import { SegThumbs } from './SegThumbs';
import './segmentation.css';

/** Step 1 for segmentation: images with their masks in, checked, counted and shown with the masks over them. */
export function SegDataStep() {
  const error = useStudio((s) => s.seg.error);
  const hasPairs = useStudio((s) => s.seg.pairs.length > 0);
  return (
    <Step step="data">
      <SegSources />
      {error && <Alert action={{ label: 'Dismiss', onClick: () => useStudio.getState().setSeg({ error: null }) }}>{error}</Alert>}
      <SegSummary />
      <SegIssues />
      {hasPairs && (
        <div className="seg-data-grid">
          <div className="seg-data-side">
            <SegClassTable />
            <ColourMapEditor />
          </div>
          <SegThumbs />
        </div>
      )}
    </Step>
  );
}
