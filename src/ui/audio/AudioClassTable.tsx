import { formatDuration } from '../../data/audio-ingest';
import { audioClassSummary, removeAudioClass, useStudio } from '../../state';

/** Every class: its clips, total length, speakers, and how many clips train and validate. */
export function AudioClassTable() {
  const rows = useStudio(audioClassSummary);
  const keyed = useStudio((s) => s.audio.groupKey.kind !== 'none');
  const busy = useStudio((s) => s.audio.busy);
  return (
    <div className="audio-classes">
      <h3>Classes</h3>
      <div className="table-scroll">
        <table className="table" data-testid="audio.classes">
          <thead>
            <tr>
              <th scope="col">Class</th>
              <th scope="col" className="num">
                Clips
              </th>
              <th scope="col" className="num" title="Total length, minutes:seconds">
                Length <span className="audio-unit">m:ss</span>
              </th>
              <th scope="col" className="num" title="Speakers (groups) found by the speaker key">
                Speakers
              </th>
              <th scope="col" className="num" title="Clips in training / in validation">
                Train / val
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.name} data-testid={`audio.class.${r.name}`} data-clips={r.clips} data-groups={r.groups}>
                <th scope="row" className="audio-class-name">
                  {r.name}
                </th>
                <td className="num">{r.clips}</td>
                <td className="num">{formatDuration(r.seconds)}</td>
                <td className="num">{keyed ? r.groups : '—'}</td>
                <td className="num">
                  <span className={r.train === 0 ? 'bad' : ''}>{r.train}</span> / <span className={r.val === 0 ? 'bad' : ''}>{r.val}</span>
                </td>
                <td className="actions">
                  <button
                    type="button"
                    className="btn btn-small btn-ghost"
                    disabled={busy}
                    aria-label={`Remove class ${r.name}`}
                    onClick={() => removeAudioClass(r.name)}
                  >
                    ×
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
