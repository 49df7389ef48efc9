import type { MonitoredMetric } from '../../engine/types';
import { useShallow, useStudio } from '../../state';
import { CheckField } from '../common/CheckField';
import { NumberField } from '../common/NumberField';
import { Section } from '../common/Section';
import { SelectField } from '../common/SelectField';

const MONITORS: { value: MonitoredMetric; label: string }[] = [
  { value: 'val-loss', label: 'Validation loss' },
  { value: 'val-accuracy', label: 'Validation accuracy' },
];
/** Segmentation also offers its headline metric; its accuracy counts pixels. */
const SEG_MONITORS: { value: MonitoredMetric; label: string }[] = [
  { value: 'val-iou', label: 'Validation mean IoU' },
  { value: 'val-loss', label: 'Validation loss' },
  { value: 'val-accuracy', label: 'Validation pixel accuracy' },
];

export function StoppingSection() {
  const { early, gradual, headOnly, attention, seg } = useStudio(
    useShallow((s) => ({
      seg: s.text.task === 'image-segmentation',
      early: s.settings.earlyStopping,
      gradual: s.settings.gradualUnfreezing,
      headOnly: s.trainable.length === 0,
      attention: Boolean(s.fieldErrors['earlyStopping.patience'] || s.fieldErrors['gradualUnfreezing.everyEpochs']),
    })),
  );
  const { updateGroup } = useStudio.getState();
  const summary = [
    early.enabled ? `early stopping (patience ${early.patience})` : 'no early stopping',
    gradual.enabled ? `unfreeze every ${gradual.everyEpochs}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <Section id="stopping" title="Stopping & unfreezing" summary={summary} attention={attention}>
      <div className="hp-grid">
        <CheckField
          label="Early stopping"
          testId="hp.early-stopping"
          checked={early.enabled}
          onChange={(enabled) => updateGroup('earlyStopping', { enabled })}
          help="Ends the run when the monitored metric stops improving, so you can set generous epochs without overfitting."
        />
        {early.enabled && (
          <>
            <SelectField
              label="Watch"
              testId="hp.early-stopping.monitor"
              value={early.monitor}
              options={seg ? SEG_MONITORS : MONITORS}
              onChange={(monitor) => updateGroup('earlyStopping', { monitor })}
              help="Loss reacts sooner; accuracy is what you care about on small validation sets."
            />
            <NumberField
              field="earlyStopping.patience"
              label="Patience"
              suffix="epochs"
              testId="hp.early-stopping.patience"
              help="Epochs without improvement before stopping. Raise it when the curves are noisy."
            />
            <CheckField
              label="Restore the best epoch"
              testId="hp.early-stopping.restore-best"
              checked={early.restoreBest}
              onChange={(restoreBest) => updateGroup('earlyStopping', { restoreBest })}
              help="Keep the weights from the best epoch rather than the last one."
            />
          </>
        )}
        <CheckField
          label="Gradual unfreezing"
          testId="hp.gradual-unfreezing"
          checked={gradual.enabled}
          onChange={(enabled) => updateGroup('gradualUnfreezing', { enabled })}
          help={
            headOnly
              ? `Only the ${seg ? 'decoder' : 'head'} trains now, so there is nothing to unfreeze. Pick backbone layers in step 2 to use this.`
              : `Starts with the ${seg ? 'decoder' : 'head'} only and lets one more of your chosen blocks learn, from the top down, every few epochs. Gentler on pre-trained features.`
          }
        />
        {gradual.enabled && (
          <NumberField
            field="gradualUnfreezing.everyEpochs"
            label="Unfreeze a block every"
            suffix="epochs"
            testId="hp.gradual-unfreezing.every"
            help="Epochs between unfreezing steps."
          />
        )}
      </div>
    </Section>
  );
}
