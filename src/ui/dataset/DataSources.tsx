import { addFiles, loadSample, useStudio } from '../../state';
import { inputFilesFromDataTransfer, inputFilesFromFileList } from '../../data/ingest-browser';
import { projectHint } from './readDrop';
import { DropZone } from '../common/DropZone';

const ACCEPT = 'image/*,.zip,application/zip,.jpg,.jpeg,.png,.webp,.gif,.bmp';

export function DataSources() {
  const ingesting = useStudio((s) => s.ingesting);
  const looseClass = useStudio((s) => s.looseClass);

  const onDrop = (data: DataTransfer) => {
    void inputFilesFromDataTransfer(data).then((files) => addFiles(files, projectHint(files)));
  };

  return (
    <div className="sources">
      <DropZone onDrop={onDrop}>
        <p className="dropzone-title">Drop images, class folders or a .zip here</p>
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
                void addFiles(files, projectHint(files));
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
                void addFiles(files, projectHint(files));
              }}
            />
          </label>
          <button
            type="button"
            className="btn btn-primary"
            data-testid="dataset.sample"
            disabled={ingesting}
            onClick={() => void loadSample()}
          >
            Use the sample (shapes)
          </button>
        </div>
        <div className="loose">
          <label htmlFor="loose-class">Add loose images (not in a folder) to class</label>
          <input id="loose-class" type="text" value={looseClass} onChange={(e) => useStudio.getState().setLooseClass(e.target.value)} />
        </div>
        {ingesting && (
          <p className="muted" aria-live="polite">
            Reading and checking images…
          </p>
        )}
      </DropZone>
    </div>
  );
}
