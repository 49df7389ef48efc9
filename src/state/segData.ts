/**
 * Segmentation data actions: drops of images/ + masks/ (folders, zips, the built-in sample) become
 * checked image–mask pairs (src/data/seg-ingest.ts). A drop that gives nothing usable is refused in a
 * sentence and the pairs loaded before stay; a good drop adds its pairs. Editing the colour map of
 * RGB masks reads every mask again with it.
 */
import { probeImage } from '../data/decode-client';
import { analyseSegDrops, readSegDrop, type SegDrop } from '../data/seg-ingest';
import type { ColourClass } from '../data/segmentation';
import type { InputFile } from '../data/ingest';
import { userMessageOf } from '../lib/errors';
import { fetchSample } from './controller';
import { useStudio } from './store';
import type { SegState } from './types';

let dropCounter = 0;

const seg = () => useStudio.getState().seg;
const setSeg = (patch: Partial<SegState>) => useStudio.getState().setSeg(patch);

/** The dataset from `drops` (with the colour map as it stands) into the store. */
async function applyDrops(drops: SegDrop[], colourMap = seg().colourMap): Promise<void> {
  const data = await analyseSegDrops(drops, colourMap ? { colourMap } : {});
  setSeg({
    drops,
    pairs: data.pairs,
    classNames: data.classNames,
    classSource: data.classSource,
    summary: data.summary,
    colourMap: data.colourMap,
  });
}

/** Reads one drop and adds its pairs; a drop with nothing usable leaves the dataset as it was and says why. */
export async function addSegFiles(files: InputFile[], projectHint?: string): Promise<void> {
  if (files.length === 0) return;
  setSeg({ busy: true, error: null });
  try {
    // Unique across sessions: a reopened project's drops keep their ids.
    const drop = await readSegDrop(files, { id: `d-${Date.now().toString(36)}-${++dropCounter}`, probe: probeImage });
    if (seg().pairs.length === 0 && projectHint && useStudio.getState().images.length === 0)
      useStudio.getState().setProjectName(projectHint);
    await applyDrops([...seg().drops, drop]);
  } catch (err) {
    setSeg({ error: `${userMessageOf(err)}${seg().pairs.length ? ` The ${seg().pairs.length} pairs loaded before are kept.` : ''}` });
  } finally {
    setSeg({ busy: false });
  }
}

/** The built-in microscopy-like sample (public/samples/cells, made by scripts/make-seg-sample.mjs). */
export async function loadSegSample(): Promise<void> {
  setSeg({ busy: true, error: null });
  try {
    const { name, files } = await fetchSample('cells', 'cells/');
    await addSegFiles(files, name);
  } catch {
    setSeg({
      busy: false,
      error: 'The segmentation sample could not be loaded. Check that the studio was built with `npm run build`, then reload.',
    });
  }
}

/** Gives a colour of the RGB masks another class (or a new one), then reads every mask again with the edited map. */
export async function setSegColourClass(colour: string, classIndex: number): Promise<void> {
  const map = seg().colourMap;
  if (!map || seg().busy) return;
  const next = map.map((c) => (c.colour === colour ? { ...c, classIndex } : c));
  setSeg({ busy: true, error: null });
  try {
    await applyDrops(seg().drops, next);
  } catch (err) {
    setSeg({ error: `The colour map could not be applied: ${userMessageOf(err)}` });
  } finally {
    setSeg({ busy: false });
  }
}

/** A reopened project's drops (read back from IndexedDB), analysed with its colour map. */
export async function restoreSegDrops(drops: SegDrop[], colourMap: ColourClass[] | null): Promise<void> {
  if (drops.length === 0) {
    clearSegData();
    return;
  }
  try {
    await applyDrops(drops, colourMap);
  } catch (err) {
    clearSegData();
    setSeg({ error: `The segmentation data kept with this project could not be read back (${userMessageOf(err)}); add it again.` });
  }
}

/** Removes every pair (and the colour map). */
export function clearSegData(): void {
  setSeg({ drops: [], pairs: [], classNames: [], classSource: 'inferred', summary: null, colourMap: null, error: null });
}
