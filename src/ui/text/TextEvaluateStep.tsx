import { useShallow, useStudio } from '../../state';
import { Step } from '../common/Step';
import { ClassificationResults } from './ClassificationResults';
import { GenerateBox } from './GenerateBox';
import { TextExportPanel } from './TextExportPanel';

/** Step 4 for text tasks: generate or evaluate, then download. */
export function TextEvaluateStep() {
  const { result, runTask } = useStudio(useShallow(({ text: t }) => ({ result: t.result, runTask: t.runTask })));
  return (
    <Step step="evaluate">
      {!result ? (
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
