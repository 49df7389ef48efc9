import { useState } from 'react';
import { importModelFiles, importModelUrl, isBusy, useStudio } from '../../state';
import { DropZone } from '../common/DropZone';
import { FilePicker } from '../common/FilePicker';
import { DownloadBar } from './DownloadBar';

/** Import a TF.js model: model.json with its .bin weight files (picked or dropped), or a model.json URL. */
export function ModelImport() {
  const [url, setUrl] = useState('');
  const [range, setRange] = useState<'0,1' | '-1,1'>('0,1');
  const inputRange: [number, number] = range === '0,1' ? [0, 1] : [-1, 1];
  const pending = useStudio((s) => s.pendingModelId);
  const busy = useStudio((s) => isBusy(s.status));
  const part = useStudio((s) => (s.text.task === 'image-segmentation' ? 'decoder' : 'head'));
  const disabled = busy || pending !== null;
  const importing = pending !== null && (pending.startsWith('import-') || pending.startsWith('url-'));

  const onDrop = (data: DataTransfer) => {
    if (!disabled) void importModelFiles(Array.from(data.files), inputRange);
  };

  return (
    <details className="model-import" data-testid="model.import">
      <summary>
        Use your own model (TF.js model.json, a studio or Teachable Machine zip, a URL; a Hugging Face GPT-2 folder opens text generation)
      </summary>
      <label className="import-range">
        <span>The model expects pixels in</span>
        <select data-testid="model.import-range" value={range} onChange={(e) => setRange(e.target.value as '0,1' | '-1,1')}>
          <option value="0,1">[0, 1] (Keras rescaling, most exports)</option>
          <option value="-1,1">[-1, 1] (MobileNet, Inception preprocessing)</option>
        </select>
      </label>
      <DropZone small testId="model.import-drop" onDrop={onDrop}>
        <p className="dropzone-title">Drop model.json together with its .bin weight files</p>
        <FilePicker
          label="Choose model files…"
          testId="model.import-files"
          className={`btn ${disabled ? 'btn-disabled' : ''}`}
          multiple
          accept=".json,.jsonl,.bin,.zip,.safetensors,.txt,application/json,application/octet-stream,application/zip"
          disabled={disabled}
          onFiles={(files) => void importModelFiles(files, inputRange)}
        />
        <p className="muted">
          A TF.js Layers model (from <code>tensorflowjs_converter</code> or <code>model.save()</code>). If it ends in a classifier, the
          studio removes it and adds its own {part}.
        </p>
        <p className="muted">
          A PyTorch training job (exported in step 3) comes back with its curves: pick the <code>model.zip</code> and{' '}
          <code>metrics.jsonl</code> from its output folder together.
        </p>
      </DropZone>
      <form
        className="import-url"
        onSubmit={(e) => {
          e.preventDefault();
          if (!disabled) void importModelUrl(url, inputRange);
        }}
      >
        <label htmlFor="model-import-url">Or load a model.json from a URL (Layers or graph model)</label>
        <span className="import-url-row">
          <input
            id="model-import-url"
            type="url"
            placeholder="https://…/model.json"
            value={url}
            data-testid="model.import-url"
            onChange={(e) => setUrl(e.target.value)}
          />
          <button type="submit" className="btn" data-testid="model.import-url-load" disabled={disabled || url.trim() === ''}>
            Load
          </button>
        </span>
      </form>
      {importing && <DownloadBar />}
    </details>
  );
}
