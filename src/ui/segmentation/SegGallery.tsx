import { useMemo } from 'react';
import type { SegEvalResult } from '../../tasks/image-segmentation/types';
import { useShallow, useStudio } from '../../state';
import { ShowAllButton } from '../common/ShowAllButton';
import { useFirstOrAll } from '../common/useFirstOrAll';
import { SegGalleryItem } from './SegGalleryItem';

const FIRST = 24;

/** Every validation pair, worst IoU first: the truth over the image beside the prediction over it. */
export function SegGallery({ evaluation }: { evaluation: SegEvalResult }) {
  const { pairs, opacity } = useStudio(useShallow((s) => ({ pairs: s.seg.pairs, opacity: s.seg.opacity })));
  const byId = useMemo(() => new Map(pairs.map((p) => [p.id, p])), [pairs]);
  const worstFirst = useMemo(() => evaluation.images.slice().sort((a, b) => a.iou - b.iou), [evaluation]);
  const list = useFirstOrAll(worstFirst, FIRST);
  return (
    <section className="eval-panel">
      <h3>Where the model is right and wrong</h3>
      <p className="muted">
        The {worstFirst.length} validation images, worst first: the true mask (left) and the model&apos;s (right), with each image&apos;s
        mean IoU over the foreground classes.
      </p>
      <ul className="gallery seg-gallery" data-testid="seg.gallery" data-count={worstFirst.length}>
        {list.shown.map((r) => (
          <SegGalleryItem
            key={r.id}
            result={r}
            pair={byId.get(r.id)}
            side={evaluation.size}
            classCount={evaluation.labels.length}
            opacity={opacity}
          />
        ))}
      </ul>
      <ShowAllButton list={list} testId="seg.gallery-all" fewer={`Show the worst ${FIRST}`} />
    </section>
  );
}
