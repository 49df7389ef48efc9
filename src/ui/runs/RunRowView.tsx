import { useState } from 'react';
import { deleteRun, makeRunCurrent, runUseBlocker, toggleRunChosen, useStudio, type RunRow, type SETTING_COLUMNS } from '../../state';
import { durationText, metricText, runColour, settingText, startedText } from './format';
import { RunNotes } from './RunNotes';

type Column = (typeof SETTING_COLUMNS)[number];

const STATUS: Record<RunRow['status'], string> = { running: 'running', done: 'done', stopped: 'stopped', error: 'failed' };

/** One run: overlay checkbox, what it trained with, what it reached, notes, and what can be done with it. */
export function RunRowView({ row, columns, current }: { row: RunRow; columns: readonly Column[]; current: boolean }) {
  const chosen = useStudio((s) => s.runs.chosen.includes(row.id));
  const restoring = useStudio((s) => s.runs.restoring);
  const blocker = useStudio((s) => {
    const run = s.runs.list.find((r) => r.id === row.id);
    return run ? runUseBlocker(run, s) : 'It is no longer stored.';
  });
  const [confirming, setConfirming] = useState(false);
  const name = `Run ${row.number}`;
  return (
    <tr
      data-testid="runs.row"
      data-run={row.id}
      data-current={current ? 'true' : 'false'}
      data-sweep-trial={row.sweep?.trial ?? ''}
      data-stopped-early={row.sweep?.stoppedEarly ? 'true' : 'false'}
      data-epochs={row.epochsCompleted}
      data-trained-by={row.trainedBy?.tool ?? ''}
      data-status={row.status}
      className={current ? 'runs-current' : undefined}
    >
      <td>
        <input
          type="checkbox"
          aria-label={`Overlay ${name}’s curves`}
          data-testid="runs.choose"
          checked={chosen}
          onChange={(e) => toggleRunChosen(row.id, e.currentTarget.checked)}
        />
      </td>
      <th scope="row" className="runs-name">
        <span className="runs-swatch" style={{ background: runColour(row.number) }} /> {name}
        {current && <span className="badge badge-ok runs-badge">current</span>}
        <div className="muted small">
          {row.kind === 'text' ? row.task.replace('text-', 'text ') : 'image'}
          {row.sweep && ` · sweep trial ${row.sweep.trial}${row.sweep.stoppedEarly ? ', stopped early' : ''}`}
          {row.trainedBy && ' · trained outside the studio'}
        </div>
      </th>
      <td className="runs-nowrap">{startedText(row.startedAt)}</td>
      <td className="num runs-nowrap">{durationText(row.durationMs)}</td>
      <td>{STATUS[row.status]}</td>
      <td>{row.backend || '—'}</td>
      <td>{row.model || '—'}</td>
      {columns.map((c) => (
        <td key={c.key} className={c.numeric ? 'num' : undefined} data-testid={`runs.cell.${c.key}`} data-value={row.settings[c.key] ?? ''}>
          {settingText(c.key, row.settings[c.key])}
        </td>
      ))}
      <td className="num" data-testid="runs.cell.final" data-value={row.finalMetric ?? ''}>
        {metricText(row.finalMetric, row.metric)}
      </td>
      <td className="num">{metricText(row.bestMetric, row.metric)}</td>
      <td className="num">{row.bestEpoch ?? '—'}</td>
      <td>
        <RunNotes id={row.id} notes={row.notes} name={name} />
      </td>
      <td>
        <div className="runs-actions">
          <button
            type="button"
            className="btn btn-small"
            data-testid="runs.use"
            disabled={blocker !== null || restoring !== null || current}
            title={blocker ?? (current ? 'This run’s model is the current one.' : 'Evaluate, try and export this run’s model')}
            onClick={() => void makeRunCurrent(row.id, name)}
          >
            {restoring === row.id ? 'Loading…' : 'Use this run’s model'}
          </button>
          {confirming ? (
            <>
              <button
                type="button"
                className="btn btn-small runs-danger"
                data-testid="runs.delete-confirm"
                onClick={() => void deleteRun(row.id)}
              >
                Delete {name}
              </button>
              <button type="button" className="btn btn-small btn-ghost" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" className="btn btn-small btn-ghost" data-testid="runs.delete" onClick={() => setConfirming(true)}>
              Delete
            </button>
          )}
        </div>
      </td>
    </tr>
  );
}
