import { useStudio } from '../../state';

/** What Auto chose for the last run and why: the probe's score of every layer it compared. */
export function AutoChoiceNote() {
  const auto = useStudio((s) => (s.runRecord?.task === 'image-classification' ? (s.runRecord.auto ?? null) : null));
  if (!auto) return null;
  return (
    <div className="note" data-testid="train.auto-choice" data-value={auto.layer}>
      <p>Auto: {auto.reason}</p>
      {auto.scores.length > 0 && (
        <details>
          <summary>Scores of the layers compared</summary>
          <table className="compact">
            <thead>
              <tr>
                <th scope="col">Layer</th>
                <th scope="col">Probe accuracy</th>
                <th scope="col">Probe loss</th>
              </tr>
            </thead>
            <tbody>
              {auto.scores.map((s) => (
                <tr key={s.layer} aria-current={s.layer === auto.layer ? 'true' : undefined}>
                  <td>{s.layer === 'output' ? 'model output' : s.layer}</td>
                  <td>{(s.accuracy * 100).toFixed(0)}%</td>
                  <td>{s.loss.toFixed(3)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </div>
  );
}
