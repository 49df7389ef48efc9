import { useMemo } from 'react';
import { clearSegData, segSplitOf, useShallow, useStudio } from '../../state';

/** How many pairs and classes there are, where the names come from, and how they split. */
export function SegSummary() {
  const { pairs, classes, source, validationSplit, seed, ignored } = useStudio(
    useShallow((s) => ({
      pairs: s.seg.pairs,
      classes: s.seg.classNames.length,
      source: s.seg.classSource,
      validationSplit: s.settings.validationSplit,
      seed: s.settings.seed,
      ignored: s.seg.summary?.ignoredPixels ?? 0,
    })),
  );
  const split = useMemo(() => segSplitOf(pairs, validationSplit, seed), [pairs, validationSplit, seed]);
  const n = pairs.length;
  return (
    <div className="summary" data-testid="dataset.summary" data-items={n} data-images={n} data-classes={classes}>
      <div className="stat">
        <span className="stat-value">{n}</span>
        <span className="stat-label">image–mask pairs</span>
      </div>
      <div className="stat">
        <span className="stat-value">{classes}</span>
        <span className="stat-label">
          classes incl. background
          {classes > 0 && (
            <> ({source === 'classes.txt' ? 'named by classes.txt' : 'numbered from the masks: add a classes.txt to name them'})</>
          )}
        </span>
      </div>
      <div className="stat">
        <span className="stat-value">
          {split.train.length} / {split.val.length}
        </span>
        <span className="stat-label">train / validation ({Math.round(validationSplit * 100)}% held out)</span>
      </div>
      {ignored > 0 && (
        <div className="stat">
          <span className="stat-value">{ignored.toLocaleString('en')}</span>
          <span className="stat-label">pixels ignored (value 255)</span>
        </div>
      )}
      {n > 0 && (
        <button type="button" className="btn btn-ghost summary-clear" onClick={clearSegData}>
          Clear dataset
        </button>
      )}
    </div>
  );
}
