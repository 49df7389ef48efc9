/** Augmented samples of one training image for the preview grid, drawn by the worker with the run's seed. */
import { ensureReady } from './controller';
import { getClient } from './clientHost';
import { useStudio } from './store';
import { StudioError } from '../lib/errors';

/** The first training image (the preview's subject), or null before there is a split. */
export function firstTrainImageId(state: { split: { train: string[] } }): string | null {
  return state.split.train[0] ?? null;
}

/** PNG blobs of `count` augmented variants of the first training image, with the current settings. */
export async function augmentPreview(count: number): Promise<Blob[] | null> {
  const s = useStudio.getState();
  const id = firstTrainImageId(s);
  const image = s.images.find((i) => i.id === id);
  if (!image) return null;
  if (!(await ensureReady())) {
    throw new StudioError('unsupported', 'The preview needs the compute backend and the model; see the message above.');
  }
  const { images } = await getClient().call({
    kind: 'augmentPreview',
    blob: image.blob,
    settings: useStudio.getState().settings,
    count,
  });
  return images;
}
