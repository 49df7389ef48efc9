import { batchMetrics, useShallow, useStudio } from '../../state';
import { useBufferVersion, useFrameValue } from '../common/useBufferVersion';

const PHASE_TEXT = {
  decoding: 'Decoding images',
  probing: 'Auto: comparing layers',
  caching: 'Caching features',
  training: 'Training',
  evaluating: 'Evaluating',
} as const;

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

export function ProgressPanel() {
  useBufferVersion(batchMetrics, 100);
  const now = useFrameValue(() => Math.floor(Date.now() / 1000) * 1000, 250);
  const { phase, status, epochs, started, epochsDone } = useStudio(
    useShallow((s) => ({
      phase: s.phase,
      status: s.status,
      epochs: s.settings.epochs,
      started: s.trainingStartedAt,
      epochsDone: s.history.length,
    })),
  );
  if (status === 'idle' || status === 'done' || status === 'error' || status === 'paused' || (!phase && status !== 'running')) return null;
  const last = batchMetrics.latest();
  const training = phase?.phase === 'training' || (!phase && last);
  let fraction = phase && phase.total > 0 ? phase.done / phase.total : 0;
  let detail = phase ? `${phase.done} / ${phase.total}` : '';
  let left = '';
  if (training && last) {
    const perEpoch = last.batches || 1;
    const epochIndex = Math.max(0, last.epoch - (last.epoch >= 1 ? 1 : 0));
    const done = Math.max(epochsDone * perEpoch, epochIndex * perEpoch + last.batch);
    fraction = Math.min(1, done / (epochs * perEpoch));
    detail = `epoch ${Math.min(epochs, epochsDone + 1)}/${epochs} · batch ${last.batch}/${last.batches}`;
    if (started && fraction > 0.02) left = `about ${duration(((now - started) / fraction) * (1 - fraction))} left`;
  }
  const label = phase ? PHASE_TEXT[phase.phase] : 'Training';
  return (
    <div className="progress" data-testid="train.progress">
      <div className="progress-text">
        <strong>{label}</strong> <span>{detail}</span> <span className="muted">{left}</span>
      </div>
      <div
        className="progress-bar"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(fraction * 100)}
      >
        <div className="progress-fill" style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
      </div>
    </div>
  );
}
