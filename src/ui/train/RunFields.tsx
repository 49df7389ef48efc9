import { NumberField } from '../common/NumberField';
import { LearningRateField } from './LearningRateField';

/** What each of the run's everyday numbers means for this task. */
export interface RunFieldsHelp {
  batchSize: string;
  epochs: string;
  validationSplit: string;
}

/** The everyday numbers of an image run: learning rate, batch size, epochs and the validation share. */
export function RunFields({ help }: { help: RunFieldsHelp }) {
  return (
    <>
      <LearningRateField />
      <NumberField field="batchSize" label="Batch size" testId="hp.batch-size" help={help.batchSize} />
      <NumberField field="epochs" label="Epochs" testId="hp.epochs" help={help.epochs} />
      <NumberField field="validationSplit" label="Validation split" testId="hp.validation-split" help={help.validationSplit} />
    </>
  );
}
