import { useMemo } from 'react';
import { cellLook, MatrixTable } from '../evaluate/MatrixTable';

/** Pixels per [truth][prediction], each row as percentages of its truth's pixels; the counts show on hover. */
export function SegConfusion({ labels, confusion }: { labels: string[]; confusion: number[][] }) {
  const totals = useMemo(() => confusion.map((row) => row.reduce((a, b) => a + b, 0)), [confusion]);
  return (
    <MatrixTable
      title="Pixel confusion matrix"
      intro={
        <>
          Rows: the true class of a pixel. Columns: what the model predicted. Each row adds up to 100% of that class&apos;s pixels; hover
          for the counts.
        </>
      }
      labels={labels}
      className="seg-matrix"
      cell={(i, j, actual, pred) => {
        const n = confusion[i]?.[j] ?? 0;
        const total = totals[i] ?? 0;
        const share = total > 0 ? n / total : 0;
        return (
          <td
            key={j}
            {...cellLook(i, j, n, n === 0 ? 0 : 0.1 + 0.65 * share)}
            title={`${n.toLocaleString('en')} of ${total.toLocaleString('en')} ${actual} pixels predicted as ${pred}`}
            data-testid={`eval.cell.${i}.${j}`}
            data-value={n}
          >
            {total > 0 ? `${(share * 100).toFixed(share > 0 && share < 0.001 ? 2 : 1)}%` : '–'}
          </td>
        );
      }}
    />
  );
}
