import { addFiles, loadSample, useStudio } from '../../state';
import { DropSources } from './DropSources';

const ACCEPT = 'image/*,.zip,application/zip,.jpg,.jpeg,.png,.webp,.gif,.bmp';

export function DataSources() {
  const ingesting = useStudio((s) => s.ingesting);
  const looseClass = useStudio((s) => s.looseClass);
  return (
    <DropSources
      title="Drop images, class folders or a .zip here"
      accept={ACCEPT}
      add={addFiles}
      sampleLabel="Use the sample (shapes)"
      loadSample={loadSample}
      busy={ingesting}
      busyText="Reading and checking images…"
    >
      <div className="loose">
        <label htmlFor="loose-class">Add loose images (not in a folder) to class</label>
        <input id="loose-class" type="text" value={looseClass} onChange={(e) => useStudio.getState().setLooseClass(e.target.value)} />
      </div>
    </DropSources>
  );
}
