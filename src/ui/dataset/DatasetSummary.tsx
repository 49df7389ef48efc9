import { useShallow, useStudio, classRows } from '../../state';

export function DatasetSummary() {
  const { images, classes, train, val, skipped } = useStudio(
    useShallow((s) => ({
      images: s.images.length,
      classes: classRows(s).length,
      train: s.split.train.length,
      val: s.split.val.length,
      skipped: s.skipped.length,
    })),
  );
  const pct = useStudio((s) => Math.round(s.settings.validationSplit * 100));
  return (
    <div className="summary" data-testid="dataset.summary" data-images={images} data-classes={classes}>
      <div className="stat">
        <span className="stat-value">{images}</span>
        <span className="stat-label">images</span>
      </div>
      <div className="stat">
        <span className="stat-value">{classes}</span>
        <span className="stat-label">classes</span>
      </div>
      <div className="stat">
        <span className="stat-value">
          {train} / {val}
        </span>
        <span className="stat-label">train / validation ({pct}% held out)</span>
      </div>
      <div className="stat">
        <span className="stat-value">{skipped}</span>
        <span className="stat-label">files skipped</span>
      </div>
      {images > 0 && (
        <button type="button" className="btn btn-ghost summary-clear" onClick={() => useStudio.getState().clearDataset()}>
          Clear dataset
        </button>
      )}
    </div>
  );
}
