import { useMemo } from 'react';
import { isBusy, useShallow, useStudio, type EvalPrediction } from '../../state';
import { useThumbnails } from '../dataset/useThumbnails';
import { GalleryItem } from './GalleryItem';

/** Evaluated images, looked up in the dataset by id, with thumbnails made on demand. */
export function ImageGallery({
  items,
  labels,
  testId,
  empty,
}: {
  items: readonly EvalPrediction[];
  labels: readonly string[];
  testId: string;
  empty: string;
}) {
  const { images, resize, busy } = useStudio(useShallow((s) => ({ images: s.images, resize: s.settings.resize, busy: isBusy(s.status) })));
  const byId = useMemo(() => new Map(images.map((i) => [i.id, i])), [images]);
  const thumb = useThumbnails();
  if (items.length === 0)
    return (
      <p className="muted" data-testid={testId} data-count={0}>
        {empty}
      </p>
    );
  return (
    <ul className="gallery" data-testid={testId} data-count={items.length}>
      {items.map((p) => {
        const image = byId.get(p.id);
        return (
          <GalleryItem
            key={p.id}
            prediction={p}
            image={image}
            thumb={image ? thumb(image) : undefined}
            labels={labels}
            resize={resize}
            canExplain={!busy}
          />
        );
      })}
    </ul>
  );
}
