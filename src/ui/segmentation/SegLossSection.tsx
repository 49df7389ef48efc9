import { DEFAULT_SEG_LOSS, type SegLossSettings } from '../../tasks/image-segmentation/types';
import { useStudio } from '../../state';
import { Section } from '../common/Section';
import { SelectField } from '../common/SelectField';
import { TextNumber } from '../text/TextNumber';

const WEIGHTS: { value: SegLossSettings['classWeights']; label: string }[] = [
  { value: 'none', label: 'None (every pixel counts the same)' },
  { value: 'balanced', label: 'Balanced (rare classes count more)' },
];

/** Segmentation's loss: pixel cross-entropy, optionally class-weighted, plus a share of soft Dice. */
export function SegLossSection() {
  const loss = useStudio((s) => s.settings.segmentation ?? DEFAULT_SEG_LOSS);
  const update = (patch: Partial<SegLossSettings>) => {
    const st = useStudio.getState();
    st.updateSettings({ segmentation: { ...(st.settings.segmentation ?? DEFAULT_SEG_LOSS), ...patch } });
  };
  const summary = `cross-entropy${loss.classWeights === 'balanced' ? ' (balanced)' : ''}${loss.diceWeight > 0 ? ` + ${loss.diceWeight} × Dice` : ''}`;
  return (
    <Section id="seg-loss" title="Loss" summary={summary}>
      <div className="hp-grid">
        <TextNumber
          label="Soft Dice weight"
          testId="hp.seg.dice-weight"
          value={loss.diceWeight}
          min={0}
          max={2}
          onChange={(diceWeight) => update({ diceWeight })}
          help="Adds soft Dice (overlap of each class's predicted and true area) to the per-pixel cross-entropy. It keeps small objects from being drowned by the background. 0 = cross-entropy alone; 1 is a good start."
        />
        <SelectField
          label="Class weights"
          testId="hp.seg.class-weights"
          value={loss.classWeights}
          options={WEIGHTS}
          onChange={(classWeights) => update({ classWeights })}
          help="Balanced weighs each class's pixels by 1/√(its share of the training pixels), so a class covering 1% of the pixels is not ignored."
        />
      </div>
    </Section>
  );
}
