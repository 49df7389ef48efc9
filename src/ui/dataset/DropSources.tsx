import type { ReactNode } from 'react';
import type { InputFile } from '../../state';
import { inputFilesFromDataTransfer, inputFilesFromFileList } from '../../data/ingest-browser';
import { DropZone } from '../common/DropZone';
import { FilePicker } from '../common/FilePicker';
import { projectHint } from './readDrop';

interface Props {
  /** The drop zone's headline: what to drop. */
  title: string;
  /** What the file picker offers. */
  accept: string;
  /** Takes dropped or picked files (the project name hint from the first folder or zip). */
  add: (files: InputFile[], projectHint?: string) => Promise<void>;
  sampleLabel: string;
  loadSample: () => Promise<void>;
  /** While files are read: the sample button waits and `busyText` shows. */
  busy: boolean;
  busyText: string;
  /** Under the buttons (a hint, a field). */
  children?: ReactNode;
}

/** Where an image task's files come from: a drop, files, a folder, or the built-in sample. */
export function DropSources({ title, accept, add, sampleLabel, loadSample, busy, busyText, children }: Props) {
  const take = (files: InputFile[]) => void add(files, projectHint(files));
  const pick = (files: File[]) => take(inputFilesFromFileList(files));
  return (
    <div className="sources">
      <DropZone onDrop={(data) => void inputFilesFromDataTransfer(data).then(take)}>
        <p className="dropzone-title">{title}</p>
        <div className="source-buttons">
          <FilePicker label="Choose files…" testId="dataset.file-input" multiple accept={accept} onFiles={pick} />
          <FilePicker label="Choose a folder…" testId="dataset.folder-input" multiple folder onFiles={pick} />
          <button type="button" className="btn btn-primary" data-testid="dataset.sample" disabled={busy} onClick={() => void loadSample()}>
            {sampleLabel}
          </button>
        </div>
        {children}
        {busy && (
          <p className="muted" aria-live="polite">
            {busyText}
          </p>
        )}
      </DropZone>
    </div>
  );
}
