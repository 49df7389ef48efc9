import { isBusy, predictSegFile, useShallow, useStudio } from '../../state';
import { Alert } from '../common/Alert';
import { FilePicker } from '../common/FilePicker';
import { ClassSwatch } from './ClassSwatch';
import { classColour } from './overlay';
import { OverlayCanvas } from './OverlayCanvas';

/** Pick an image and see the trained model's mask over it, and how much of the picture each class takes. */
export function SegTryIt() {
  const { prediction, predicting, predictError, opacity, busy } = useStudio(
    useShallow((s) => ({
      prediction: s.seg.prediction,
      predicting: s.seg.predicting,
      predictError: s.seg.predictError,
      opacity: s.seg.opacity,
      busy: isBusy(s.status),
    })),
  );
  const result = prediction?.result;
  const total = result ? result.size * result.size : 0;
  return (
    <div className="tryit">
      <h3>Try it</h3>
      <div className="tryit-drop">
        <FilePicker
          label="Choose an image…"
          testId="seg.try-file"
          accept="image/*"
          disabled={busy || predicting}
          onFiles={([f]) => {
            if (f) void predictSegFile(f);
          }}
        />
        <span className="muted"> The model outlines each class in it.</span>
        {predicting && (
          <span className="muted" aria-live="polite">
            {' '}
            Predicting…
          </span>
        )}
      </div>
      {predictError && <Alert>{predictError} Try another image.</Alert>}
      {prediction && result && (
        <div className="tryit-result" data-testid="seg.try-result" data-name={prediction.name}>
          <OverlayCanvas
            image={prediction.image}
            mask={result.classes}
            maskWidth={result.size}
            maskHeight={result.size}
            size={256}
            lazy={false}
            opacity={opacity}
            classCount={result.labels.length}
            label={`${prediction.name} with the predicted mask`}
          />
          <div className="tryit-bars">
            <ol className="predictions" data-testid="seg.try-shares">
              {result.labels.map((label, i) => {
                const share = total > 0 ? (result.classPixels[i] ?? 0) / total : 0;
                return (
                  <li key={i} data-share={share}>
                    <span className="pred-label">
                      <ClassSwatch index={i} /> {label}
                    </span>
                    <span className="pred-bar">
                      <span style={{ width: `${(share * 100).toFixed(1)}%`, background: classColour(i) ?? 'var(--muted)' }} />
                    </span>
                    <span className="num">{(share * 100).toFixed(1)}%</span>
                  </li>
                );
              })}
            </ol>
            <p className="muted">{prediction.name}: share of the picture&apos;s pixels predicted as each class.</p>
          </div>
        </div>
      )}
    </div>
  );
}
