import { cellLook, MatrixTable } from './MatrixTable';

export type Cell = { row: number; col: number };

/** confusion[actual][predicted]; the diagonal (correct answers) is highlighted. Each non-empty cell opens its images (or clips). */
export function ConfusionMatrix(props: {
  labels: string[];
  confusion: number[][];
  selected: Cell | null;
  onSelect: (cell: Cell | null) => void;
  /** What is counted, plural: `images` unless told (audio counts `clips`). */
  unit?: string;
}) {
  const { labels, confusion, selected, unit = 'images' } = props;
  const max = Math.max(1, ...confusion.flat());
  return (
    <MatrixTable
      title="Confusion matrix"
      intro={`Rows: the true class. Columns: what the model predicted. Click a number to see its ${unit}.`}
      labels={labels}
      cell={(i, j, actual, pred) => {
        const n = confusion[i]?.[j] ?? 0;
        const on = selected?.row === i && selected.col === j;
        return (
          <td key={j} {...cellLook(i, j, n, n === 0 ? 0 : 0.15 + 0.6 * (n / max))}>
            <button
              type="button"
              className={`cell-btn${on ? ' cell-on' : ''}`}
              data-testid={`eval.cell.${i}.${j}`}
              data-value={n}
              aria-pressed={on}
              disabled={n === 0}
              aria-label={`${n} ${actual} ${unit} predicted as ${pred}`}
              onClick={() => props.onSelect(on ? null : { row: i, col: j })}
            >
              {n}
            </button>
          </td>
        );
      }}
    />
  );
}
