import { Alert } from '../common/Alert';
import { useAugmentPreview } from './useAugmentPreview';

const COUNT = 8;

/** Eight augmented samples of the first training image, as training will see them. */
export function AugmentPreview({ active }: { active: boolean }) {
  const { urls, loading, error, hasImage } = useAugmentPreview(COUNT, active);
  return (
    <figure className="augment-preview" data-testid="augment.preview" data-count={urls.length} data-loading={loading}>
      <figcaption>
        Preview: {COUNT} random versions of your first training image {loading && <span className="muted">(drawing…)</span>}
      </figcaption>
      {!hasImage && <p className="muted">Add images in step 1 to see augmented samples here.</p>}
      {error && <Alert>{error}</Alert>}
      {hasImage && (
        <div className="augment-grid">
          {urls.map((u, i) => (
            <img key={u} src={u} alt={`Augmented sample ${i + 1}`} width={96} height={96} />
          ))}
          {urls.length === 0 && Array.from({ length: COUNT }, (_, i) => <div key={i} className="augment-placeholder" aria-hidden="true" />)}
        </div>
      )}
    </figure>
  );
}
