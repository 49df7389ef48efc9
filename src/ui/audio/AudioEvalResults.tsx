import { useState } from 'react';
import { cellPredictions, confidentMistakes, useStudio } from '../../state';
import type { AudioEvalResult } from '../../tasks/audio-classification/types';
import { ConfusionMatrix, type Cell } from '../evaluate/ConfusionMatrix';
import { RunCurves } from '../evaluate/RunCurves';
import { AudioEvalClipList } from './AudioEvalClipList';
import { clipsOf } from './AudioEvalClips';
import { AudioEvalClassTable, AudioMetrics } from './AudioMetrics';

const MISTAKES = 8;

/** Clip accuracy, UAR and macro-F1, per-class metrics, the confusion matrix whose cells play their clips, and the worst mistakes. */
export function AudioEvalResults({ evaluation }: { evaluation: AudioEvalResult }) {
  const { labels, confusion, predictions } = evaluation;
  const clips = useStudio((s) => s.audio.clips);
  const classes = labels.join('\n');
  // The open cell belongs to one set of classes: a new run's classes close it; a re-evaluation keeps it.
  const [opened, setOpened] = useState<{ classes: string; cell: Cell } | null>(null);
  const cell = opened?.classes === classes ? opened.cell : null;
  const setCell = (c: Cell | null) => setOpened(c ? { classes, cell: c } : null);
  const inCell = cell ? clipsOf(cellPredictions(predictions, cell.row, cell.col), clips) : [];
  const mistakes = clipsOf(confidentMistakes(predictions, MISTAKES), clips);
  return (
    <>
      <div className="eval-top">
        <div className="eval-numbers">
          <AudioMetrics evaluation={evaluation} />
          <AudioEvalClassTable evaluation={evaluation} />
        </div>
        <RunCurves />
      </div>
      <ConfusionMatrix labels={labels} confusion={confusion} selected={cell} onSelect={setCell} unit="clips" />
      {cell && (
        <section className="eval-panel" aria-live="polite">
          <h4>
            True <strong>{labels[cell.row]}</strong>, predicted <strong>{labels[cell.col]}</strong>: {inCell.length}{' '}
            {inCell.length === 1 ? 'clip' : 'clips'}{' '}
            <button type="button" className="btn btn-small" onClick={() => setCell(null)}>
              Close
            </button>
          </h4>
          <AudioEvalClipList
            key={`${cell.row}.${cell.col}`}
            items={inCell}
            labels={labels}
            testId="eval.cell-clips"
            empty="No clips in this cell."
          />
        </section>
      )}
      <section className="eval-panel">
        <h3>Most confident mistakes</h3>
        <p className="muted">Wrong answers the model was surest of: listen for mislabelled clips, noise, or classes that sound alike.</p>
        <AudioEvalClipList items={mistakes} labels={labels} testId="eval.mistakes" empty="No mistakes on the validation clips." />
      </section>
    </>
  );
}
