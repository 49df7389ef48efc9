import { useId } from 'react';
import type { TrainMode } from '../../engine/types';
import { useStudio } from '../../state';

interface Props {
  /** The words for each choice: the new part alone, or it with the chosen layers of the loaded model. */
  labels: Record<TrainMode, string>;
  help: string;
}

const MODES: TrainMode[] = ['head-only', 'fine-tune'];

/** "What trains": the new part only, or fine-tuning the layers chosen in step 2 as well. */
export function TrainModeField({ labels, help }: Props) {
  const id = useId();
  const mode = useStudio((s) => s.settings.mode);
  return (
    <div className="field" role="radiogroup" aria-label="What trains">
      <span className="label">What trains</span>
      {MODES.map((m) => (
        <label key={m} className="radio">
          <input
            type="radio"
            name={`${id}-mode`}
            data-testid={`hp.mode.${m}`}
            checked={mode === m}
            onChange={() => useStudio.getState().setMode(m)}
          />
          {labels[m]}
        </label>
      ))}
      <small className="help">{help}</small>
    </div>
  );
}
