import { importTextFiles, isBusy, switchToBundledTextModel, useShallow, useStudio } from '../../state';
import { inputFilesFromDataTransfer, inputFilesFromFileList } from '../../data/ingest-browser';
import { Alert } from '../common/Alert';
import { DropZone } from '../common/DropZone';
import { FilePicker } from '../common/FilePicker';

/**
 * Bring a Hugging Face model (the files of its folder: config.json, tokenizer.json, model.safetensors
 * or shards), or the studio's own text export (its model.zip, a job's metrics.jsonl beside it), picked or dropped.
 */
export function HfImport() {
  const s = useStudio(
    useShallow(({ text: t }) => ({
      busy: isBusy(t.status) || t.baseState === 'loading',
      importError: t.importError,
      imported: t.base !== null && t.base.source !== 'bundled',
    })),
  );
  const onDrop = (data: DataTransfer) => {
    if (s.busy) return;
    void inputFilesFromDataTransfer(data).then((files) => importTextFiles(files));
  };
  return (
    <details className="model-import" data-testid="model.import" open={s.imported || s.importError !== null}>
      <summary>Use your own transformer (a Hugging Face GPT-2, BERT or DistilBERT folder)</summary>
      <DropZone small testId="model.import-drop" onDrop={onDrop}>
        <p className="dropzone-title">Drop the model folder, or pick its files</p>
        <FilePicker
          label="Choose model files…"
          testId="model.import-files"
          className={`btn ${s.busy ? 'btn-disabled' : ''}`}
          multiple
          accept=".json,.safetensors,.txt,.zip,.bin,.js,.jsonl,application/json,application/zip,application/octet-stream"
          disabled={s.busy}
          onFiles={(files) => void importTextFiles(inputFilesFromFileList(files))}
        />
        <p className="muted">
          <code>config.json</code>, <code>tokenizer.json</code> (with <code>tokenizer_config.json</code> and{' '}
          <code>generation_config.json</code> when it has them) and <code>model.safetensors</code>, or its shards with{' '}
          <code>model.safetensors.index.json</code>. GPT-2 and DistilGPT-2 (<code>model_type: gpt2</code>) fine-tune for text generation,
          with LoRA adapters by default; BERT and DistilBERT (<code>bert</code>, <code>distilbert</code>) for text classification, with a
          new head on its pooled output. A text generator exported by the studio (its <code>model.zip</code>, or the one a training job
          wrote, with that job&apos;s <code>metrics.jsonl</code> to bring its run back) continues from its weights. The files stay on this
          machine.
        </p>
      </DropZone>
      {s.imported && (
        <button
          type="button"
          className="btn"
          data-testid="model.use-bundled"
          disabled={s.busy}
          onClick={() => void switchToBundledTextModel()}
        >
          Back to the bundled model
        </button>
      )}
      {s.importError && <Alert>{s.importError}</Alert>}
    </details>
  );
}
