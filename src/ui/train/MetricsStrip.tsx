import { useShallow, useStudio } from '../../state';

function fmt(v: number | null | undefined, pct = false): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return pct ? `${(v * 100).toFixed(1)}%` : v.toFixed(4);
}

export function MetricsStrip() {
  const { epochs, last, initial } = useStudio(
    useShallow((s) => ({ epochs: s.history.length, last: s.history[s.history.length - 1], initial: s.initialValLoss })),
  );
  return (
    <div className="metrics">
      <div className="stat" data-testid="metrics.epoch" data-value={epochs}>
        <span className="stat-value">{epochs}</span>
        <span className="stat-label">epochs done</span>
      </div>
      <div className="stat" data-testid="metrics.val-accuracy" data-value={last?.valAccuracy ?? ''}>
        <span className="stat-value">{fmt(last?.valAccuracy, true)}</span>
        <span className="stat-label">validation accuracy</span>
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
        <span className="stat-label">training accuracy</span>
      </div>
    </div>
  );
}
