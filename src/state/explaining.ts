/** "Explain": a Grad-CAM heat-map of one image from the training worker, or a sentence saying why not. */
import { userMessageOf } from '../lib/errors';
import type { Explanation } from '../worker/protocol';
import { getClient } from './clientHost';

export type Explained = Explanation & { probabilities: number[] };

/** The heat-map for `blob` and `classIndex` (default: the predicted class). Never rejects. */
export async function explainImage(blob: Blob, classIndex?: number): Promise<{ value: Explained } | { error: string }> {
  try {
    const { probabilities, explanation } = await getClient().call({
      kind: 'infer',
      task: 'image-classification',
      blob,
      explain: { classIndex },
    });
    if (!explanation) throw new Error('the worker returned no explanation');
    return { value: { ...explanation, probabilities } };
  } catch (err) {
    return { error: userMessageOf(err) };
  }
}
