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

/**
 * Writes from `prompt` with the fine-tuned model, or with the pre-trained one before a generation run
 * (what the model writes before training); the text streams into `generated` token by token.
 */
export async function generateText(prompt: string): Promise<void> {
  const s = text();
  if (s.generating || s.task !== 'text-generation' || s.baseState !== 'loaded') return;
  setText({ generating: true, tryError: null, generated: '' });
  try {
    const { text: generated } = await getClient().call({
      kind: 'infer',
      task: 'text-generation',
      prompt,
      maxTokens: s.settings.maxTokens,
      temperature: s.settings.temperature,
      topK: s.settings.topK,
      topP: s.settings.topP,
      seed: s.seed,
      pretrained: !(s.result && s.runTask === 'text-generation'),
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
export async function exportTextZip(format: 'tfjs' | 'hf' = 'tfjs'): Promise<void> {
  const s = text();
  if (!s.result || !s.record) return;
  setText({ exportError: null });
  try {
    // The worker writes metadata.json and the model card from the run's record, not from this screen.
    const { files } = await getClient().call({ kind: 'export', task: s.record.task, format });
    const { zipSync } = await import('fflate');
    // Safetensors are stored, not deflated: float weights barely compress and a 500 MB GPT-2 would take minutes.
    const zip = zipSync(
      Object.fromEntries(files.map((f) => [f.name, [new Uint8Array(f.data), { level: f.name.endsWith('.safetensors') ? 0 : 6 }]])),
    );
    const name =
      format === 'hf'
        ? `${safeFileName(s.record.model.name)}-finetuned.zip`
        : s.record.task === 'text-generation'
          ? 'text-generator.zip'
          : 'text-classifier.zip';
    download(new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), name);
  } catch (err) {
    setText({ exportError: userMessageOf(err) });
  }
}

const safeFileName = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'model';

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
