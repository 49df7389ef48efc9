import { AugmentSection } from '../train/AugmentSection';
import { OptimisationSection } from '../train/OptimisationSection';
import { RunFields, type RunFieldsHelp } from '../train/RunFields';
import { ScheduleSection } from '../train/ScheduleSection';
import { SettingsFieldset } from '../train/SettingsFieldset';
import { StoppingSection } from '../train/StoppingSection';
import { TrainModeField } from '../train/TrainModeField';
import { SegImageSizeField } from './SegImageSizeField';
import { SegLossSection } from './SegLossSection';

const HELP: RunFieldsHelp = {
  batchSize: 'Images per update. Every pixel is an example, so small batches (4–16) work well and save memory.',
  epochs: 'Passes over the training images. Raise it while validation IoU still climbs; early stopping can cut it short.',
  validationSplit: 'Share of the image–mask pairs held out to measure progress honestly (0.2 = 20%). Never trained on.',
};

/** Segmentation's settings: the everyday ones up front, the loss and the shared advanced sections folded. */
export function SegHyperparams() {
  return (
    <SettingsFieldset>
      <div className="hp-grid hp-basic">
        <RunFields help={HELP} />
        <SegImageSizeField />
        <TrainModeField
          labels={{ 'head-only': 'Only the decoder', 'fine-tune': 'The decoder and chosen encoder layers' }}
          help="Matches the layer checkboxes in step 2. On WASM only the decoder trains."
        />
      </div>
      <div className="sections">
        <SegLossSection />
        <OptimisationSection />
        <ScheduleSection />
        <StoppingSection />
        <AugmentSection />
      </div>
    </SettingsFieldset>
  );
}
