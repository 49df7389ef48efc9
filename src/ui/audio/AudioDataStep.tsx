import { Step } from '../common/Step';
import { Alert } from '../common/Alert';
import { useStudio } from '../../state';
import { AudioSources } from './AudioSources';
import { AudioSummary } from './AudioSummary';
import { AudioWarnings } from './AudioWarnings';
import { AudioClassTable } from './AudioClassTable';
import { AudioGroupKeyField } from './AudioGroupKeyField';
import { RecordIntoClass } from './RecordIntoClass';
import { AudioGallery } from './AudioGallery';
import './audio.css';

/** Step 1 for audio: clips in class folders in (or recorded), checked, counted, grouped by speaker and shown. */
export function AudioDataStep() {
  const error = useStudio((s) => s.audio.error);
  const hasClips = useStudio((s) => s.audio.clips.length > 0);
  return (
    <Step step="data">
      <AudioSources />
      {error && <Alert action={{ label: 'Dismiss', onClick: () => useStudio.getState().setAudio({ error: null }) }}>{error}</Alert>}
      <AudioSummary />
      <AudioWarnings />
      <div className="audio-data-grid">
        <div className="audio-data-side">
          {hasClips && <AudioClassTable />}
          <AudioGroupKeyField />
          <RecordIntoClass />
        </div>
        {hasClips && <AudioGallery />}
      </div>
    </Step>
  );
}
