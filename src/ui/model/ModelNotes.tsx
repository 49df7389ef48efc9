import { useStudio } from '../../state';

/** Which model is loaded, and how the studio adapted it (a removed classifier, a frozen graph). */
export function ModelNotes() {
  const summary = useStudio((s) => s.summary);
  if (!summary) return null;
  return (
    <div
      className="model-notes"
      data-testid="model.loaded"
      data-value={summary.name}
      data-params={summary.totalParams}
      data-model={summary.id}
      data-format={summary.format ?? 'layers'}
    >
      <p>
        <strong>{summary.name}</strong>{' '}
        <span className="muted">
          · {summary.layers.length} layers · {summary.totalParams.toLocaleString('en')} parameters · input {summary.inputSize}×
          {summary.inputSize} · pixels in [{summary.inputRange.join(', ')}]
        </span>
      </p>
      {(summary.notes ?? []).map((n) => (
        <p key={n} className="note" data-testid="model.note">
          {n}
        </p>
      ))}
    </div>
  );
}
