/** Text actions after a run: write or classify with the fine-tuned model, download it, and say what changed since it trained. */
import { userMessageOf } from '../lib/errors';
import { dataDrift, settingsDrift, textDataManifest } from '../engine/run-record';
import { getClient } from './clientHost';
import { download } from './exporting';
import { useStudio } from './store';
import { textTrainSettings, textTrainingData } from './textSelectors';
import type { TextState } from './types';

const text = () => useStudio.getState().text;
const setText = (patch: Partial<TextState>) => useStudio.getState().setText(patch);

export async function generateText(prompt: string): Promise<void> {
  const s = text();
  if (!s.result || s.runTask !== 'text-generation' || s.generating) return;
  setText({ generating: true, tryError: null });
  try {
    const { text: generated } = await getClient().call({
      kind: 'infer',
      task: 'text-generation',
      prompt,
      maxTokens: s.settings.maxTokens,
      temperature: s.settings.temperature,
      topK: s.settings.topK,
      seed: s.seed,
    });
    setText({ generated });
  } catch (err) {
    setText({ tryError: userMessageOf(err) });
  } finally {
    setText({ generating: false });
  }
}

export async function classifyText(input: string): Promise<void> {
  const s = text();
  if (!s.result || s.runTask !== 'text-classification') return;
  if (input.trim() === '') {
    setText({ tryError: 'Type or paste some text to classify.' });
    return;
  }
  try {
    const { probabilities } = await getClient().call({ kind: 'infer', task: 'text-classification', texts: [input] });
    setText({ classified: { text: input, probabilities: probabilities[0] ?? [] }, tryError: null });
  } catch (err) {
    setText({ tryError: userMessageOf(err) });
  }
}

/** Downloads the fine-tuned text model as one zip (model.json, weights.bin, tokenizer.json, metadata.json, README.md, lm.js). */
export async function exportTextZip(): Promise<void> {
  const s = text();
  if (!s.result || !s.record) return;
  setText({ exportError: null });
  try {
    // The worker writes metadata.json and the model card from the run's record, not from this screen.
    const { files } = await getClient().call({ kind: 'export', task: s.record.task });
    const { zipSync } = await import('fflate');
    const zip = zipSync(Object.fromEntries(files.map((f) => [f.name, new Uint8Array(f.data)])));
    download(
      new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }),
      s.record.task === 'text-generation' ? 'text-generator.zip' : 'text-classifier.zip',
    );
  } catch (err) {
    setText({ exportError: userMessageOf(err) });
  }
}

/** What changed since the text run trained (settings on screen, the data), as short phrases; empty when nothing did. */
export async function textRunDrift(s: TextState): Promise<string[]> {
  const r = s.record;
  if (!r) return [];
  const changes = settingsDrift(r.settings, textTrainSettings(s, r.task));
  try {
    const { labels, data } = textTrainingData(s, r.task);
    changes.push(...dataDrift(r.data, await textDataManifest(data, labels, s.settings.validationSplit)));
  } catch {
    changes.push('the data changed');
  }
  return changes;
}
