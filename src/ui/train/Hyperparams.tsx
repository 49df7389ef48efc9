import { useId } from 'react';
import { isBusy, useStudio } from '../../state';
import { NumberField } from '../common/NumberField';
import { AugmentSection } from './AugmentSection';
import { HeadLayerField } from './HeadLayerField';
import { ImageSizeField } from './ImageSizeField';
import { LearningRateField } from './LearningRateField';
import { LrFinderPanel } from '../common/LrFinderPanel';
import { OptimisationSection } from './OptimisationSection';
import { RegularisationSection } from './RegularisationSection';
import { ScheduleSection } from './ScheduleSection';
import { StoppingSection } from './StoppingSection';

/** The everyday settings up front; the advanced ones in collapsible sections. */
export function Hyperparams() {
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
          help="Images per update. Smaller uses less memory and adds noise that can help; larger is steadier and faster per image."
        />
        <NumberField
          field="epochs"
          label="Epochs"
          testId="hp.epochs"
          help="Passes over the training images. Raise it while validation loss still falls; early stopping can cut it short."
        />
        <NumberField
          field="validationSplit"
          label="Validation split"
          testId="hp.validation-split"
          help="Share of each class held out to measure progress honestly (0.2 = 20%). Never trained on."
        />
        <ImageSizeField />
        <HeadLayerField />
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
            Only the new head
          </label>
          <label className="radio">
            <input
              type="radio"
              name={`${id}-mode`}
              data-testid="hp.mode.fine-tune"
              checked={mode === 'fine-tune'}
              onChange={() => useStudio.getState().setMode('fine-tune')}
            />
            Fine-tune chosen layers too
          </label>
          <small className="help">Matches the layer checkboxes in step 2.</small>
        </div>
      </div>
      <LrFinderPanel />
      <div className="sections">
        <OptimisationSection />
        <RegularisationSection />
        <ScheduleSection />
        <StoppingSection />
        <AugmentSection />
      </div>
    </fieldset>
  );
}
