import { AugmentSection } from './AugmentSection';
import { HeadLayerField } from './HeadLayerField';
import { ImageSizeField } from './ImageSizeField';
import { LrFinderPanel } from '../common/LrFinderPanel';
import { OptimisationSection } from './OptimisationSection';
import { RegularisationSection } from './RegularisationSection';
import { RunFields, type RunFieldsHelp } from './RunFields';
import { ScheduleSection } from './ScheduleSection';
import { SettingsFieldset } from './SettingsFieldset';
import { StoppingSection } from './StoppingSection';
import { TrainModeField } from './TrainModeField';

const HELP: RunFieldsHelp = {
  batchSize: 'Images per update. Smaller uses less memory and adds noise that can help; larger is steadier and faster per image.',
  epochs: 'Passes over the training images. Raise it while validation loss still falls; early stopping can cut it short.',
  validationSplit: 'Share of each class held out to measure progress honestly (0.2 = 20%). Never trained on.',
};

/** The everyday settings up front; the advanced ones in collapsible sections. */
export function Hyperparams() {
  return (
    <SettingsFieldset>
      <div className="hp-grid hp-basic">
        <RunFields help={HELP} />
        <ImageSizeField />
        <HeadLayerField />
        <TrainModeField
          labels={{ 'head-only': 'Only the new head', 'fine-tune': 'Fine-tune chosen layers too' }}
          help="Matches the layer checkboxes in step 2."
        />
      </div>
      <LrFinderPanel />
      <div className="sections">
        <OptimisationSection />
        <RegularisationSection />
        <ScheduleSection />
        <StoppingSection />
        <AugmentSection />
      </div>
    </SettingsFieldset>
  );
}
