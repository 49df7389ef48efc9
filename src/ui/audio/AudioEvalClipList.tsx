import { ShowAllButton } from '../common/ShowAllButton';
import { useFirstOrAll } from '../common/useFirstOrAll';
import { pct } from '../evaluate/PerClassTable';
import type { CellClip } from './AudioEvalClips';
import { AudioEvalPlayer } from './AudioEvalPlayer';

const FIRST = 24;

/** Clips to listen to, each with its truth, the model's answer and a player. */
export function AudioEvalClipList({
  items,
  labels,
  testId,
  empty,
}: {
  items: CellClip[];
  labels: string[];
  testId: string;
  empty: string;
}) {
  const list = useFirstOrAll(items, FIRST);
  if (items.length === 0)
    return (
      <p className="muted" data-testid={testId} data-count={0}>
        {empty}
      </p>
    );
  return (
    <>
      <ul className="audio-eval-clips" data-testid={testId} data-count={items.length}>
        {list.shown.map((c) => (
          <li key={c.id} className={`audio-eval-clip ${c.actual === c.predicted ? 'right' : 'wrong'}`} data-id={c.id}>
            <span className="audio-eval-clip-name" title={c.id}>
              {c.name}
            </span>
            <span className="muted small">
              true {labels[c.actual] ?? c.actual}, predicted {labels[c.predicted] ?? c.predicted} ({pct(c.confidence)})
            </span>
            {c.file ? (
              <AudioEvalPlayer blob={c.file} label={`Play ${c.name}`} />
            ) : (
              <span className="muted small">This clip is no longer in the dataset.</span>
            )}
          </li>
        ))}
      </ul>
      <ShowAllButton list={list} testId={`${testId}-all`} fewer={`Show the first ${FIRST}`} />
    </>
  );
}
