import { useShallow, useStudio } from '../../state';

/** Dataset warnings, each a sentence, and the skipped files with their reasons. */
export function DatasetWarnings() {
  const { warnings, skipped } = useStudio(useShallow((s) => ({ warnings: s.warnings, skipped: s.skipped })));
  if (warnings.length === 0 && skipped.length === 0) return null;
  return (
    <div role="alert" className="alert alert-warning" data-testid="dataset.warnings">
      <div className="alert-body">
        <ul className="warning-list">
          {warnings.map((w, i) => (
            <li key={`${w.kind}-${i}`}>{w.message}</li>
          ))}
        </ul>
        {skipped.length > 0 && (
          <details open={skipped.length <= 10}>
            <summary>
              {skipped.length} {skipped.length === 1 ? 'file was' : 'files were'} skipped
            </summary>
            <ul className="skipped-list" data-testid="dataset.skipped">
              {skipped.map((f, i) => (
                <li key={`${f.path}-${i}`}>
                  <code>{f.path}</code>: {f.reason}
                </li>
              ))}
            </ul>
          </details>
        )}
      </div>
    </div>
  );
}
