/** Loads a TF.js Layers model from a URL with errors a person can act on. */
import * as tf from '@tensorflow/tfjs';
import { StudioError } from '../lib/errors';

interface ModelJson {
  format?: string;
  modelTopology?: unknown;
  weightsManifest?: { paths: string[] }[];
}

export async function loadLayersModelChecked(url: string): Promise<tf.LayersModel> {
  let json: ModelJson;
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    json = (await res.json()) as ModelJson;
  } catch (err) {
    throw new StudioError(
      'model-load-failed',
      `The model at ${url} could not be fetched (${err instanceof Error ? err.message : 'network error'}). Check the address, your connection, or whether the server allows cross-origin requests (CORS).`,
      { cause: err },
    );
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new StudioError('model-invalid', `${url} is not a TF.js Layers model.json (it has no modelTopology or weightsManifest).`);
  }
  for (const group of json.weightsManifest) {
    for (const path of group.paths) {
      const weightUrl = new URL(path, url).href;
      const res = await fetch(weightUrl, { method: 'HEAD' }).catch(() => null);
      if (!res || !res.ok) {
        throw new StudioError(
          'model-invalid',
          `The weight file ${path} that model.json lists could not be fetched${res ? ` (HTTP ${res.status})` : ''}. Provide model.json together with all its weight files.`,
        );
      }
    }
  }
  try {
    return await tf.loadLayersModel(url);
  } catch (err) {
    throw new StudioError(
      'model-invalid',
      `The model could not be built: ${err instanceof Error ? err.message.split('\n')[0] : 'unknown error'}.`,
      { cause: err },
    );
  }
}
