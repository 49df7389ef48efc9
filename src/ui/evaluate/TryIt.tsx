import { predictFile, useShallow, useStudio } from '../../state';
import { Alert } from '../common/Alert';

/** Pick an image and see the trained model's top classes. */
export function TryIt() {
  const { prediction, predicting, predictError, busy } = useStudio(
    useShallow((s) => ({
      prediction: s.prediction,
      predicting: s.predicting,
      predictError: s.predictError,
      busy: s.status === 'running' || s.status === 'loading' || s.status === 'stopping',
    })),
  );
  const top = prediction
    ? prediction.probabilities
        .map((p, i) => ({ label: prediction.labels[i] ?? `class ${i}`, p }))
        .sort((a, b) => b.p - a.p)
        .slice(0, 5)
    : [];
  return (
    <div className="tryit">
      <h3>Try it</h3>
      <label className="btn">
        Choose an image…
        <input
          type="file"
          accept="image/*"
          className="visually-hidden"
          data-testid="predict.file-input"
          disabled={busy || predicting}
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void predictFile(f);
          }}
        />
      </label>
      {predicting && <span className="muted"> Predicting…</span>}
      {predictError && <Alert>{predictError} Try another image.</Alert>}
      {prediction && (
        <ol className="predictions" data-testid="predict.result" data-probabilities={JSON.stringify(prediction.probabilities)}>
          {top.map((t) => (
            <li key={t.label}>
              <span className="pred-label">{t.label}</span>
              <span className="pred-bar">
                <span style={{ width: `${(t.p * 100).toFixed(1)}%` }} />
              </span>
              <span className="num">{(t.p * 100).toFixed(1)}%</span>
            </li>
          ))}
        </ol>
      )}
      {prediction && <p className="muted">{prediction.name}</p>}
    </div>
  );
}
