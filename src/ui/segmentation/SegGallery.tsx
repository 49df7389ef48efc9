import { useMemo, useState } from 'react';
import type { SegEvalResult } from '../../tasks/image-segmentation/types';
import { useShallow, useStudio } from '../../state';
import { OverlayCanvas } from './OverlayCanvas';

const FIRST = 24;
const SIZE = 150;

/** Every validation pair, worst IoU first: the truth over the image beside the prediction over it. */
export function SegGallery({ evaluation }: { evaluation: SegEvalResult }) {
  const { pairs, opacity } = useStudio(useShallow((s) => ({ pairs: s.seg.pairs, opacity: s.seg.opacity })));
  const [all, setAll] = useState(false);
  const byId = useMemo(() => new Map(pairs.map((p) => [p.id, p])), [pairs]);
  const worstFirst = useMemo(() => evaluation.images.slice().sort((a, b) => a.iou - b.iou), [evaluation]);
  const shown = all ? worstFirst : worstFirst.slice(0, FIRST);
  const { size, labels } = evaluation;
  return (
    <section className="eval-panel">
      <h3>Where the model is right and wrong</h3>
      <p className="muted">
        The {worstFirst.length} validation images, worst first: the true mask (left) and the model&apos;s (right), with each image&apos;s
        mean IoU over the foreground classes.
      </p>
      <ul className="seg-gallery" data-testid="seg.gallery" data-count={worstFirst.length}>
        {shown.map((r) => {
          const pair = byId.get(r.id);
          return (
            <li
              key={r.id}
              className={`seg-gallery-item ${r.iou < 0.5 ? 'wrong' : 'right'}`}
              data-testid="seg.gallery-item"
              data-iou={r.iou}
              data-id={r.id}
            >
              {pair ? (
                <div className="seg-pair">
                  <figure>
                    <OverlayCanvas
                      image={pair.image}
                      mask={pair.mask}
                      maskWidth={pair.width}
                      maskHeight={pair.height}
                      imageWidth={pair.width}
                      imageHeight={pair.height}
                      size={SIZE}
                      opacity={opacity}
                      classCount={labels.length}
                      label={`${pair.name}: the true mask`}
                    />
                    <figcaption>truth</figcaption>
                  </figure>
                  <figure>
                    <OverlayCanvas
                      image={pair.image}
                      mask={r.predicted}
                      maskWidth={size}
                      maskHeight={size}
                      imageWidth={pair.width}
                      imageHeight={pair.height}
                      size={SIZE}
                      opacity={opacity}
                      classCount={labels.length}
                      label={`${pair.name}: the predicted mask`}
                    />
                    <figcaption>prediction</figcaption>
                  </figure>
                </div>
              ) : (
                <p className="muted">This image is no longer in the dataset.</p>
              )}
              <div className="gallery-text">
                <span className="gallery-name" title={pair?.imagePath}>
                  {pair?.name ?? r.id}
                </span>
                <span>
                  IoU <strong className={r.iou < 0.5 ? 'bad' : 'ok'}>{(r.iou * 100).toFixed(1)}%</strong> · pixel accuracy{' '}
                  {(r.pixelAccuracy * 100).toFixed(1)}%
                </span>
              </div>
            </li>
          );
        })}
      </ul>
      {worstFirst.length > FIRST && (
        <button type="button" className="btn btn-small" data-testid="seg.gallery-all" onClick={() => setAll((on) => !on)}>
          {all ? `Show the worst ${FIRST}` : `Show all ${worstFirst.length}`}
        </button>
      )}
    </section>
  );
}
