import { DEFAULT_SPACE, setSweepBudget, updateSweepSpace, useStudio } from '../../state';
import { ChoicesField, Dimension, TypedNumber } from './SweepFields';

/** What varies between trials, and the budget: how many trials, and optionally minutes. `image`: show the image-only dimensions. */
export function SweepSpaceForm({ disabled, image }: { disabled: boolean; image: boolean }) {
  const space = useStudio((s) => s.sweep.space);
  const trials = useStudio((s) => s.sweep.trials);
  const minutes = useStudio((s) => s.sweep.minutes);
  const epochs = useStudio((s) => (image ? s.settings.epochs : s.text.settings.epochs));
  const wasm = useStudio((s) => s.backend === 'wasm');
  const generation = useStudio((s) => s.text.task === 'text-generation');
  const { learningRate: lr, batchSize: bs, dropout: dr, weightDecay: wd, topBlocks: tb } = space;
  const size = space.imageSize ?? DEFAULT_SPACE.imageSize ?? { on: false, choices: [96, 128, 160] };
  return (
    <fieldset className="sweep-form" disabled={disabled}>
      <legend className="visually-hidden">Sweep settings</legend>
      <div className="sweep-dims">
        <Dimension
          name="Learning rate"
          testId="sweep.lr"
          on={lr.on}
          onToggle={(on) => updateSweepSpace('learningRate', { on })}
          note="Drawn on a log scale."
        >
          <TypedNumber
            label="from"
            testId="sweep.lr.min"
            value={lr.min}
            onValue={(v) => updateSweepSpace('learningRate', { min: v ?? NaN })}
          />
          <TypedNumber
            label="to"
            testId="sweep.lr.max"
            value={lr.max}
            onValue={(v) => updateSweepSpace('learningRate', { max: v ?? NaN })}
          />
        </Dimension>
        <Dimension name="Batch size" testId="sweep.batch" on={bs.on} onToggle={(on) => updateSweepSpace('batchSize', { on })}>
          <ChoicesField
            label="one of"
            testId="sweep.batch.choices"
            value={bs.choices}
            onValue={(choices) => updateSweepSpace('batchSize', { choices })}
          />
        </Dimension>
        <Dimension name="Dropout" testId="sweep.dropout" on={dr.on} onToggle={(on) => updateSweepSpace('dropout', { on })}>
          <TypedNumber
            label="from"
            testId="sweep.dropout.min"
            value={dr.min}
            onValue={(v) => updateSweepSpace('dropout', { min: v ?? NaN })}
          />
          <TypedNumber
            label="to"
            testId="sweep.dropout.max"
            value={dr.max}
            onValue={(v) => updateSweepSpace('dropout', { max: v ?? NaN })}
          />
        </Dimension>
        <Dimension name="Weight decay" testId="sweep.wd" on={wd.on} onToggle={(on) => updateSweepSpace('weightDecay', { on })}>
          <TypedNumber
            label="from"
            testId="sweep.wd.min"
            value={wd.min}
            onValue={(v) => updateSweepSpace('weightDecay', { min: v ?? NaN })}
          />
          <TypedNumber
            label="to"
            testId="sweep.wd.max"
            value={wd.max}
            onValue={(v) => updateSweepSpace('weightDecay', { max: v ?? NaN })}
          />
        </Dimension>
        <Dimension
          name="Top blocks that train"
          testId="sweep.blocks"
          on={tb.on}
          onToggle={(on) => updateSweepSpace('topBlocks', { on })}
          note={
            !image
              ? generation
                ? '0 = only the output head; 1–4 train that many top transformer blocks and the final norm too.'
                : '0 = only the new head (on cached features: fast); 1–4 train that many top transformer blocks too (much slower).'
              : wasm
                ? 'On WASM only 0 (the head alone) can train.'
                : '0 = only the new head.'
          }
        >
          <ChoicesField
            label="one of"
            testId="sweep.blocks.choices"
            value={tb.choices}
            onValue={(choices) => updateSweepSpace('topBlocks', { choices })}
          />
        </Dimension>
        {image && (
          <>
            <Dimension
              name="Input size"
              testId="sweep.size"
              on={size.on}
              onToggle={(on) => updateSweepSpace('imageSize', { ...size, on })}
              note="Pixels a side; larger sees more detail and costs more."
            >
              <ChoicesField
                label="one of"
                testId="sweep.size.choices"
                value={size.choices}
                onValue={(choices) => updateSweepSpace('imageSize', { ...size, choices })}
              />
            </Dimension>
            <Dimension
              name="Augmentation on or off"
              testId="sweep.augment"
              on={space.augmentation.on}
              onToggle={(on) => updateSweepSpace('augmentation', { on })}
              note="Half the trials each way, with your augmentation settings (or flip, crop and rotate if none are on)."
            />
          </>
        )}
      </div>
      <div className="sweep-budget">
        <TypedNumber label="Trials" testId="sweep.trials" value={trials} onValue={(v) => setSweepBudget({ trials: v ?? NaN })} />
        <TypedNumber
          label="Minutes (optional)"
          testId="sweep.minutes"
          value={minutes}
          allowEmpty
          onValue={(v) => setSweepBudget({ minutes: v })}
        />
        <span className="muted small">Each trial trains up to {epochs} epochs (the Epochs setting); most stop sooner.</span>
      </div>
    </fieldset>
  );
}
