/**
 * What reading every Hugging Face checkpoint shares (gpt2.ts, bert.ts, distilbert.ts): whole numbers
 * from config.json, and tensors read by transformers' names, each checked against the shape the config
 * implies, with the refusal worded by the architecture's own `refuse`.
 */
import type { SafetensorsFile } from './safetensors';

type Refuse = (why: string) => Error;

/** A positive whole number of config.json, or a refusal naming its key. */
export function configInt(value: unknown, key: string, refuse: Refuse): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) throw refuse(`config.json has no valid ${key}`);
  return value as number;
}

/**
 * A reader of `weights`' tensors by name, under `prefix` when the file uses it (transformers writes
 * `transformer.`/`bert.` or not, depending on the class that saved it); `topLevel` names the tensors
 * that stand outside the prefix (a sequence classifier's own layers).
 */
export function tensorReader(
  weights: SafetensorsFile,
  prefix: string,
  refuse: Refuse,
  topLevel: (name: string) => boolean = () => false,
): (name: string, shape: readonly number[]) => Float32Array {
  const prefixed = weights.names.some((n) => n.startsWith(prefix));
  return (name, shape) => {
    const full = (prefixed && !topLevel(name) ? prefix : '') + name;
    const entry = weights.entries.get(full);
    if (!entry) throw refuse(`model.safetensors has no tensor “${full}”`);
    if (entry.shape.join(',') !== shape.join(',')) {
      throw refuse(`tensor “${full}” has shape [${entry.shape.join(', ')}], but config.json implies [${shape.join(', ')}]`);
    }
    return weights.read(full);
  };
}
