import { useShallow, useStudio } from '../../state';
import { Step } from '../common/Step';
import { ClassificationResults } from './ClassificationResults';
import { GenerateBox } from './GenerateBox';
import { TextExportPanel } from './TextExportPanel';

/** Step 4 for text tasks: generate or evaluate, then download. */
export function TextEvaluateStep() {
  const { result, runTask, task, loaded } = useStudio(
    useShallow(({ text: t }) => ({ result: t.result, runTask: t.runTask, task: t.task, loaded: t.baseState === 'loaded' })),
  );
  return (
    <Step step="evaluate">
      {!result && task === 'text-generation' && loaded ? (
        <>
          <p className="muted" data-testid="generate.pretrained-note">
            Nothing is trained yet: this writes with the pre-trained model, so you can see where fine-tuning starts from.
          </p>
          <GenerateBox />
        </>
      ) : !result ? (
        <p className="muted">Train a model in step 3 first.</p>
      ) : (
        <>
          {runTask === 'text-generation' ? <GenerateBox /> : <ClassificationResults />}
          <TextExportPanel />
        </>
      )}
    </Step>
  );
}
