import { useState } from 'react';
import type { DatasetImage } from '../../data/types';
import type { ResizeMode } from '../../engine/types';
import type { EvalPrediction } from '../../state';
import { ExplainFigure } from './ExplainFigure';

/** One evaluated image: thumbnail (or the explained view), its file name as text, true and predicted class. */
export function GalleryItem(props: {
  prediction: EvalPrediction;
  image: DatasetImage | undefined;
  thumb: string | undefined;
  labels: readonly string[];
  resize: ResizeMode;
  canExplain: boolean;
}) {
  const { prediction: p, image, labels } = props;
  const [explain, setExplain] = useState(false);
  const actual = labels[p.actual] ?? `class ${p.actual}`;
  const predicted = labels[p.predicted] ?? `class ${p.predicted}`;
  const right = p.actual === p.predicted;
  return (
    <li className={`gallery-item ${right ? 'right' : 'wrong'}`} data-testid="eval.image" data-id={p.id}>
      {image && explain ? (
        <ExplainFigure blob={image.blob} resize={props.resize} explain size={120} classIndex={p.predicted} alt={image.name} />
      ) : (
        <div className="gallery-thumb">
          {props.thumb ? <img src={props.thumb} alt={image?.name ?? p.id} /> : <span className="thumb-wait" />}
        </div>
      )}
      <div className="gallery-text">
        <span className="gallery-name" title={image?.path}>
          {image?.name ?? 'image no longer in the dataset'}
        </span>
        <span>
          true <strong>{actual}</strong>
        </span>
        <span>
          predicted <strong className={right ? 'ok' : 'bad'}>{predicted}</strong> {(p.confidence * 100).toFixed(0)}%
        </span>
      </div>
      {image && props.canExplain && (
        <button
          type="button"
          className="btn btn-small"
          aria-pressed={explain}
          data-testid="explain.toggle"
          onClick={() => setExplain((on) => !on)}
        >
          {explain ? 'Hide heat-map' : 'Explain'}
        </button>
      )}
    </li>
  );
}
