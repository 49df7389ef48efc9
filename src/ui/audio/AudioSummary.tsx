import { formatDuration } from '../../data/audio-ingest';
import { audioClassSummary, clearAudio, currentAudioSplit, useShallow, useStudio } from '../../state';

/** How many clips and classes there are, how long they last, and how they split. */
export function AudioSummary() {
  const { clips, classes, validationSplit, busy } = useStudio(
    useShallow((s) => ({
      clips: s.audio.clips.length,
      classes: s.audio.classNames.length,
      validationSplit: s.settings.validationSplit,
      busy: s.audio.busy,
    })),
  );
  const split = useStudio(currentAudioSplit);
  const rows = useStudio(audioClassSummary);
  const seconds = rows.reduce((t, r) => t + r.seconds, 0);
  return (
    <div className="summary" data-testid="dataset.summary" data-items={clips} data-classes={classes}>
      <div className="stat">
        <span className="stat-value">{clips}</span>
        <span className="stat-label">{clips === 1 ? 'clip' : 'clips'}</span>
      </div>
      <div className="stat">
        <span className="stat-value">{classes}</span>
        <span className="stat-label">{classes === 1 ? 'class' : 'classes'}</span>
      </div>
      <div className="stat">
        <span className="stat-value">{formatDuration(seconds)}</span>
        <span className="stat-label">of sound in all (m:ss)</span>
      </div>
      <div className="stat">
        <span className="stat-value">
          {split.train.length} / {split.val.length}
        </span>
        <span className="stat-label">train / validation clips ({Math.round(validationSplit * 100)}% asked)</span>
      </div>
      {clips > 0 && (
        <button type="button" className="btn btn-ghost summary-clear" disabled={busy} onClick={clearAudio}>
          Clear dataset
        </button>
      )}
    </div>
  );
}
