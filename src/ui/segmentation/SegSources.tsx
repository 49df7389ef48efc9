import { addSegFiles, loadSegSample, useStudio } from '../../state';
import { inputFilesFromDataTransfer, inputFilesFromFileList } from '../../data/ingest-browser';
import { projectHint } from '../dataset/readDrop';
import { DropZone } from '../common/DropZone';

const ACCEPT = 'image/*,.zip,application/zip,.png,.jpg,.jpeg,.webp,.gif,.bmp,.txt,text/plain';

/** Where image–mask pairs come from: a drop, files, a folder, or the built-in sample. */
export function SegSources() {
  const busy = useStudio((s) => s.seg.busy);
  const add = (files: Parameters<typeof addSegFiles>[0]) => void addSegFiles(files, projectHint(files));
  return (
    <div className="sources">
      <DropZone onDrop={(data) => void inputFilesFromDataTransfer(data).then(add)}>
        <p className="dropzone-title">Drop a folder or .zip with images/ and masks/ here</p>
        <div className="source-buttons">
          <label className="btn">
            Choose files…
            <input
              type="file"
              multiple
              accept={ACCEPT}
              className="visually-hidden"
              data-testid="dataset.file-input"
              onChange={(e) => {
                const files = inputFilesFromFileList(e.target.files ?? []);
                e.target.value = '';
                add(files);
              }}
            />
          </label>
          <label className="btn">
            Choose a folder…
            <input
              type="file"
              multiple
              className="visually-hidden"
              data-testid="dataset.folder-input"
              ref={(el) => {
                el?.setAttribute('webkitdirectory', '');
                el?.setAttribute('directory', '');
              }}
              onChange={(e) => {
                const files = inputFilesFromFileList(e.target.files ?? []);
                e.target.value = '';
                add(files);
              }}
            />
          </label>
          <button
            type="button"
            className="btn btn-primary"
            data-testid="dataset.sample"
            disabled={busy}
            onClick={() => void loadSegSample()}
          >
            Use the sample (cells)
          </button>
        </div>
        <p className="muted seg-layout-hint">
          Each mask is a PNG named like its image (<code>images/a.jpg</code> ↔ <code>masks/a.png</code>). Grey value or palette index =
          class (0 = background, 255 = ignore); colour masks get a colour map below. An optional <code>classes.txt</code> names the classes,
          one a line.
        </p>
        {busy && (
          <p className="muted" aria-live="polite">
            Reading images and checking masks…
          </p>
        )}
      </DropZone>
    </div>
  );
}
