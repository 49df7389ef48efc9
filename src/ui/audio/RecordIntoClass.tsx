import { useId, useState } from 'react';
import { addRecording, useStudio } from '../../state';
import { Recorder } from './Recorder';

const NEW = '\u0000new';

/** "Record into class [select]": a microphone recording added as a clip of the chosen (or a new) class. */
export function RecordIntoClass() {
  const classNames = useStudio((s) => s.audio.classNames);
  const busy = useStudio((s) => s.audio.busy);
  const [choice, setChoice] = useState<string>('');
  const [fresh, setFresh] = useState('');
  const selectId = useId();
  const nameId = useId();
  const picked = choice === NEW || classNames.length === 0 ? NEW : classNames.includes(choice) ? choice : (classNames[0] ?? NEW);
  const label = picked === NEW ? fresh.trim() : picked;
  return (
    <div className="audio-record" data-testid="audio.record-into">
      <h3>Record</h3>
      <div className="audio-record-row">
        <label htmlFor={selectId}>Record into class</label>
        <select id={selectId} data-testid="audio.record-class" value={picked} disabled={busy} onChange={(e) => setChoice(e.target.value)}>
          {classNames.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
          <option value={NEW}>A new class…</option>
        </select>
        {picked === NEW && (
          <>
            <label htmlFor={nameId} className="visually-hidden">
              New class name
            </label>
            <input
              id={nameId}
              type="text"
              placeholder="class name"
              data-testid="audio.record-new-class"
              value={fresh}
              onChange={(e) => setFresh(e.target.value)}
            />
          </>
        )}
      </div>
      <Recorder
        label={label ? `Record a clip of “${label}”` : 'Name the class first'}
        testId="audio.record"
        disabled={busy || !label}
        onDone={(blob, name) => void addRecording(label, blob, name)}
      />
    </div>
  );
}
