import { useShallow, useStudio } from '../../state';

function fmt(v: number | null | undefined, pct = false): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return pct ? `${(v * 100).toFixed(1)}%` : v.toFixed(4);
}

export function MetricsStrip() {
  const { epochs, last, initial, seg } = useStudio(
    useShallow((s) => ({
      epochs: s.history.length,
      last: s.history[s.history.length - 1],
      initial: s.initialValLoss,
      seg: s.text.task === 'image-segmentation',
    })),
  );
  // Segmentation's accuracy counts pixels; its headline is the mean IoU over the foreground classes.
  const acc = seg ? 'pixel accuracy' : 'accuracy';
  return (
    <div className="metrics">
      <div className="stat" data-testid="metrics.epoch" data-value={epochs}>
        <span className="stat-value">{epochs}</span>
        <span className="stat-label">epochs done</span>
      </div>
      {seg && (
        <div className="stat" data-testid="metrics.val-iou" data-value={last?.valIou ?? ''}>
          <span className="stat-value">{fmt(last?.valIou, true)}</span>
          <span className="stat-label">validation mean IoU</span>
        </div>
      )}
      <div className="stat" data-testid="metrics.val-accuracy" data-value={last?.valAccuracy ?? ''}>
        <span className="stat-value">{fmt(last?.valAccuracy, true)}</span>
        <span className="stat-label">validation {acc}</span>
      </div>
      <div className="stat" data-testid="metrics.val-loss" data-value={last?.valLoss ?? ''}>
        <span className="stat-value">{fmt(last?.valLoss)}</span>
        <span className="stat-label">validation loss</span>
      </div>
      <div className="stat" data-testid="metrics.val-loss-initial" data-value={initial ?? ''}>
        <span className="stat-value">{fmt(initial)}</span>
        <span className="stat-label">validation loss before training</span>
      </div>
      <div className="stat">
        <span className="stat-value">{fmt(last?.accuracy, true)}</span>
        <span className="stat-label">training {acc}</span>
      </div>
    </div>
  );
}
