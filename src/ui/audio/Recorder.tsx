import { Alert } from '../common/Alert';
import { meterWidth } from './recorderSamples';
import { MAX_SECONDS, useRecorder } from './useRecorder';
import './recorder.css';

interface Props {
  /** The button's text while not recording. */
  label: string;
  testId?: string;
  /** The recording, as a mono 16-bit WAV at the microphone's rate, and a name (`recording-<n>.wav`). */
  onDone(blob: Blob, name: string): void;
  disabled?: boolean;
}

/** Records from the microphone (up to 30 s) with a live level meter; Stop hands over the clip as a WAV file. */
export function Recorder({ label, testId = 'audio.record', onDone, disabled }: Props) {
  const { phase, meter, error, start, stop } = useRecorder(onDone);
  const on = phase !== 'idle';
  return (
    <div className="recorder">
      <button
        type="button"
        className={`btn${on ? ' recording' : ''}`}
        data-testid={testId}
        data-state={phase}
        aria-pressed={on}
        disabled={disabled && !on}
        onClick={() => (on ? stop() : void start())}
      >
        {on ? `■ Stop (${meter.seconds.toFixed(1)} s of ${MAX_SECONDS})` : `● ${label}`}
      </button>
      {on && (
        <span
          className="recorder-level"
          role="meter"
          aria-label="Microphone level"
          aria-valuemin={0}
          aria-valuemax={1}
          aria-valuenow={meter.level}
          data-testid="audio.level"
          data-value={meter.level}
        >
          <span style={{ width: `${(meterWidth(meter.level) * 100).toFixed(1)}%` }} />
        </span>
      )}
      {error && <Alert>{error}</Alert>}
    </div>
  );
}
