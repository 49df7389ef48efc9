import { ShowAllButton } from '../common/ShowAllButton';
import { useFirstOrAll } from '../common/useFirstOrAll';
import { pct } from '../evaluate/PerClassTable';
import { topClass } from './AudioEvalClips';

const FIRST = 12;

/** Each window's most probable class, in the clip's order: where in the clip the model changed its mind. */
export function AudioTryWindows({ windows, labels }: { windows: number[][]; labels: string[] }) {
  const list = useFirstOrAll(windows, FIRST);
  return (
    <div className="audio-windows">
      <h4>Window by window</h4>
      <p className="muted small">The clip&apos;s answer above is the mean of these {windows.length} windows&apos; probabilities.</p>
      <table className="table" data-testid="try.windows" data-count={windows.length}>
        <thead>
          <tr>
            <th scope="col" className="num">
              window
            </th>
            <th scope="col">top class</th>
            <th scope="col" className="num">
              probability
            </th>
          </tr>
        </thead>
        <tbody>
          {list.shown.map((w, i) => {
            const top = topClass(w, labels);
            return (
              <tr key={i} data-label={top?.label ?? ''} data-value={top?.p ?? ''}>
                <td className="num">{i + 1}</td>
                <td>{top?.label ?? '–'}</td>
                <td className="num">
                  <span className="pred-bar audio-window-bar" aria-hidden="true">
                    <span style={{ width: `${((top?.p ?? 0) * 100).toFixed(1)}%` }} />
                  </span>{' '}
                  {pct(top?.p)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <ShowAllButton list={list} testId="try.windows-all" fewer={`Show the first ${FIRST}`} />
    </div>
  );
}
