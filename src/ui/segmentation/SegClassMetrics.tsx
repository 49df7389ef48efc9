import type { SegEvalResult } from '../../tasks/image-segmentation/types';
import { PerClassTable, pct, type MetricColumn } from '../evaluate/PerClassTable';
import { ClassSwatch } from './ClassSwatch';

const COLUMNS: MetricColumn[] = [
  { label: 'IoU', title: 'Overlap of predicted and true pixels over their union' },
  { label: 'Dice', title: 'Twice the overlap over the sum of both areas' },
  { label: 'precision', title: 'Of the pixels predicted as this class, how many are it' },
  { label: 'recall', title: "Of this class's pixels, how many were found" },
  { label: 'pixels in truth', title: "Pixels of this class in the validation masks (at the model's size)" },
];

/** IoU, Dice, precision and recall per class, pixels in the truth; the background first, outside the mean. */
export function SegClassMetrics({ evaluation }: { evaluation: SegEvalResult }) {
  const { labels, perClass } = evaluation;
  return (
    <PerClassTable
      columns={COLUMNS}
      footer={
        <>
          <th scope="row">mean over the {labels.length - 1} foreground classes</th>
          <td className="num">{pct(evaluation.meanIou)}</td>
          <td className="num">{pct(evaluation.meanDice)}</td>
          <td colSpan={3} />
        </>
      }
    >
      {labels.map((label, i) => {
        const c = perClass[i];
        return (
          <tr
            key={i}
            className={i === 0 ? 'seg-background-row' : undefined}
            data-testid={`eval.class-metrics.${label}`}
            data-iou={c?.iou ?? ''}
          >
            <th scope="row">
              <ClassSwatch index={i} /> {label}
              {i === 0 && <span className="muted small"> (not in the mean)</span>}
            </th>
            <td className="num">{pct(c?.iou)}</td>
            <td className="num">{pct(c?.dice)}</td>
            <td className="num">{pct(c?.precision)}</td>
            <td className="num">{pct(c?.recall)}</td>
            <td className="num">{(c?.support ?? 0).toLocaleString('en')}</td>
          </tr>
        );
      })}
    </PerClassTable>
  );
}
