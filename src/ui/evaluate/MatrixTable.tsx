import type { CSSProperties, ReactNode } from 'react';

interface Props {
  title: string;
  /** How to read it, under the title. */
  intro: ReactNode;
  labels: string[];
  /** Classes beside `table matrix`. */
  className?: string;
  /** The cell of true class `i` (`actual`) predicted as `j` (`predicted`): a `<td>` (`cellLook` colours it). */
  cell: (i: number, j: number, actual: string, predicted: string) => ReactNode;
}

/** A cell's class and tint: the diagonal (right answers) and the rest coloured apart, stronger as `alpha` grows. */
export function cellLook(i: number, j: number, n: number, alpha: number): { className: string; style: CSSProperties } {
  return { className: `num ${i === j ? 'diag' : n > 0 ? 'off' : ''}`, style: { ['--cell-alpha' as string]: alpha } };
}

/** A confusion matrix (`eval.confusion-matrix`): a row per true class, a column per prediction. */
export function MatrixTable({ title, intro, labels, className, cell }: Props) {
  return (
    <div className="confusion">
      <h3>{title}</h3>
      <p className="muted">{intro}</p>
      <div className="table-scroll">
        <table className={`table matrix${className ? ` ${className}` : ''}`} data-testid="eval.confusion-matrix">
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
            {labels.map((actual, i) => (
              <tr key={i}>
                <th scope="row">{actual}</th>
                {labels.map((predicted, j) => cell(i, j, actual, predicted))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
