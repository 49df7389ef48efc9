import { useStudio } from '../../state';
import { ShowAllButton } from '../common/ShowAllButton';
import { useFirstOrAll } from '../common/useFirstOrAll';

const FIRST = 12;

/** What to know about the data (a clip cut, silent, left out; a class with one clip), each a sentence naming its file. */
export function AudioWarnings() {
  const warnings = useStudio((s) => s.audio.warnings);
  const list = useFirstOrAll(warnings, FIRST);
  if (warnings.length === 0) return null;
  return (
    <div className="note note-warn audio-warnings" data-testid="audio.warnings" data-count={warnings.length}>
      <h3>{warnings.length === 1 ? '1 thing to check' : `${warnings.length} things to check`} in the data</h3>
      <ul className="warning-list">
        {list.shown.map((w, i) => (
          <li key={`${i}-${w}`}>{w}</li>
        ))}
      </ul>
      <ShowAllButton list={list} testId="audio.warnings-all" fewer={`Show the first ${FIRST}`} />
    </div>
  );
}
