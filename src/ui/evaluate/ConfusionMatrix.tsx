export type Cell = { row: number; col: number };

/** confusion[actual][predicted]; the diagonal (correct answers) is highlighted. Each non-empty cell opens its images. */
export function ConfusionMatrix(props: {
  labels: string[];
  confusion: number[][];
  selected: Cell | null;
  onSelect: (cell: Cell | null) => void;
}) {
  const { labels, confusion, selected } = props;
  const max = Math.max(1, ...confusion.flat());
  return (
    <div className="confusion">
      <h3>Confusion matrix</h3>
      <p className="muted">Rows: the true class. Columns: what the model predicted. Click a number to see its images.</p>
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
                  const on = selected?.row === i && selected.col === j;
                  return (
                    <td key={pred} className={`num ${diag ? 'diag' : n > 0 ? 'off' : ''}`} style={{ ['--cell-alpha' as string]: alpha }}>
                      <button
                        type="button"
                        className={`cell-btn${on ? ' cell-on' : ''}`}
                        data-testid={`eval.cell.${i}.${j}`}
                        data-value={n}
                        aria-pressed={on}
                        disabled={n === 0}
                        aria-label={`${n} ${actual} images predicted as ${pred}`}
                        onClick={() => props.onSelect(on ? null : { row: i, col: j })}
                      >
                        {n}
                      </button>
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
