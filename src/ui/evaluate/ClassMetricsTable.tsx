import { classMetrics, macroAverage } from '../../state';

const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);

/** Precision, recall, F1 and support per class, with the macro average. */
export function ClassMetricsTable({ labels, confusion }: { labels: string[]; confusion: number[][] }) {
  const rows = classMetrics(confusion, labels);
  const support = rows.reduce((n, r) => n + r.support, 0);
  return (
    <div className="class-metrics">
      <h3>Per class</h3>
      <div className="table-scroll">
        <table className="table" data-testid="eval.class-metrics">
          <thead>
            <tr>
              <th scope="col">class</th>
              <th scope="col" className="num" title="Of the images predicted as this class, how many are it">
                precision
              </th>
              <th scope="col" className="num" title="Of the images of this class, how many were found">
                recall
              </th>
              <th scope="col" className="num">
                F1
              </th>
              <th scope="col" className="num" title="Validation images of this class">
                support
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.label} data-testid={`eval.class-metrics.${r.label}`}>
                <th scope="row">{r.label}</th>
                <td className="num">{pct(r.precision)}</td>
                <td className="num">{pct(r.recall)}</td>
                <td className="num">{pct(r.f1)}</td>
                <td className="num">{r.support}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">macro average</th>
              <td className="num">{pct(macroAverage(rows.map((r) => r.precision)))}</td>
              <td className="num">{pct(macroAverage(rows.map((r) => r.recall)))}</td>
              <td className="num">{pct(macroAverage(rows.map((r) => r.f1)))}</td>
              <td className="num">{support}</td>
            </tr>
          </tfoot>
        </table>
      </div>
    </div>
  );
}
