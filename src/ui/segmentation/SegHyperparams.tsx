import { useId } from 'react';
import { isBusy, useStudio } from '../../state';
import { NumberField } from '../common/NumberField';
import { AugmentSection } from '../train/AugmentSection';
import { LearningRateField } from '../train/LearningRateField';
import { OptimisationSection } from '../train/OptimisationSection';
import { ScheduleSection } from '../train/ScheduleSection';
import { StoppingSection } from '../train/StoppingSection';
import { SegImageSizeField } from './SegImageSizeField';
import { SegLossSection } from './SegLossSection';

/** Segmentation's settings: the everyday ones up front, the loss and the shared advanced sections folded. */
export function SegHyperparams() {
  const id = useId();
  const mode = useStudio((s) => s.settings.mode);
  const busy = useStudio((s) => isBusy(s.status));
  return (
    <fieldset className="hp" disabled={busy}>
      <legend className="visually-hidden">Training settings</legend>
      <div className="hp-grid hp-basic">
        <LearningRateField />
        <NumberField
          field="batchSize"
          label="Batch size"
          testId="hp.batch-size"
          help="Images per update. Every pixel is an example, so small batches (4–16) work well and save memory."
        />
        <NumberField
          field="epochs"
          label="Epochs"
          testId="hp.epochs"
          help="Passes over the training images. Raise it while validation IoU still climbs; early stopping can cut it short."
        />
        <NumberField
          field="validationSplit"
          label="Validation split"
          testId="hp.validation-split"
          help="Share of the image–mask pairs held out to measure progress honestly (0.2 = 20%). Never trained on."
        />
        <SegImageSizeField />
        <div className="field" role="radiogroup" aria-label="What trains">
          <span className="label">What trains</span>
          <label className="radio">
            <input
              type="radio"
              name={`${id}-mode`}
              data-testid="hp.mode.head-only"
              checked={mode === 'head-only'}
              onChange={() => useStudio.getState().setMode('head-only')}
            />
            Only the decoder
          </label>
          <label className="radio">
            <input
              type="radio"
              name={`${id}-mode`}
              data-testid="hp.mode.fine-tune"
              checked={mode === 'fine-tune'}
              onChange={() => useStudio.getState().setMode('fine-tune')}
            />
            The decoder and chosen encoder layers
          </label>
          <small className="help">Matches the layer checkboxes in step 2. On WASM only the decoder trains.</small>
        </div>
      </div>
      <div className="sections">
        <SegLossSection />
        <OptimisationSection />
        <ScheduleSection />
        <StoppingSection />
        <AugmentSection />
      </div>
    </fieldset>
  );
}
