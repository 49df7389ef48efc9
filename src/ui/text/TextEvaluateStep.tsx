import { useEffect, useMemo, useState } from 'react';
import {
  classifyText,
  exportTextZip,
  generateText,
  isBusy,
  textConfusion,
  textRunDrift,
  updateTextSettings,
  useShallow,
  useStudio,
} from '../../state';
import { RunDriftNotice } from '../common/RunDriftNotice';
import { Alert } from '../common/Alert';
import { Step } from '../common/Step';
import { ClassMetricsTable } from '../evaluate/ClassMetricsTable';
import { ConfusionMatrix, type Cell } from '../evaluate/ConfusionMatrix';
import { TextNumber } from './TextNumber';

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

function GenerateBox() {
  const { generated, generating, tryError, st, busy } = useStudio(
    useShallow(({ text: t }) => ({
      generated: t.generated,
      generating: t.generating,
      tryError: t.tryError,
      st: t.settings,
      busy: isBusy(t.status),
    })),
  );
  const [prompt, setPrompt] = useState('Call me');
  return (
    <div className="generate">
      <h3>Write with your model</h3>
      <label className="field">
        <span>Prompt</span>
        <textarea data-testid="generate.prompt" rows={3} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
      </label>
      <div className="hp-grid">
        <TextNumber
          label="Temperature"
          help="0 = always the likeliest byte; higher = more surprising."
          value={st.temperature}
          min={0}
          max={2}
          testId="generate.temperature"
          onChange={(v) => updateTextSettings({ temperature: v })}
        />
        <TextNumber
          label="Top-k"
          help="Sample only among the k likeliest bytes (0 = all)."
          value={st.topK}
          min={0}
          max={259}
          integer
          testId="generate.top-k"
          onChange={(v) => updateTextSettings({ topK: v })}
        />
        <TextNumber
          label="Length"
          help="Bytes to write."
          value={st.maxTokens}
          min={1}
          max={1000}
          integer
          testId="generate.length"
          onChange={(v) => updateTextSettings({ maxTokens: v })}
        />
      </div>
      <button
        type="button"
        className="btn btn-primary"
        data-testid="generate.run"
        disabled={generating || busy}
        onClick={() => void generateText(prompt)}
      >
        {generating ? 'Writing…' : 'Generate'}
      </button>
      {tryError && <Alert>{tryError}</Alert>}
      <pre className="sample-text generate-output" data-testid="generate.output" aria-live="polite">
        {generated === null ? (
          ''
        ) : (
          <>
            <span className="muted">{prompt}</span>
            {generated}
          </>
        )}
      </pre>
    </div>
  );
}

function ClassificationResults() {
  const { result, labels, valExamples, classified, tryError } = useStudio(
    useShallow(({ text: t }) => ({
      result: t.result,
      labels: t.runLabels,
      valExamples: t.valExamples,
      classified: t.classified,
      tryError: t.tryError,
    })),
  );
  const [selected, setSelected] = useState<Cell | null>(null);
  const [text, setText] = useState('');
  const ev = result?.evaluation ?? null;
  const confusion = useMemo(() => (ev ? textConfusion(ev, labels.length) : []), [ev, labels.length]);
  if (!ev) return null;
  const k = labels.length;
  const rows = valExamples.map((e, i) => {
    const predicted = ev.predicted[i] ?? 0;
    return { text: e.text, actual: ev.labels[i] ?? 0, predicted, confidence: ev.probabilities[i * k + predicted] ?? 0 };
  });
  const mistakes = rows.filter((r) => r.actual !== r.predicted).sort((a, b) => b.confidence - a.confidence);
  const shown = selected ? rows.filter((r) => r.actual === selected.row && r.predicted === selected.col) : mistakes.slice(0, 12);
  return (
    <>
      <div className="metrics">
        <div className="stat" data-testid="eval.accuracy" data-value={ev.accuracy}>
          <span className="stat-value">{(ev.accuracy * 100).toFixed(1)}%</span>
          <span className="stat-label">validation accuracy ({rows.length} texts)</span>
        </div>
        <div className="stat">
          <span className="stat-value">{ev.loss.toFixed(4)}</span>
          <span className="stat-label">validation loss</span>
        </div>
      </div>
      <div className="eval-grid">
        <ConfusionMatrix labels={labels} confusion={confusion} selected={selected} onSelect={setSelected} />
        <ClassMetricsTable labels={labels} confusion={confusion} />
      </div>
      <h3>{selected ? `True “${labels[selected.row]}”, predicted “${labels[selected.col]}”` : 'Most confident mistakes'}</h3>
      {shown.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul className="text-mistakes" data-testid="eval.mistakes">
          {shown.map((r, i) => (
            <li key={i}>
              <span className="muted">
                true {labels[r.actual]} · predicted {labels[r.predicted]} ({(r.confidence * 100).toFixed(0)}%)
              </span>
              <p className="mistake-text" title={r.text}>
                {r.text.replace(/\s+/g, ' ').slice(0, 400)}
              </p>
            </li>
          ))}
        </ul>
      )}
      <h3>Try it</h3>
      <label className="field">
        <span>Text to classify</span>
        <textarea data-testid="text.try-input" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <button type="button" className="btn" data-testid="text.try-run" onClick={() => void classifyText(text)}>
        Classify
      </button>
      {tryError && <Alert>{tryError}</Alert>}
      {classified && (
        <ol className="prediction-bars" data-testid="text.try-result">
          {labels
            .map((l, i) => ({ l, p: classified.probabilities[i] ?? 0 }))
            .sort((a, b) => b.p - a.p)
            .map(({ l, p }) => (
              <li key={l}>
                <strong>{l}</strong> {(p * 100).toFixed(1)}%
              </li>
            ))}
        </ol>
      )}
    </>
  );
}

/** Step 4 for text tasks: generate or evaluate, then download. */
export function TextEvaluateStep() {
  const { result, runTask, exportError, busy } = useStudio(
    useShallow(({ text: t }) => ({ result: t.result, runTask: t.runTask, exportError: t.exportError, busy: isBusy(t.status) })),
  );
  return (
    <Step step="evaluate">
      {!result ? (
        <p className="muted">Train a model in step 3 first.</p>
      ) : (
        <>
          {runTask === 'text-generation' ? <GenerateBox /> : <ClassificationResults />}
          <div className="export">
            <h3>Download</h3>
            <p className="muted">
              One zip: model.json + weights.bin (TF.js weights format), tokenizer.json, metadata.json (task, labels, settings, metrics), a
              model card and lm.js, a small loader that runs it with plain TensorFlow.js.
            </p>
            <button
              type="button"
              className="btn btn-primary"
              data-testid="export.tfjs"
              disabled={busy}
              onClick={() => void exportTextZip()}
            >
              Download model (.zip)
            </button>
            <DownloadNote />
            {exportError && <Alert>{exportError}</Alert>}
          </div>
        </>
      )}
    </Step>
  );
}
