import { backendLabel, type BackendName } from '../../engine/types';
import { useShallow, useStudio } from '../../state';

/**
 * What happened to a run whose worker died (`train.crash-notice`), and after a lost GPU the backends
 * it may continue on (`train.recover.<backend>`), while the run is paused.
 */
export function CrashNotice({ paused, onRecover }: { paused: boolean; onRecover: (backend: BackendName) => void }) {
  const { notice, backends } = useStudio(useShallow((s) => ({ notice: s.crashNotice, backends: s.recoverBackends })));
  if (!notice) return null;
  return (
    <div role="alert" className="alert alert-error" data-testid="train.crash-notice">
      <div className="alert-body">
        <p>{notice}</p>
        {backends && paused && (
          <div className="buttons">
            {backends.map((b) => (
              <button key={b} type="button" className="btn" data-testid={`train.recover.${b}`} onClick={() => onRecover(b)}>
                Continue on {backendLabel(b)}
              </button>
            ))}
          </div>
        )}
      </div>
    </div>
  );
}
