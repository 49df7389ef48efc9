import { useShallow, useStudio } from '../../state';
import { NumberField } from '../common/NumberField';
import { Section } from '../common/Section';

export function RegularisationSection() {
  const { dropout, smoothing, attention } = useStudio(
    useShallow((s) => ({
      dropout: s.settings.dropout,
      smoothing: s.settings.labelSmoothing,
      attention: Boolean(s.fieldErrors.dropout || s.fieldErrors.labelSmoothing),
    })),
  );
  return (
    <Section id="regularisation" title="Regularisation" summary={`dropout ${dropout}, label smoothing ${smoothing}`} attention={attention}>
      <div className="hp-grid">
        <NumberField
          field="dropout"
          label="Head dropout"
          testId="hp.dropout"
          help="Share of features randomly dropped before the new head while training. Raise it (0.3–0.5) when validation loss climbs; 0 turns it off."
        />
        <NumberField
          field="labelSmoothing"
          label="Label smoothing"
          testId="hp.label-smoothing"
          help="Trains towards 90% rather than 100% certainty (at 0.1), which keeps the model from becoming over-confident. Helps with noisy labels; 0 = off."
        />
      </div>
    </Section>
  );
}
