import { metricNameOf, sortRows, sortRunsBy, useStudio, type RunRow, type SETTING_COLUMNS, type SortKey } from '../../state';
import { RunRowView } from './RunRowView';

type Column = (typeof SETTING_COLUMNS)[number];

function SortHeader(props: { k: SortKey; label: string; numeric?: boolean }) {
  const sort = useStudio((s) => s.runs.sort);
  const on = sort.key === props.k;
  return (
    <th
      scope="col"
      className={props.numeric ? 'num' : undefined}
      aria-sort={on ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
      data-testid={`runs.col.${props.k}`}
    >
      <button type="button" className="runs-sort" onClick={() => sortRunsBy(props.k)} data-testid={`runs.sort.${props.k}`}>
        {props.label}
        <span aria-hidden="true" className="runs-sort-mark">
          {on ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
        </span>
      </button>
    </th>
  );
}

/** The runs, one row each, sortable by any column (click its header; again to reverse). */
export function RunsTable(props: { rows: RunRow[]; columns: readonly Column[]; current: string[] }) {
  const sort = useStudio((s) => s.runs.sort);
  const sorted = sortRows(props.rows, sort);
  const metric = metricNameOf(props.rows);
  return (
    <div className="table-scroll runs-table-wrap">
      <table className="table runs-table">
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">Overlay</span>
            </th>
            <SortHeader k="number" label="Run" />
            <SortHeader k="startedAt" label="Started" />
            <SortHeader k="duration" label="Took" numeric />
            <SortHeader k="status" label="Status" />
            <SortHeader k="backend" label="Backend" />
            <SortHeader k="model" label="Model" />
            {props.columns.map((c) => (
              <SortHeader key={c.key} k={c.key} label={c.label} numeric={c.numeric} />
            ))}
            <SortHeader k="final" label={`Final val ${metric}`} numeric />
            <SortHeader k="best" label={`Best val ${metric}`} numeric />
            <SortHeader k="bestEpoch" label="Best epoch" numeric />
            <th scope="col">Notes</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => (
            <RunRowView key={r.id} row={r} columns={props.columns} current={props.current.includes(r.id)} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
