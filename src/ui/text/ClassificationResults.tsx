import { useMemo, useState } from 'react';
import { textConfusion, useShallow, useStudio } from '../../state';
import { ClassMetricsTable } from '../evaluate/ClassMetricsTable';
import { ConfusionMatrix, type Cell } from '../evaluate/ConfusionMatrix';
import { ClassifyBox } from './ClassifyBox';

/** Text classification's results on the validation texts: accuracy, the confusion matrix, per-class metrics, the mistakes, and try-it. */
export function ClassificationResults() {
  const { result, labels, valExamples } = useStudio(
    useShallow(({ text: t }) => ({ result: t.result, labels: t.runLabels, valExamples: t.valExamples })),
  );
  const [selected, setSelected] = useState<Cell | null>(null);
  const ev = result?.evaluation ?? null;
  const confusion = useMemo(() => (ev ? textConfusion(ev, labels.length) : []), [ev, labels.length]);
  if (!result) return null;
  if (!ev) {
    // A run made current from the runs view on data other than its own: nothing on screen to evaluate it on.
    const acc = result.final.valAccuracy;
    return (
      <>
        <p className="note" data-testid="eval.not-evaluated">
          The texts on screen are not this run’s validation split, so it is not evaluated again here
          {acc !== null && Number.isFinite(acc) ? ` (it reached ${(acc * 100).toFixed(1)}% on its own split)` : ''}. Load the data it was
          trained on to see its confusion matrix and mistakes.
        </p>
        <ClassifyBox labels={labels} />
      </>
    );
  }
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
      <ClassifyBox labels={labels} />
    </>
  );
}
