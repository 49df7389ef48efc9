import { useState } from 'react';
import type { EvalResult } from '../../engine/types';
import { cellPredictions, confidentMistakes } from '../../state';
import { ClassMetricsTable } from './ClassMetricsTable';
import { ConfusionMatrix, type Cell } from './ConfusionMatrix';
import { ImageGallery } from './ImageGallery';
import { RunCurves } from './RunCurves';

const MISTAKES = 12;

/** Accuracy, per-class metrics, the confusion matrix with its images, the worst mistakes and the run's curves. */
export function EvaluationResults({ evaluation }: { evaluation: EvalResult }) {
  const { labels, confusion, predictions } = evaluation;
  const classes = labels.join('\n');
  // The open cell belongs to one set of classes: a new run's classes close it; a re-evaluation keeps it.
  const [opened, setOpened] = useState<{ classes: string; cell: Cell } | null>(null);
  const cell = opened?.classes === classes ? opened.cell : null;
  const setCell = (c: Cell | null) => setOpened(c ? { classes, cell: c } : null);
  const inCell = cell ? cellPredictions(predictions, cell.row, cell.col) : [];
  const mistakes = confidentMistakes(predictions, MISTAKES);
  return (
    <>
      <div className="eval-top">
        <div className="eval-numbers">
          <div className="stat" data-testid="eval.accuracy" data-value={evaluation.accuracy}>
            <span className="stat-value big">{(evaluation.accuracy * 100).toFixed(1)}%</span>
            <span className="stat-label">
              validation accuracy ({predictions.length} images, loss {evaluation.loss.toFixed(3)})
            </span>
          </div>
          <ClassMetricsTable labels={labels} confusion={confusion} />
        </div>
        <RunCurves />
      </div>
      <ConfusionMatrix labels={labels} confusion={confusion} selected={cell} onSelect={setCell} />
      {cell && (
        <section className="eval-panel" aria-live="polite">
          <h4>
            True <strong>{labels[cell.row]}</strong>, predicted <strong>{labels[cell.col]}</strong>: {inCell.length}{' '}
            {inCell.length === 1 ? 'image' : 'images'}
          </h4>
          <ImageGallery items={inCell} labels={labels} testId="eval.cell-images" empty="No images in this cell." />
        </section>
      )}
      <section className="eval-panel">
        <h3>Most confident mistakes</h3>
        <p className="muted">Wrong answers the model was surest of: often mislabelled images, or classes that look alike.</p>
        <ImageGallery items={mistakes} labels={labels} testId="eval.mistakes" empty="No mistakes on the validation images." />
      </section>
    </>
  );
}
