import { useStudio } from '../../state';

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** Progress of the model being downloaded (weights bytes), or "Loading…" before the first bytes. */
export function DownloadBar() {
  const download = useStudio((s) => s.download);
  const pct = download && download.total > 0 ? Math.round((download.loaded / download.total) * 100) : null;
  return (
    <span className="download" data-testid="model.download-progress" data-value={pct ?? ''} aria-live="polite">
      <progress max={100} value={pct ?? undefined} aria-label="Model download" />
      <span className="muted">
        {download && pct !== null ? `${mb(download.loaded)} of ${mb(download.total)} (${pct}%)` : 'Loading the model…'}
      </span>
    </span>
  );
}
