import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { encodeWav } from '../data/wav';
import { addAudioFiles, removeAudioClip, setAudioGroupKey } from './audioData';
import { applyProject, createProject, flushWrites, projectDb, startPersistence } from './persistence';
import { useStudio } from './store';

// No training worker in Node: the autosave only listens to it for checkpoints.
vi.mock('./clientHost', () => ({ getClient: () => ({ onEvent: () => () => undefined }) }));

const tone = (hz: number) =>
  new Blob([
    encodeWav(
      Float32Array.from({ length: 2000 }, (_, i) => 0.4 * Math.sin((2 * Math.PI * hz * i) / 8000)),
      8000,
    ) as Uint8Array<ArrayBuffer>,
  ]);

/** Every write the autosave has queued, the debounced project record's included. */
async function settled(): Promise<void> {
  await new Promise((r) => setTimeout(r, 400));
  await flushWrites();
}

describe('the audio task’s clips are kept with the project', () => {
  it('writes clips, speaker key and sources as they change, clears them for a new project, and brings them back on open', async () => {
    await startPersistence();
    const db = projectDb();
    const first = useStudio.getState().currentId;
    if (!db || !first) throw new Error('no project storage');

    await addAudioFiles([
      { path: 'low/s1/a.wav', data: tone(200) },
      { path: 'low/s2/b.wav', data: tone(230) },
      { path: 'high/s1/c.wav', data: tone(1500) },
      { path: 'high/s2/d.wav', data: tone(1700) },
    ]);
    setAudioGroupKey({ kind: 'folder' });
    useStudio.getState().setAudio({ sources: ['tones made in the test'] });
    await settled();
    const before = useStudio.getState().audio;
    expect(before.clips).toHaveLength(4);
    expect((await db.loadAudioClips(first)).map((c) => c.id).sort()).toEqual(before.clips.map((c) => c.id).sort());
    expect((await db.getProject(first))?.audio).toEqual({ groupKey: { kind: 'folder' }, sources: ['tones made in the test'] });

    // A new project starts with no clips and no speaker key; the first one's stay stored.
    await createProject('other');
    const other = useStudio.getState().currentId ?? '';
    await settled();
    expect(useStudio.getState().audio).toMatchObject({ clips: [], classNames: [], groupKey: { kind: 'none' }, sources: [] });
    expect(await db.loadAudioClips(first)).toHaveLength(4);

    // A clip whose file no longer decodes is left out on open, named in a warning.
    const kept = await db.loadAudioClips(first);
    await db.saveAudioClips(first, [
      ...kept,
      { id: 'high/s3/e.wav', name: 'e.wav', path: 'high/s3/e.wav', label: 'high', file: new Blob(['x']), hash: 'h' },
    ]);
    const project = await db.getProject(first);
    if (!project) throw new Error('first project gone');
    await applyProject(project);
    const back = useStudio.getState().audio;
    expect(back.clips.map((c) => c.id).sort()).toEqual(before.clips.map((c) => c.id).sort());
    const byId = new Map(before.clips.map((c) => [c.id, c]));
    for (const c of back.clips) expect(c).toEqual(byId.get(c.id));
    expect(back.classNames).toEqual(['high', 'low']);
    expect(back.groupKey).toEqual({ kind: 'folder' });
    expect(back.sources).toEqual(['tones made in the test']);
    expect(back.warnings).toEqual([
      '“high/s3/e.wav”, kept with this project, could not be decoded again, so it was left out: add it again.',
    ]);
    // What was brought back is not written again (nor to the project left): the stored set still holds the broken clip.
    await settled();
    expect(await db.loadAudioClips(first)).toHaveLength(5);
    expect(await db.loadAudioClips(other)).toEqual([]);
    expect(await db.getProject(other)).toMatchObject({ name: 'other', audio: { groupKey: { kind: 'none' }, sources: [] } });

    // A change after opening is written: the stored set becomes the clips on screen (the broken one goes).
    removeAudioClip('low/s1/a.wav');
    await settled();
    expect((await db.loadAudioClips(first)).map((c) => c.id).sort()).toEqual(['high/s1/c.wav', 'high/s2/d.wav', 'low/s2/b.wav']);
  });
});
