import { useEffect, useState } from 'react';
import { exportTextZip, isBusy, textRunDrift, useShallow, useStudio } from '../../state';
import { RunDriftNotice } from '../common/RunDriftNotice';
import { Alert } from '../common/Alert';

/** What changed since the text run trained; recomputed (hashing the texts off the render) when its inputs change. */
function useDriftSinceRun(): string[] {
  const inputs = useStudio(
    useShallow(({ text: t }) => ({
      record: t.record,
      corpus: t.corpus,
      examples: t.examples,
      settings: t.settings,
      seed: t.seed,
      trainable: t.trainable,
    })),
  );
  const [drift, setDrift] = useState<{ of: typeof inputs; changes: string[] } | null>(null);
  useEffect(() => {
    let live = true;
    void textRunDrift(useStudio.getState().text).then((changes) => {
      if (live) setDrift({ of: inputs, changes });
    });
    return () => {
      live = false;
    };
  }, [inputs]);
  return drift?.of === inputs ? drift.changes : [];
}

function DownloadNote() {
  const record = useStudio((s) => s.text.record);
  const changes = useDriftSinceRun();
  if (!record) return null;
  const s = record.settings;
  const trained = `${record.metrics.epochsCompleted} of ${s.epochs} epochs at learning rate ${s.learningRate}${record.labels.length ? `, labels ${record.labels.join(', ')}` : ''}`;
  return <RunDriftNotice trained={trained} changes={changes} />;
}

/** The text tasks' download: a TF.js zip (lm.js) for GPT-2-style models, Hugging Face layout for an imported one, and what changed since the model in it trained. */
export function TextExportPanel() {
  const { exportError, busy, hf, lora, generator } = useStudio(
    useShallow(({ text: t }) => ({
      exportError: t.exportError,
      busy: isBusy(t.status),
      hf: t.record?.model.source === 'hf',
      lora: Boolean(t.record?.settings.lora),
      generator: t.record?.task === 'text-generation',
    })),
  );
  const tfjs = (
    <>
      <p className="muted">
        {hf ? 'Or for TensorFlow.js: ' : 'One zip: '}model.json + weights.bin (TF.js weights format)
        {lora ? ' with the adapters merged in' : ''}, tokenizer.json, metadata.json (task, labels, settings, metrics), a model card and
        lm.js, a small loader that runs it with plain TensorFlow.js.
      </p>
      <button type="button" className="btn btn-primary" data-testid="export.tfjs" disabled={busy} onClick={() => void exportTextZip()}>
        Download for TF.js (.zip)
      </button>
    </>
  );
  return (
    <div className="export">
      <h3>Download</h3>
      {hf ? (
        <>
          <p className="muted">
            One zip in Hugging Face layout, which transformers loads as it is: config.json, the tokenizer files as they came,
            model.safetensors
            {lora
              ? ' with the adapters merged in, and the adapter alone as PEFT writes it (adapter_config.json, adapter_model.safetensors)'
              : ''}
            , a model card and the run record.
          </p>
          <button
            type="button"
            className="btn btn-primary"
            data-testid="export.hf"
            disabled={busy}
            onClick={() => void exportTextZip('hf')}
          >
            Download for Hugging Face (.zip)
          </button>
          {/* lm.js runs GPT-2-style decoders: an imported BERT or DistilBERT classifier downloads in Hugging Face layout only. */}
          {generator ? tfjs : <p className="muted">No TF.js download for an encoder (BERT, DistilBERT): lm.js runs GPT-2-style models.</p>}
        </>
      ) : (
        tfjs
      )}
      <DownloadNote />
      {exportError && <Alert>{exportError}</Alert>}
    </div>
  );
}
