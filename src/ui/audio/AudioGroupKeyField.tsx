import { useId, useState } from 'react';
import { validateGroupPattern } from '../../data/audio-ingest';
import { audioGroupNotice, setAudioGroupKey, useStudio, type AudioGroupKey } from '../../state';
import { SelectField } from '../common/SelectField';

const OPTIONS: { value: AudioGroupKey['kind']; label: string }[] = [
  { value: 'none', label: 'None: every clip on its own' },
  { value: 'folder', label: 'Sub-folder of the class folder' },
  { value: 'pattern', label: 'Pattern in the file name' },
];

const EXAMPLE = '^(v\\d+)_';

/**
 * The speaker key: how clips of one voice are found, so the split keeps each voice on one side.
 * Typing a pattern chooses the pattern key; an invalid one is said in an alert, and training waits.
 */
export function AudioGroupKeyField() {
  const key = useStudio((s) => s.audio.groupKey);
  const notice = useStudio(audioGroupNotice);
  const busy = useStudio((s) => s.audio.busy);
  const [draft, setDraft] = useState(key.kind === 'pattern' ? key.pattern : EXAMPLE);
  const shown = key.kind === 'pattern' ? key.pattern : draft;
  const error = key.kind === 'pattern' ? validateGroupPattern(key.pattern) : null;
  const inputId = useId();
  const errorId = useId();
  const choose = (kind: AudioGroupKey['kind']) => setAudioGroupKey(kind === 'pattern' ? { kind, pattern: draft } : { kind });
  const type = (pattern: string) => {
    setDraft(pattern);
    setAudioGroupKey({ kind: 'pattern', pattern });
  };
  return (
    <div className="audio-group-key">
      <h3>Speaker key</h3>
      <SelectField
        label="Group clips by speaker using"
        help="Clips of one speaker (or one session) stay together, all in training or all in validation."
        value={key.kind}
        options={OPTIONS}
        onChange={choose}
        testId="audio.group-key"
        disabled={busy}
      />
      <div className={`field ${error ? 'field-invalid' : ''}`}>
        <label htmlFor={inputId}>
          File-name pattern {key.kind !== 'pattern' && <span className="muted small">(not in use; typing one selects it)</span>}
        </label>
        <input
          id={inputId}
          type="text"
          className="mono"
          spellCheck={false}
          data-testid="audio.group-pattern"
          value={shown}
          placeholder={EXAMPLE}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(e) => type(e.target.value)}
        />
        <small className="help">
          A regular expression over the file name; its first group (or the whole match) is the speaker: <code>{EXAMPLE}</code> takes{' '}
          <code>v01</code> from <code>v01_03.wav</code>.
        </small>
        {error && (
          <p role="alert" id={errorId} className="field-error">
            {error}
          </p>
        )}
      </div>
      {notice && (
        <p className={`note ${key.kind === 'none' ? 'note-warn' : ''} audio-group-notice`} data-testid="audio.group-notice">
          {notice}
        </p>
      )}
    </div>
  );
}
