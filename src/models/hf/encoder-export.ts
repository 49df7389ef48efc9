/**
 * Writing a fine-tuned encoder classifier (BERT, DistilBERT) back in transformers' names and layouts:
 * shared by export.ts (BERT) and distilbert.ts.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { mergedKernels } from '../../text/lora';
import type { TextModel } from '../../text/text-model';
import { bertNames, transpose2d } from './bert';
import type { TensorToWrite } from './safetensors';

type Tf = typeof tfTypes;

/**
 * An encoder classifier's weights under transformers' names (`namesOf` gives them for each studio
 * parameter: one, or three for the fused q·k·v, split back), `nn.Linear` layout [out, in], adapters
 * merged, and its head as `classifier` — BERT's and DistilBERT's.
 */
export async function encoderClassifierTensors(
  tf: Tf,
  model: TextModel,
  namesOf: (studioName: string) => string[],
): Promise<TensorToWrite[]> {
  const head = model.classifier;
  if (!head?.plain) throw new Error('an encoder export needs its classifier head on the pooled output');
  const merged = await mergedKernels(tf, model.lm);
  const out: TensorToWrite[] = [];
  for (const name of model.lm.names) {
    const v = model.lm.vars.get(name)!;
    const values = merged.get(name) ?? ((await v.data()) as Float32Array);
    const names = namesOf(name);
    if (!name.endsWith('.kernel')) {
      const size = values.length / names.length;
      names.forEach((n, k) =>
        out.push({ name: n, shape: names.length > 1 ? [size] : v.shape.slice(), values: values.slice(k * size, (k + 1) * size) }),
      );
      continue;
    }
    const [fanIn, fanOut] = v.shape as [number, number];
    const part = fanOut / names.length;
    names.forEach((n, k) => {
      const slice = new Float32Array(fanIn * part);
      for (let i = 0; i < fanIn; i++) slice.set(values.subarray(i * fanOut + k * part, i * fanOut + (k + 1) * part), i * part);
      out.push({ name: n, shape: [part, fanIn], values: transpose2d(slice, fanIn, part) });
    });
  }
  const [H, K] = head.kernel.shape as [number, number];
  out.push(
    { name: 'classifier.weight', shape: [K, H], values: transpose2d((await head.kernel.data()) as Float32Array, H, K) },
    { name: 'classifier.bias', shape: [K], values: (await head.bias.data()) as Float32Array },
  );
  return out;
}

/** A BERT classifier's weights (`bert.` encoder, `classifier` head). */
export const bertTensors = (tf: Tf, model: TextModel) => encoderClassifierTensors(tf, model, (n) => bertNames(n).map((x) => `bert.${x}`));

/** config.json of a fine-tuned encoder classifier: the imported one, as `architecture` (a transformers class) of these labels. */
export function sequenceClassifierConfig(
  config: Record<string, unknown>,
  labels: readonly string[],
  architecture: string,
): Record<string, unknown> {
  return {
    ...config,
    architectures: [architecture],
    id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
    problem_type: 'single_label_classification',
  };
}
