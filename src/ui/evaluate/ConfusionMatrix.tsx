/** confusion[actual][predicted]; the diagonal (correct answers) is highlighted. */
export function ConfusionMatrix({ labels, confusion }: { labels: string[]; confusion: number[][] }) {
  const max = Math.max(1, ...confusion.flat());
  return (
    <div className="confusion">
      <h3>Confusion matrix</h3>
      <p className="muted">Rows: the true class. Columns: what the model predicted.</p>
      <div className="table-scroll">
        <table className="table matrix" data-testid="eval.confusion-matrix">
          <thead>
            <tr>
              <th scope="col">true ↓ / predicted →</th>
              {labels.map((l) => (
                <th key={l} scope="col">
                  {l}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((actual, i) => (
              <tr key={actual}>
                <th scope="row">{actual}</th>
                {labels.map((pred, j) => {
                  const n = confusion[i]?.[j] ?? 0;
                  const diag = i === j;
                  const alpha = n === 0 ? 0 : 0.15 + 0.6 * (n / max);
                  return (
                    <td
                      key={pred}
                      className={`num ${diag ? 'diag' : n > 0 ? 'off' : ''}`}
                      style={{ ['--cell-alpha' as string]: alpha }}
                      aria-label={`${n} ${actual} images predicted as ${pred}`}
                    >
                      {n}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
