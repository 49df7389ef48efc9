interface Props {
  label: string;
  testId: string;
  /** The picked files, taken before the input is cleared (so picking the same files again fires again). */
  onFiles: (files: File[]) => void;
  accept?: string;
  multiple?: boolean;
  /** Pick a whole folder: each file keeps its path below it (`webkitRelativePath`). */
  folder?: boolean;
  disabled?: boolean;
  className?: string;
}

/** The browser's directory picker has no React prop: the attributes are set on the element. */
function asFolderPicker(el: HTMLInputElement | null) {
  el?.setAttribute('webkitdirectory', '');
  el?.setAttribute('directory', '');
}

/** A button that opens the file (or folder) picker: a label around a hidden file input. */
export function FilePicker({ label, testId, onFiles, accept, multiple, folder, disabled, className = 'btn' }: Props) {
  return (
    <label className={className}>
      {label}
      <input
        type="file"
        multiple={multiple}
        accept={accept}
        className="visually-hidden"
        data-testid={testId}
        disabled={disabled}
        ref={folder ? asFolderPicker : undefined}
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = '';
          onFiles(files);
        }}
      />
    </label>
  );
}
