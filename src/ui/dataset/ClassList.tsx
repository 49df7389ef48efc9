import { useMemo, useState } from 'react';
import { classRows, isBusy, useShallow, useStudio, type ClassRow } from '../../state';

export function ClassList() {
  const { images, split } = useStudio(useShallow((s) => ({ images: s.images, split: s.split })));
  const rows = useMemo(() => classRows({ images, split }), [images, split]);
  const busy = useStudio((s) => isBusy(s.status));
  return (
    <div className="class-list">
      <h3>Classes</h3>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col" className="num">
              Images
            </th>
            <th scope="col" className="num">
              Train
            </th>
            <th scope="col" className="num">
              Val
            </th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <ClassRowView key={r.name} row={r} busy={busy} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ClassRowView({ row, busy }: { row: ClassRow; busy: boolean }) {
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const commit = () => {
    if (editing === null) return;
    const problem = useStudio.getState().renameClass(row.name, editing);
    setError(problem);
    if (!problem) setEditing(null);
  };
  return (
    <tr data-testid={`dataset.class.${row.name}`}>
      <td>
        {editing === null ? (
          <span className="class-name">{row.name}</span>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              commit();
            }}
          >
            <input
              aria-label={`New name for ${row.name}`}
              value={editing}
              autoFocus
              onChange={(e) => setEditing(e.target.value)}
              onKeyDown={(e) => e.key === 'Escape' && (setEditing(null), setError(null))}
            />
          </form>
        )}
        {error && (
          <div role="alert" className="field-error">
            {error}
          </div>
        )}
      </td>
      <td className="num">{row.count}</td>
      <td className="num">{row.train}</td>
      <td className={`num ${row.val === 0 ? 'bad' : ''}`}>{row.val}</td>
      <td className="actions">
        {editing === null ? (
          <button type="button" className="btn btn-small btn-ghost" disabled={busy} onClick={() => setEditing(row.name)}>
            Rename
          </button>
        ) : (
          <button type="button" className="btn btn-small" onClick={commit}>
            Save
          </button>
        )}
        <button
          type="button"
          className="btn btn-small btn-ghost danger"
          disabled={busy}
          aria-label={`Delete class ${row.name}`}
          onClick={() => useStudio.getState().deleteClass(row.name)}
        >
          Delete
        </button>
      </td>
    </tr>
  );
}
