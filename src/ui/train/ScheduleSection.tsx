import type { ScheduleKind } from '../../engine/types';
import { useShallow, useStudio } from '../../state';
import { NumberField } from '../common/NumberField';
import { Section } from '../common/Section';
import { SelectField } from '../common/SelectField';
import { SchedulePlot } from './SchedulePlot';

const KINDS: { value: ScheduleKind; label: string }[] = [
  { value: 'constant', label: 'Constant' },
  { value: 'step', label: 'Step decay' },
  { value: 'cosine', label: 'Cosine decay' },
  { value: 'warmup-cosine', label: 'Warm-up, then cosine' },
];

const HELP: Record<ScheduleKind, string> = {
  constant: 'The same rate throughout. Fine for short runs on a new head.',
  step: 'Cuts the rate by a factor every few epochs: big steps first, fine adjustments later.',
  cosine: 'Glides smoothly from the rate down to a small fraction of it by the last step. A good default for longer runs.',
  'warmup-cosine': 'Starts tiny and ramps up, then glides down. Protects pre-trained layers from large early updates when fine-tuning.',
};

export function ScheduleSection() {
  const { kind, attention } = useStudio(
    useShallow((s) => ({
      kind: s.settings.schedule.kind,
      attention: Object.keys(s.fieldErrors).some((k) => k.startsWith('schedule.')),
    })),
  );
  const label = KINDS.find((k) => k.value === kind)?.label ?? kind;
  return (
    <Section id="schedule" title="Schedule" summary={label} attention={attention}>
      <div className="hp-grid">
        <SelectField
          label="Learning-rate schedule"
          testId="hp.schedule"
          value={kind}
          options={KINDS}
          onChange={(v) => useStudio.getState().updateGroup('schedule', { kind: v })}
          help={HELP[kind]}
        />
        {kind === 'step' && (
          <>
            <NumberField
              field="schedule.stepEpochs"
              label="Step every"
              suffix="epochs"
              testId="hp.schedule.step-epochs"
              help="How many epochs pass between cuts."
            />
            <NumberField
              field="schedule.stepFactor"
              label="Multiply by"
              testId="hp.schedule.step-factor"
              help="Each cut multiplies the rate by this (0.5 halves it)."
            />
          </>
        )}
        {kind === 'warmup-cosine' && (
          <NumberField
            field="schedule.warmupEpochs"
            label="Warm-up"
            suffix="epochs"
            testId="hp.schedule.warmup-epochs"
            help="Epochs of linear ramp-up before the decay starts."
          />
        )}
        {(kind === 'cosine' || kind === 'warmup-cosine') && (
          <NumberField
            field="schedule.minFactor"
            label="Final fraction"
            testId="hp.schedule.min-factor"
            help="The rate at the last step, as a fraction of the starting rate."
          />
        )}
      </div>
      <SchedulePlot />
    </Section>
  );
}
