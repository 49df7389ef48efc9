import { isBusy, predictAudioClip, useShallow, useStudio } from '../../state';
import { Alert } from '../common/Alert';
import { FilePicker } from '../common/FilePicker';
import { PredictionBars } from '../evaluate/PredictionBars';
import { AudioEvalPlayer } from './AudioEvalPlayer';
import { topClass } from './AudioEvalClips';
import { AudioTryWindows } from './AudioTryWindows';
import { Recorder } from './Recorder';

/** Pick an audio file or record one and hear it beside the trained model's answer, window by window. */
export function AudioTryIt() {
  const { prediction, predicting, predictError, busy, labels } = useStudio(
    useShallow((s) => ({
      prediction: s.audio.prediction,
      predicting: s.audio.predicting,
      predictError: s.audio.predictError,
      busy: isBusy(s.status),
      labels: s.runRecord?.labels ?? s.audio.evaluation?.labels ?? s.audio.classNames,
    })),
  );
  const disabled = busy || predicting;
  const result = prediction?.result;
  const top = result ? topClass(result.probabilities, labels) : null;
  return (
    <div className="tryit">
      <h3>Try it</h3>
      <div className="tryit-drop audio-try-inputs">
        <FilePicker
          label="Choose an audio file…"
          testId="try.file-input"
          accept="audio/*"
          disabled={disabled}
          onFiles={([f]) => {
            if (f) void predictAudioClip(f.name, f);
          }}
        />
        <span className="muted">or</span>
        <Recorder label="Record" testId="try.record" disabled={disabled} onDone={(blob, name) => void predictAudioClip(name, blob)} />
        {predicting && (
          <span className="muted" aria-live="polite">
            Predicting…
          </span>
        )}
      </div>
      {predictError && <Alert>{predictError} Try another clip.</Alert>}
      {prediction && result && top && (
        <div
          className="tryit-result audio-try-result"
          data-testid="try.result"
          data-name={prediction.name}
          data-label={top.label}
          data-value={top.p}
          data-probabilities={JSON.stringify(result.probabilities)}
        >
          <div className="audio-try-clip">
            <AudioEvalPlayer blob={prediction.clip} label={`Play ${prediction.name}`} testId="try.player" />
            <p className="muted small">
              {prediction.name}: the model read {result.seconds.toFixed(1)} s in {result.windows.length}{' '}
              {result.windows.length === 1 ? 'window' : 'windows'}.
            </p>
          </div>
          <div className="tryit-bars">
            <PredictionBars probabilities={result.probabilities} labels={labels} testId="try.probabilities" />
          </div>
          {result.windows.length > 1 && <AudioTryWindows key={prediction.name} windows={result.windows} labels={labels} />}
        </div>
      )}
    </div>
  );
}
