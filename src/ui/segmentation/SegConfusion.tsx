/** Pixels per [truth][prediction], each row as percentages of its truth's pixels; the counts show on hover. */
export function SegConfusion({ labels, confusion }: { labels: string[]; confusion: number[][] }) {
  return (
    <div className="confusion">
      <h3>Pixel confusion matrix</h3>
      <p className="muted">
        Rows: the true class of a pixel. Columns: what the model predicted. Each row adds up to 100% of that class&apos;s pixels; hover for
        the counts.
      </p>
      <div className="table-scroll">
        <table className="table matrix seg-matrix" data-testid="eval.confusion-matrix">
          <thead>
            <tr>
              <th scope="col">true ↓ / predicted →</th>
              {labels.map((l, j) => (
                <th key={j} scope="col">
                  {l}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((actual, i) => {
              const row = confusion[i] ?? [];
              const total = row.reduce((a, b) => a + b, 0);
              return (
                <tr key={i}>
                  <th scope="row">{actual}</th>
                  {labels.map((pred, j) => {
                    const n = row[j] ?? 0;
                    const share = total > 0 ? n / total : 0;
                    const alpha = n === 0 ? 0 : 0.1 + 0.65 * share;
                    return (
                      <td
                        key={j}
                        className={`num ${i === j ? 'diag' : n > 0 ? 'off' : ''}`}
                        style={{ ['--cell-alpha' as string]: alpha }}
                        title={`${n.toLocaleString('en')} of ${total.toLocaleString('en')} ${actual} pixels predicted as ${pred}`}
                        data-testid={`eval.cell.${i}.${j}`}
                        data-value={n}
                      >
                        {total > 0 ? `${(share * 100).toFixed(share > 0 && share < 0.001 ? 2 : 1)}%` : '–'}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
