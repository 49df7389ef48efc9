/** "Explain": a Grad-CAM heat-map of one image from the training worker, or a sentence saying why not. */
import { userMessageOf } from '../lib/errors';
import type { CommandResults } from '../worker/protocol';
import { getClient } from './clientHost';

export type Explained = CommandResults['explain'];

/** The heat-map for `blob` and `classIndex` (default: the predicted class). Never rejects. */
export async function explainImage(blob: Blob, classIndex?: number): Promise<{ value: Explained } | { error: string }> {
  try {
    return { value: await getClient().call({ kind: 'explain', blob, classIndex }) };
  } catch (err) {
    return { error: userMessageOf(err) };
  }
}
