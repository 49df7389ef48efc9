import { addSegFiles, loadSegSample, useStudio } from '../../state';
import { DropSources } from '../dataset/DropSources';

const ACCEPT = 'image/*,.zip,application/zip,.png,.jpg,.jpeg,.webp,.gif,.bmp,.txt,text/plain';

/** Where image–mask pairs come from: a drop, files, a folder, or the built-in sample. */
export function SegSources() {
  const busy = useStudio((s) => s.seg.busy);
  return (
    <DropSources
      title="Drop a folder or .zip with images/ and masks/ here"
      accept={ACCEPT}
      add={addSegFiles}
      sampleLabel="Use the sample (cells)"
      loadSample={loadSegSample}
      busy={busy}
      busyText="Reading images and checking masks…"
    >
      <p className="muted seg-layout-hint">
        Each mask is a PNG named like its image (<code>images/a.jpg</code> ↔ <code>masks/a.png</code>). Grey value or palette index = class
        (0 = background, 255 = ignore); colour masks get a colour map below. An optional <code>classes.txt</code> names the classes, one a
        line.
      </p>
    </DropSources>
  );
}
