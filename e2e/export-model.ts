import { strFromU8 } from 'fflate';
import * as tf from '@tensorflow/tfjs';

/** Loads a studio export's model.json and weight files in Node with plain tf.loadLayersModel (cpu backend). */
export async function loadExportedModel(files: Record<string, Uint8Array>): Promise<tf.LayersModel> {
  const modelJson = JSON.parse(strFromU8(files['model.json'] as Uint8Array)) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const weightSpecs = modelJson.weightsManifest.flatMap((g) => g.weights);
  const chunks = modelJson.weightsManifest.flatMap((g) => g.paths.map((p) => files[p]));
  if (chunks.some((c) => !c)) throw new Error('a weight file listed in model.json is missing from the export');
  const weightData = new Uint8Array(chunks.reduce((n, c) => n + (c as Uint8Array).length, 0));
  let offset = 0;
  for (const c of chunks as Uint8Array[]) {
    weightData.set(c, offset);
    offset += c.length;
  }
  await tf.setBackend('cpu');
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData: weightData.buffer }));
}
