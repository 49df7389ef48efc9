import { retryStartup, useShallow, useStudio } from '../state';
import { ProjectBar } from '../ui/project/ProjectBar';

const STEPS = [
  ['step-data', '1', 'Data'],
  ['step-model', '2', 'Model'],
  ['step-train', '3', 'Train'],
  ['step-evaluate', '4', 'Evaluate & export'],
] as const;

export function Header() {
  const { backend, backendError, requested } = useStudio(
    useShallow((s) => ({ backend: s.backend, backendError: s.backendError, requested: s.requestedBackend })),
  );
  return (
    <header className="header">
      <div className="header-row">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          Fine-tuning Studio
        </div>
        <nav className="stepper" aria-label="Steps">
          {STEPS.map(([id, n, label]) => (
            <a key={id} href={`#${id}`} className="stepper-link">
              <span className="stepper-num">{n}</span> {label}
            </a>
          ))}
        </nav>
        <div className="backend" data-testid="train.backend" data-value={backend ?? 'none'}>
          <span className={`dot ${backend ? 'dot-ok' : backendError ? 'dot-bad' : 'dot-wait'}`} aria-hidden="true" />
          {backend ? `Backend: ${backend}` : backendError ? 'No backend' : 'Starting…'}
        </div>
      </div>
      <ProjectBar />
      {backendError && (
        <div role="alert" className="alert alert-error">
          <p>{backendError}</p>
          {!requested && <p className="muted">Reload the page, or try ?backend=wasm or ?backend=cpu in the address.</p>}
          <button type="button" className="btn" onClick={retryStartup}>
            Try again
          </button>
        </div>
      )}
    </header>
  );
}
