import { useStudio } from '../../state';
import { NumberField } from '../common/NumberField';

const MIN_EXP = -5;
const MAX_EXP = 0;

/** 10^x rounded to two significant digits, so the slider lands on readable rates (0.0003, 0.002). */
function fromExponent(x: number): number {
  return Number(Math.pow(10, x).toPrecision(2));
}

/** Learning rate: a log slider from 1e-5 to 1 beside the typed box (`hp.learning-rate`). */
export function LearningRateField() {
  const lr = useStudio((s) => s.settings.learningRate);
  const exp = Math.min(MAX_EXP, Math.max(MIN_EXP, Math.log10(lr)));
  return (
    <NumberField
      field="learningRate"
      label="Learning rate"
      testId="hp.learning-rate"
      help="How big each update step is. Too high and the loss jumps about; too low and it barely moves. 0.001–0.01 suits Adam on a new head (the layers that train below it get a tenth, see Optimisation); go lower when fine-tuning many layers, or let the learning-rate test suggest one."
    >
      <input
        type="range"
        className="lr-slider"
        data-testid="hp.learning-rate-slider"
        aria-label="Learning rate (logarithmic)"
        aria-valuetext={String(lr)}
        min={MIN_EXP}
        max={MAX_EXP}
        step={0.05}
        value={exp}
        onChange={(e) => {
          const st = useStudio.getState();
          st.setFieldError('learningRate', null);
          st.updateSettings({ learningRate: fromExponent(Number(e.target.value)) });
        }}
      />
      <div className="lr-ticks muted" aria-hidden="true">
        <span>0.00001</span>
        <span>0.001</span>
        <span>1</span>
      </div>
    </NumberField>
  );
}
