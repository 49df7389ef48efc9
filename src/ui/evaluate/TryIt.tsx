import { useCallback, useState, type DragEvent } from 'react';
import { predictFile, useShallow, useStudio } from '../../state';
import { Alert } from '../common/Alert';
import { FilePicker } from '../common/FilePicker';
import { ExplainFigure } from './ExplainFigure';
import { PredictionBars } from './PredictionBars';
import { Webcam } from './Webcam';
import { firstImage, usePastedImage } from './usePastedImage';

/** Pick, drop or paste an image and see the trained model's top classes, and what it looked at. */
export function TryIt() {
  const { prediction, predicting, predictError, busy, resize } = useStudio(
    useShallow((s) => ({
      prediction: s.prediction,
      predicting: s.predicting,
      predictError: s.predictError,
      busy: s.status === 'running' || s.status === 'loading' || s.status === 'stopping',
      resize: s.settings.resize,
    })),
  );
  const [file, setFile] = useState<File | null>(null);
  const [explain, setExplain] = useState(false);
  const [over, setOver] = useState(false);
  const disabled = busy || predicting;
  const pick = useCallback((f: File) => {
    setFile(f);
    void predictFile(f);
  }, []);
  usePastedImage(pick, !disabled);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    e.stopPropagation();
    setOver(false);
    const f = firstImage(e.dataTransfer.files);
    if (f && !disabled) pick(f);
  };
  const shown = prediction && file && prediction.name === file.name ? file : null;
  return (
    <div className="tryit">
      <h3>Try it</h3>
      <div
        className={`tryit-drop${over ? ' over' : ''}`}
        data-testid="predict.drop"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <FilePicker
          label="Choose an image…"
          testId="predict.file-input"
          accept="image/*"
          disabled={disabled}
          onFiles={([f]) => {
            if (f) pick(f);
          }}
        />
        <span className="muted"> or drop one here, or paste one (Ctrl+V).</span>
        {predicting && <span className="muted"> Predicting…</span>}
        <Webcam onFrame={pick} disabled={disabled} />
      </div>
      {predictError && <Alert>{predictError} Try another image.</Alert>}
      {prediction && (
        <div className="tryit-result">
          {shown && (
            <div>
              <ExplainFigure blob={shown} resize={resize} explain={explain} size={192} alt={shown.name} />
              <button
                type="button"
                className="btn btn-small"
                aria-pressed={explain}
                data-testid="predict.explain"
                disabled={busy}
                onClick={() => setExplain((on) => !on)}
              >
                {explain ? 'Hide heat-map' : 'Explain'}
              </button>
            </div>
          )}
          <div className="tryit-bars">
            <PredictionBars probabilities={prediction.probabilities} labels={prediction.labels} />
            <p className="muted">{prediction.name}</p>
          </div>
        </div>
      )}
    </div>
  );
}
