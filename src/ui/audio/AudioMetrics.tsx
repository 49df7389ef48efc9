import { macroAverage } from '../../state';
import type { AudioEvalResult } from '../../tasks/audio-classification/types';
import { PerClassTable, pct, type MetricColumn } from '../evaluate/PerClassTable';

const COLUMNS: MetricColumn[] = [
  { label: 'precision', title: 'Of the clips predicted as this class, how many are it' },
  { label: 'recall', title: 'Of the clips of this class, how many were found' },
  { label: 'F1', title: 'The harmonic mean of precision and recall' },
  { label: 'support', title: 'Validation clips of this class' },
];

/** The headline numbers: clip accuracy, UAR and macro-F1, and how clips are scored from their windows. */
export function AudioMetrics({ evaluation }: { evaluation: AudioEvalResult }) {
  const clips = evaluation.predictions.length;
  const perClip = clips > 0 ? evaluation.windows / clips : 0;
  return (
    <div className="audio-metrics">
      <div className="metrics audio-headline">
        <div className="stat" data-testid="eval.accuracy" data-value={evaluation.accuracy}>
          <span className="stat-value big">{pct(evaluation.accuracy)}</span>
          <span className="stat-label">clip accuracy</span>
        </div>
        <div className="stat" data-testid="eval.uar" data-value={evaluation.uar}>
          <span className="stat-value big">{pct(evaluation.uar)}</span>
          <span className="stat-label" title="Unweighted average recall: the mean of the classes' recalls">
            UAR
          </span>
        </div>
        <div className="stat" data-testid="eval.macro-f1" data-value={evaluation.macroF1}>
          <span className="stat-value big">{pct(evaluation.macroF1)}</span>
          <span className="stat-label">macro-F1</span>
        </div>
      </div>
      <p className="muted small">
        On {clips} validation {clips === 1 ? 'clip' : 'clips'} (loss {evaluation.loss.toFixed(3)}). UAR (unweighted average recall) and
        macro-F1 weigh every class the same, so a large class cannot hide a small one the model misses.
      </p>
      <p className="muted small" data-testid="eval.windows" data-value={evaluation.windows}>
        A clip&apos;s probabilities are the mean over its windows: {evaluation.windows} {evaluation.windows === 1 ? 'window' : 'windows'} in
        all, {perClip.toFixed(1)} per clip on average.
      </p>
    </div>
  );
}

/** Precision, recall, F1 and support per class, over clips; the footer is the macro average (its recall is the UAR). */
export function AudioEvalClassTable({ evaluation }: { evaluation: AudioEvalResult }) {
  const { labels, perClass } = evaluation;
  const support = perClass.reduce((n, c) => n + c.support, 0);
  return (
    <PerClassTable
      columns={COLUMNS}
      footer={
        <>
          <th scope="row">macro average</th>
          <td className="num">{pct(macroAverage(perClass.map((c) => c.precision)))}</td>
          <td className="num">{pct(evaluation.uar)}</td>
          <td className="num">{pct(evaluation.macroF1)}</td>
          <td className="num">{support}</td>
        </>
      }
    >
      {labels.map((label, i) => {
        const c = perClass[i];
        return (
          <tr key={i} data-testid={`eval.class-metrics.${label}`} data-f1={c?.f1 ?? ''}>
            <th scope="row">{label}</th>
            <td className="num">{pct(c?.precision)}</td>
            <td className="num">{pct(c?.recall)}</td>
            <td className="num">{pct(c?.f1)}</td>
            <td className="num">{c?.support ?? 0}</td>
          </tr>
        );
      })}
    </PerClassTable>
  );
}
