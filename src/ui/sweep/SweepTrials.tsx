import { bestTrial, useStudio, type SweepTrialView, type TrialState } from '../../state';
import { metricText, settingText } from '../runs/format';

const STATE: Record<TrialState, string> = {
  queued: 'queued',
  running: 'running',
  waiting: 'waiting for the rung',
  'stopped-early': 'stopped early',
  stopped: 'not finished',
  done: 'done',
  failed: 'failed',
};

function paramText(t: SweepTrialView, key: 'learningRate' | 'batchSize' | 'dropout' | 'weightDecay'): string {
  const v = t.params[key];
  return v === undefined ? '—' : settingText(key, v);
}

/** The trials: what each tried, how far it got, and its validation accuracy after each rung. */
export function SweepTrials() {
  const list = useStudio((s) => s.sweep.list);
  const rungs = useStudio((s) => s.sweep.rungs);
  const runNumbers = useStudio((s) => s.runs.list);
  const metric = useStudio((s) => s.sweep.metric ?? 'accuracy');
  const best = bestTrial(list, metric);
  const number = (runId: string | null) => {
    const sorted = [...runNumbers].sort((a, b) => a.startedAt - b.startedAt);
    const i = sorted.findIndex((r) => r.id === runId);
    return i < 0 ? null : i + 1;
  };
  const has = (k: keyof SweepTrialView['params']) => list.some((t) => t.params[k] !== undefined);
  return (
    <div className="table-scroll">
      <table className="table sweep-table" data-testid="sweep.table">
        <thead>
          <tr>
            <th scope="col">Trial</th>
            {has('learningRate') && <th className="num">Learning rate</th>}
            {has('batchSize') && <th className="num">Batch size</th>}
            {has('dropout') && <th className="num">Dropout</th>}
            {has('weightDecay') && <th className="num">Weight decay</th>}
            {has('topBlocks') && <th className="num">Top blocks</th>}
            {has('imageSize') && <th className="num">Input size</th>}
            {has('augmentation') && <th>Augmentation</th>}
            <th scope="col">State</th>
            <th className="num">Epochs</th>
            {rungs.map((r, i) => (
              <th key={r} className="num">
                {i === 0 ? `Val ${metric} after ` : 'after '}
                {r} {r === 1 ? 'epoch' : 'epochs'}
              </th>
            ))}
            <th>Run</th>
          </tr>
        </thead>
        <tbody>
          {list.map((t) => (
            <tr
              key={t.trial}
              data-testid="sweep.trial"
              data-trial={t.trial}
              data-state={t.state}
              data-epochs={t.epochs}
              data-lr={t.params.learningRate ?? ''}
              data-metrics={JSON.stringify(t.metrics)}
              className={best?.trial === t.trial ? 'sweep-best' : undefined}
            >
              <th scope="row">
                {t.trial}
                {best?.trial === t.trial && <span className="badge badge-ok runs-badge">best</span>}
              </th>
              {has('learningRate') && <td className="num">{paramText(t, 'learningRate')}</td>}
              {has('batchSize') && <td className="num">{paramText(t, 'batchSize')}</td>}
              {has('dropout') && <td className="num">{paramText(t, 'dropout')}</td>}
              {has('weightDecay') && <td className="num">{paramText(t, 'weightDecay')}</td>}
              {has('topBlocks') && <td className="num">{t.params.topBlocks ?? '—'}</td>}
              {has('imageSize') && <td className="num">{t.params.imageSize ?? '—'}</td>}
              {has('augmentation') && <td>{t.params.augmentation === undefined ? '—' : t.params.augmentation ? 'on' : 'off'}</td>}
              <td className={`sweep-state sweep-state-${t.state}`}>{STATE[t.state]}</td>
              <td className="num">{t.epochs}</td>
              {rungs.map((r, i) => (
                <td key={r} className="num" data-testid={i === rungs.length - 1 ? 'sweep.trial.final' : undefined}>
                  {i < t.metrics.length ? metricText(t.metrics[i] ?? null, metric) : ''}
                </td>
              ))}
              <td>{t.runId && number(t.runId) !== null ? `Run ${number(t.runId)}` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
