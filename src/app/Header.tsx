import { retryStartup, useShallow, useStudio } from '../state';
import { STEP_IDS, taskOf } from '../tasks';
import { ProjectBar } from '../ui/project/ProjectBar';

export function Header() {
  const { backend, backendError, requested } = useStudio(
    useShallow((s) => ({ backend: s.backend, backendError: s.backendError, requested: s.requestedBackend })),
  );
  const steps = taskOf(useStudio((s) => s.text.task)).steps;
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
          {STEP_IDS.map((step, i) => (
            <a key={step} href={`#step-${step}`} className="stepper-link">
              <span className="stepper-num">{i + 1}</span> {steps[step].title}
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
