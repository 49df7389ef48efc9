import type { ReactNode } from 'react';

/** A share as a percentage with one decimal; a dash where there is none (a class never predicted, or absent). */
export const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);

export interface MetricColumn {
  label: string;
  /** What the number means, on hover. */
  title?: string;
}

interface Props {
  /** The metric columns after the class name. */
  columns: MetricColumn[];
  /** One row per class (`eval.class-metrics.<label>`). */
  children: ReactNode;
  /** The summary row's cells (an average). */
  footer: ReactNode;
}

/** The "Per class" table of an evaluation (`eval.class-metrics`): a class per row, a metric per column. */
export function PerClassTable({ columns, children, footer }: Props) {
  return (
    <div className="class-metrics">
      <h3>Per class</h3>
      <div className="table-scroll">
        <table className="table" data-testid="eval.class-metrics">
          <thead>
            <tr>
              <th scope="col">class</th>
              {columns.map((c) => (
                <th key={c.label} scope="col" className="num" title={c.title}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{children}</tbody>
          <tfoot>
            <tr>{footer}</tr>
          </tfoot>
        </table>
      </div>
    </div>
  );
}
