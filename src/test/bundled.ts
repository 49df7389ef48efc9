/** The bundled MobileNetV2 backbone, loaded from public/ in Node tests (prepared by npm install). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { rebuildAtInputSize } from '../models/resize';

const dir = fileURLToPath(new URL('../../public/models/mobilenet-v2/', import.meta.url));

export function loadBundledBackbone(): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(`${dir}model.json`, 'utf8'));
  const bin = readFileSync(`${dir}weights.bin`);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    }),
  );
}

/** The bundled backbone rebuilt at `size` px with the same weights. */
export async function bundledBackboneAt(size: number): Promise<tf.LayersModel> {
  const base = await loadBundledBackbone();
  if (size === 224) return base;
  const resized = await rebuildAtInputSize(tf, base, size);
  base.dispose();
  return resized;
}

/** Reloads exported files (model.json + weights.bin) with plain tf.loadLayersModel. */
export function reloadExport(files: { name: string; data: ArrayBuffer }[]): Promise<tf.LayersModel> {
  const byName = new Map(files.map((f) => [f.name, f.data]));
  const modelJson = JSON.parse(new TextDecoder().decode(byName.get('model.json')));
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest[0].weights,
      weightData: byName.get('weights.bin'),
    }),
  );
}
