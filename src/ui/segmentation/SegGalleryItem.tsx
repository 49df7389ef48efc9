import type { SegPairItem } from '../../data/seg-ingest';
import type { SegImageResult } from '../../tasks/image-segmentation/types';
import { PairOverlay } from './PairOverlay';

const SIZE = 150;

interface Props {
  result: SegImageResult;
  /** The evaluated pair (undefined once it has left the dataset). */
  pair: SegPairItem | undefined;
  /** The side of the predicted class map. */
  side: number;
  classCount: number;
  opacity: number;
}

/** One validation image: its true mask beside the model's, its IoU and pixel accuracy. */
export function SegGalleryItem({ result: r, pair, side, classCount, opacity }: Props) {
  const views = [
    { caption: 'truth', what: 'the true mask', predicted: undefined },
    { caption: 'prediction', what: 'the predicted mask', predicted: { mask: r.predicted, side } },
  ];
  return (
    <li className={`gallery-item ${r.iou < 0.5 ? 'wrong' : 'right'}`} data-testid="seg.gallery-item" data-iou={r.iou} data-id={r.id}>
      {pair ? (
        <div className="seg-pair">
          {views.map((v) => (
            <figure key={v.caption}>
              <PairOverlay
                pair={pair}
                predicted={v.predicted}
                size={SIZE}
                opacity={opacity}
                classCount={classCount}
                label={`${pair.name}: ${v.what}`}
              />
              <figcaption>{v.caption}</figcaption>
            </figure>
          ))}
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
}
