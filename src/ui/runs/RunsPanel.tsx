import { useMemo } from 'react';
import { Alert } from '../common/Alert';
import {
  currentRunIds,
  differingSettings,
  dismissRunsError,
  runRows,
  setRunsView,
  SETTING_COLUMNS,
  useShallow,
  useStudio,
} from '../../state';
import { RunsTable } from './RunsTable';
import { RunsOverlay } from './RunsOverlay';
import { RunsScatter } from './RunsScatter';
import './runs.css';

/** Every run of the project side by side: a sortable table, the chosen runs' curves, a setting against the result. */
export function RunsPanel() {
  const { runs, current } = useStudio(useShallow((s) => ({ runs: s.runs, current: currentRunIds(s).join(' ') })));
  const rows = useMemo(() => runRows(runs.list), [runs.list]);
  const differing = useMemo(() => differingSettings(rows), [rows]);
  const columns = runs.differOnly ? SETTING_COLUMNS.filter((c) => differing.includes(c.key)) : SETTING_COLUMNS;
  const chosen = rows.filter((r) => runs.chosen.includes(r.id));
  return (
    <section className="card runs" id="runs" aria-labelledby="runs-title" data-testid="runs.compare" data-runs={rows.length}>
      <h2 id="runs-title" className="step-title">
        Runs
      </h2>
      <p className="step-intro">
        Every run of this project, kept in this browser. Compare their settings and results, overlay their curves, and make any finished
        run&rsquo;s model the current one.
      </p>
      {runs.error && (
        <Alert action={{ label: 'Dismiss', onClick: dismissRunsError }} testId="runs.error">
          {runs.error}
        </Alert>
      )}
      {rows.length === 0 ? (
        <p className="muted">{runs.loaded ? 'No runs yet: train a model in step 3 and it appears here.' : 'Loading the runs…'}</p>
      ) : (
        <>
          <div className="runs-toolbar">
            <label className="check">
              <input
                type="checkbox"
                data-testid="runs.differ-only"
                checked={runs.differOnly}
                onChange={(e) => setRunsView({ differOnly: e.currentTarget.checked })}
              />{' '}
              Show only settings that differ
            </label>
            {runs.differOnly && differing.length === 0 && <span className="muted small">Every run used the same settings.</span>}
          </div>
          <RunsTable rows={rows} columns={columns} current={current.split(' ')} />
          <div className="charts runs-charts">
            <RunsOverlay rows={chosen} />
            <RunsScatter rows={rows} />
          </div>
        </>
      )}
    </section>
  );
}
