import { classMetrics, macroAverage } from '../../state';
import { PerClassTable, pct, type MetricColumn } from './PerClassTable';

const COLUMNS: MetricColumn[] = [
  { label: 'precision', title: 'Of the images predicted as this class, how many are it' },
  { label: 'recall', title: 'Of the images of this class, how many were found' },
  { label: 'F1' },
  { label: 'support', title: 'Validation images of this class' },
];

/** Precision, recall, F1 and support per class, with the macro average. */
export function ClassMetricsTable({ labels, confusion }: { labels: string[]; confusion: number[][] }) {
  const rows = classMetrics(confusion, labels);
  const support = rows.reduce((n, r) => n + r.support, 0);
  return (
    <PerClassTable
      columns={COLUMNS}
      footer={
        <>
          <th scope="row">macro average</th>
          <td className="num">{pct(macroAverage(rows.map((r) => r.precision)))}</td>
          <td className="num">{pct(macroAverage(rows.map((r) => r.recall)))}</td>
          <td className="num">{pct(macroAverage(rows.map((r) => r.f1)))}</td>
          <td className="num">{support}</td>
        </>
      }
    >
      {rows.map((r) => (
        <tr key={r.label} data-testid={`eval.class-metrics.${r.label}`}>
          <th scope="row">{r.label}</th>
          <td className="num">{pct(r.precision)}</td>
          <td className="num">{pct(r.recall)}</td>
          <td className="num">{pct(r.f1)}</td>
          <td className="num">{r.support}</td>
        </tr>
      ))}
    </PerClassTable>
  );
}
