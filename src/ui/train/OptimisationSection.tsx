import type { OptimizerName } from '../../engine/types';
import { useShallow, useStudio } from '../../state';
import { NumberField } from '../common/NumberField';
import { Section } from '../common/Section';
import { SelectField } from '../common/SelectField';

const OPTIMIZERS: { value: OptimizerName; label: string }[] = [
  { value: 'adam', label: 'Adam' },
  { value: 'adamw', label: 'AdamW' },
  { value: 'sgd', label: 'SGD with momentum' },
  { value: 'rmsprop', label: 'RMSprop' },
];

const NAMES: Record<OptimizerName, string> = { adam: 'Adam', adamw: 'AdamW', sgd: 'SGD', rmsprop: 'RMSprop' };

export function OptimisationSection() {
  const { optimizer, weightDecay, backbone, headOnly, attention } = useStudio(
    useShallow((s) => ({
      optimizer: s.settings.optimizer,
      weightDecay: s.settings.weightDecay,
      backbone: s.settings.backboneLrMultiplier,
      headOnly: s.trainable.length === 0,
      attention: Boolean(s.fieldErrors.weightDecay || s.fieldErrors.backboneLrMultiplier),
    })),
  );
  const summary = `${NAMES[optimizer]}${weightDecay > 0 ? `, weight decay ${weightDecay}` : ''}${headOnly ? '' : `, backbone × ${backbone}`}`;
  return (
    <Section id="optimisation" title="Optimisation" summary={summary} attention={attention}>
      <div className="hp-grid">
        <SelectField
          label="Optimizer"
          testId="hp.optimizer"
          value={optimizer}
          options={OPTIMIZERS}
          onChange={(v) => useStudio.getState().updateSettings({ optimizer: v })}
          help="How each update is computed. Adam is a safe default; AdamW adds decoupled weight decay (applied to the weights directly, not mixed into the gradient); SGD with momentum can generalise a little better with a schedule."
        />
        <NumberField
          field="weightDecay"
          label="Weight decay"
          testId="hp.weight-decay"
          help="Pulls weights gently towards zero to curb overfitting: decoupled for AdamW, an L2 penalty otherwise. 0 = off; try 0.01 with AdamW."
        />
        <NumberField
          field="backboneLrMultiplier"
          label="Backbone learning-rate multiplier"
          testId="hp.backbone-lr"
          suffix="× rate"
          help={
            headOnly
              ? 'Only the head trains now, so this has no effect. With backbone layers training, they learn at the rate times this.'
              : 'Pre-trained layers learn at the rate times this (0.001–1), so a fresh head can move fast without wrecking them. 0.1 is a good start.'
          }
        />
      </div>
    </Section>
  );
}
