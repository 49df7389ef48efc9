import type { SegEvalResult } from '../../tasks/image-segmentation/types';
import { ClassSwatch } from './ClassSwatch';

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);

/** IoU, Dice, precision and recall per class, pixels in the truth; the background first, outside the mean. */
export function SegClassMetrics({ evaluation }: { evaluation: SegEvalResult }) {
  const { labels, perClass } = evaluation;
  return (
    <div className="class-metrics">
      <h3>Per class</h3>
      <div className="table-scroll">
        <table className="table" data-testid="eval.class-metrics">
          <thead>
            <tr>
              <th scope="col">class</th>
              <th scope="col" className="num" title="Overlap of predicted and true pixels over their union">
                IoU
              </th>
              <th scope="col" className="num" title="Twice the overlap over the sum of both areas">
                Dice
              </th>
              <th scope="col" className="num" title="Of the pixels predicted as this class, how many are it">
                precision
              </th>
              <th scope="col" className="num" title="Of this class's pixels, how many were found">
                recall
              </th>
              <th scope="col" className="num" title="Pixels of this class in the validation masks (at the model's size)">
                pixels in truth
              </th>
            </tr>
          </thead>
          <tbody>
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
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">mean over the {labels.length - 1} foreground classes</th>
              <td className="num">{pct(evaluation.meanIou)}</td>
              <td className="num">{pct(evaluation.meanDice)}</td>
              <td colSpan={3} />
            </tr>
          </tfoot>
        </table>
      </div>
    </div>
  );
}
