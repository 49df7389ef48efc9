/**
 * Runs a downloaded text model the way its README says, outside the browser: the zip's own lm.js
 * (written out and imported as an ES module) with plain TensorFlow.js on the cpu backend.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';

interface LmJs {
  fromWeights(tf: unknown, json: unknown, weights: unknown, tokenizer: unknown): unknown;
  generate(tf: unknown, model: unknown, prompt: string, options: object): Promise<string>;
  disposeModel(model: unknown): void;
}

/** What the exported model writes for `prompt` through its lm.js. */
export async function lmJsGenerate(
  files: Record<string, Uint8Array>,
  prompt: string,
  options: { maxTokens: number; temperature: number; topK?: number; seed?: number },
): Promise<string> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'lmjs-')), 'lm.mjs');
  writeFileSync(file, files['lm.js']!);
  const lmjs = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as LmJs;
  const json = JSON.parse(new TextDecoder().decode(files['model.json'])) as {
    weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }>;
  };
  const bin = files['weights.bin']!;
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  const tokenizer = JSON.parse(new TextDecoder().decode(files['tokenizer.json'])) as unknown;
  await tf.setBackend('cpu');
  const model = lmjs.fromWeights(tf, json, tf.io.decodeWeights(buffer, json.weightsManifest[0]!.weights), tokenizer);
  try {
    return await lmjs.generate(tf, model, prompt, options);
  } finally {
    lmjs.disposeModel(model);
  }
}
