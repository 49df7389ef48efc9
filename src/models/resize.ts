/** Rebuilds a functional Layers model for another square input size (convolutions accept any size). */
import type * as tfTypes from '@tensorflow/tfjs';
import { StudioError } from '../lib/errors';

type Tf = typeof tfTypes;

interface TopologyJson {
  config: { layers: { class_name: string; config: { batch_input_shape?: (number | null)[] } }[] };
}

/** A new model at `size`×`size` input; with `copyWeights`, it starts from the original's weights. */
export async function rebuildAtInputSize(
  tf: Tf,
  model: tfTypes.LayersModel,
  size: number,
  copyWeights = true,
): Promise<tfTypes.LayersModel> {
  const json = model.toJSON(null, false) as unknown as TopologyJson;
  const input = json.config.layers.find((l) => l.class_name === 'InputLayer');
  const shape = input?.config.batch_input_shape;
  if (!input || !shape || shape.length !== 4) {
    throw new StudioError('unsupported', 'This model cannot change its input size.');
  }
  input.config.batch_input_shape = [null, size, size, shape[3] ?? 3];
  const resized = await tf.models.modelFromJSON({ modelTopology: json as unknown as tfTypes.io.ModelJSON['modelTopology'] });
  if (copyWeights) for (const layer of resized.layers) layer.setWeights(model.getLayer(layer.name).getWeights());
  return resized;
}
