import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../engine/types';
import type { DatasetImage } from '../data/types';
import { openProjectStore, type ProjectRecord, type RunRecord } from './projects';

let dbCounter = 0;
const fresh = () => openProjectStore(`test-db-${++dbCounter}`);

function project(id: string, updatedAt = 1): ProjectRecord {
  return {
    id,
    name: `project ${id}`,
    createdAt: 1,
    updatedAt,
    settings: { ...DEFAULT_SETTINGS },
    imageSizeAuto: true,
    splitSeed: 42,
    modelId: 'mobilenet-v2',
    trainable: [],
    lastRunId: null,
  };
}

function image(id: string, label: string): DatasetImage {
  return {
    id,
    label,
    name: `${id}.png`,
    path: `${label}/${id}.png`,
    blob: new Blob([new Uint8Array([1, 2, 3, id.length])], { type: 'image/png' }),
    format: 'png',
    bytes: 4,
    hash: `h-${id}`,
    width: 8,
    height: 8,
  };
}

function run(id: string, projectId: string): RunRecord {
  return {
    id,
    projectId,
    labels: ['a', 'b'],
    settings: { ...DEFAULT_SETTINGS, epochs: 30 },
    history: [],
    initialValLoss: 1.1,
    status: 'running',
    startedAt: 1,
    updatedAt: 1,
  };
}

describe('project storage (IndexedDB)', () => {
  it('stores, lists (newest first), renames and reopens projects', async () => {
    const store = await fresh();
    await store.putProject(project('p1', 10));
    await store.putProject(project('p2', 20));
    expect((await store.listProjects()).map((p) => p.id)).toEqual(['p2', 'p1']);
    await store.renameProject('p1', 'flowers');
    expect((await store.getProject('p1'))?.name).toBe('flowers');
    await store.setLastProjectId('p1');
    store.close();
    const again = await openProjectStore(`test-db-${dbCounter}`);
    expect(await again.getLastProjectId()).toBe('p1');
    expect((await again.getProject('p1'))?.settings.epochs).toBe(DEFAULT_SETTINGS.epochs);
    again.close();
  });

  it('keeps a project’s images in step with the dataset, blobs included', async () => {
    const store = await fresh();
    await store.putProject(project('p1'));
    await store.saveImages('p1', [image('i1', 'cat'), image('i2', 'dog'), image('i3', 'dog')]);
    await store.saveImages('p1', [image('i1', 'cat'), image('i2', 'cat'), image('i4', 'dog')]);
    const got = (await store.loadImages('p1')).sort((a, b) => a.id.localeCompare(b.id));
    expect(got.map((i) => [i.id, i.label])).toEqual([
      ['i1', 'cat'],
      ['i2', 'cat'],
      ['i4', 'dog'],
    ]);
    expect(got[0]).not.toHaveProperty('projectId');
    expect(new Uint8Array(await got[0]!.blob.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3, 2]));
    expect(got[0]!.hash).toBe('h-i1');
    store.close();
  });

  it('stores runs and only the latest checkpoint of each', async () => {
    const store = await fresh();
    await store.putProject(project('p1'));
    await store.putRun(run('r1', 'p1'));
    const weights = (v: number) => new Float32Array([v, v + 1, v + 2]).buffer;
    await store.putCheckpoint('r1', {
      epoch: 1,
      specs: [{ layer: 'head_dense', index: 0, shape: [3] }],
      weights: weights(1),
      optimizerSteps: { head: 4, backbone: 0 },
    });
    await store.putCheckpoint('r1', {
      epoch: 2,
      specs: [{ layer: 'head_dense', index: 0, shape: [3] }],
      weights: weights(5),
      optimizerSteps: { head: 8, backbone: 0 },
    });
    const cp = await store.getCheckpoint('r1');
    expect(cp?.epoch).toBe(2);
    expect(Array.from(new Float32Array(cp!.weights))).toEqual([5, 6, 7]);
    expect(cp?.optimizerSteps.head).toBe(8);
    const r = await store.getRun('r1');
    expect(r?.settings.epochs).toBe(30);
    store.close();
  });

  it('duplicates a project with its images, and deletes one with everything it holds', async () => {
    const store = await fresh();
    await store.putProject({ ...project('p1'), lastRunId: 'r1' });
    await store.saveImages('p1', [image('i1', 'cat'), image('i2', 'dog')]);
    await store.putRun(run('r1', 'p1'));
    await store.putCheckpoint('r1', { epoch: 1, specs: [], weights: new ArrayBuffer(0), optimizerSteps: { head: 0, backbone: 0 } });
    const copy = await store.duplicateProject('p1', 'p2', 'copy');
    expect(copy.lastRunId).toBeNull();
    expect((await store.loadImages('p2')).length).toBe(2);
    await store.deleteProject('p1');
    expect(await store.getProject('p1')).toBeUndefined();
    expect(await store.loadImages('p1')).toEqual([]);
    expect(await store.getRun('r1')).toBeUndefined();
    expect(await store.getCheckpoint('r1')).toBeUndefined();
    expect((await store.loadImages('p2')).length).toBe(2);
    store.close();
  });

  it('lists a project’s runs oldest first, keeps notes on one, and deletes one with its checkpoint', async () => {
    const store = await fresh();
    await store.putRun({ ...run('r2', 'p1'), startedAt: 20 });
    await store.putRun({ ...run('r1', 'p1'), startedAt: 10 });
    await store.putRun({ ...run('x', 'p2'), startedAt: 5 });
    expect((await store.listRuns('p1')).map((r) => r.id)).toEqual(['r1', 'r2']);
    const before = await store.getRun('r1');
    await store.putRun({ ...before!, notes: 'lower lr looks steadier' });
    expect((await store.getRun('r1'))?.notes).toBe('lower lr looks steadier');
    const cp = { epoch: 2, specs: [], weights: new ArrayBuffer(8), optimizerSteps: { head: 0, backbone: 0 }, final: true };
    await store.putCheckpoint('r1', cp);
    await store.putCheckpoint('r2', cp);
    await store.deleteRun('r1');
    expect(await store.getRun('r1')).toBeUndefined();
    expect(await store.getCheckpoint('r1')).toBeUndefined();
    expect((await store.getCheckpoint('r2'))?.final).toBe(true);
    expect((await store.listRuns('p1')).map((r) => r.id)).toEqual(['r2']);
    store.close();
  });
});

describe('segmentation drops', () => {
  const drop = (id: string) => ({
    id,
    entries: [
      {
        id: `${id}:a`,
        name: 'a',
        imagePath: 'images/a.png',
        maskPath: 'masks/a.png',
        image: new Blob([new Uint8Array([1, 2])], { type: 'image/png' }),
        mask: new Blob([new Uint8Array([3])], { type: 'image/png' }),
        width: 4,
        height: 4,
        hash: `h-${id}`,
      },
    ],
    imagesWithoutMask: [],
    masksWithoutImage: ['masks/lonely.png'],
    unreadable: [],
    unreadableMasks: [],
    ignored: [],
    classesTxt: 'background\nobject\n',
  });

  it('keeps exactly the drops given, per project, and deletes them with the project', async () => {
    const db = await fresh();
    await db.putProject(project('p1'));
    await db.saveSegDrops('p1', [drop('d1'), drop('d2')]);
    await db.saveSegDrops('p2', [drop('d9')]);
    expect((await db.loadSegDrops('p1')).map((d) => d.id).sort()).toEqual(['d1', 'd2']);
    await db.saveSegDrops('p1', [drop('d2'), drop('d3')]);
    const back = await db.loadSegDrops('p1');
    expect(back.map((d) => d.id).sort()).toEqual(['d2', 'd3']);
    expect(back[0]?.entries[0]?.name).toBe('a');
    expect(back[0]).not.toHaveProperty('projectId');
    const copy = await db.duplicateProject('p1', 'p3', 'copy');
    expect((await db.loadSegDrops(copy.id)).length).toBe(2);
    await db.deleteProject('p1');
    expect(await db.loadSegDrops('p1')).toEqual([]);
    expect((await db.loadSegDrops('p2')).map((d) => d.id)).toEqual(['d9']);
    db.close();
  });

  it('opens a database of the first version and adds the drops and clips stores, keeping its projects', async () => {
    const name = `test-db-v1-${++dbCounter}`;
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => {
        req.result.createObjectStore('projects', { keyPath: 'id' }).createIndex('updatedAt', 'updatedAt');
        req.result.createObjectStore('images', { keyPath: ['projectId', 'id'] }).createIndex('projectId', 'projectId');
        req.result.createObjectStore('runs', { keyPath: 'id' }).createIndex('projectId', 'projectId');
        req.result.createObjectStore('checkpoints', { keyPath: 'runId' });
        req.result.createObjectStore('meta', { keyPath: 'key' });
        req.transaction?.objectStore('projects').put(project('old'));
      };
      req.onsuccess = () => {
        req.result.close();
        resolve();
      };
      req.onerror = () => reject(req.error);
    });
    const db = await openProjectStore(name);
    expect((await db.listProjects()).map((p) => p.id)).toEqual(['old']);
    await db.saveSegDrops('old', [drop('d1')]);
    expect((await db.loadSegDrops('old')).length).toBe(1);
    expect(await db.loadAudioClips('old')).toEqual([]);
    db.close();
  });
});

describe('audio clips', () => {
  const clip = (id: string, label = 'low', hash = `h-${id}`) => ({
    id: `${label}/${id}.wav`,
    name: `${id}.wav`,
    path: `${label}/${id}.wav`,
    label,
    file: new Blob([new Uint8Array([82, 73, 70, 70, id.length])], { type: 'audio/wav' }),
    hash,
  });

  it('keeps exactly the clips given (files included), per project, and copies and deletes them with the project', async () => {
    const db = await fresh();
    await db.putProject(project('p1'));
    await db.saveAudioClips('p1', [clip('a'), clip('b', 'high')]);
    await db.saveAudioClips('p2', [clip('z')]);
    expect((await db.loadAudioClips('p1')).map((c) => c.id).sort()).toEqual(['high/b.wav', 'low/a.wav']);
    // A clip gone, one new, one of the same id read again from another file.
    await db.saveAudioClips('p1', [clip('b', 'high', 'h-new'), clip('c')]);
    const back = await db.loadAudioClips('p1');
    expect(back.map((c) => c.id).sort()).toEqual(['high/b.wav', 'low/c.wav']);
    const b = back.find((c) => c.id === 'high/b.wav');
    expect(b).toMatchObject({ name: 'b.wav', path: 'high/b.wav', label: 'high', hash: 'h-new' });
    expect(b).not.toHaveProperty('projectId');
    expect(Array.from(new Uint8Array(await (b?.file as Blob).arrayBuffer()))).toEqual([82, 73, 70, 70, 1]);
    // Only what is kept: the decoded samples are not.
    await db.saveAudioClips('p1', [{ ...clip('c'), samples: new Float32Array(8), peak: 1 } as ReturnType<typeof clip>]);
    expect(Object.keys((await db.loadAudioClips('p1'))[0] ?? {}).sort()).toEqual(['file', 'hash', 'id', 'label', 'name', 'path']);
    const copy = await db.duplicateProject('p1', 'p3', 'copy');
    expect((await db.loadAudioClips(copy.id)).map((c) => c.id)).toEqual(['low/c.wav']);
    await db.deleteProject('p1');
    expect(await db.loadAudioClips('p1')).toEqual([]);
    expect((await db.loadAudioClips('p3')).length).toBe(1);
    expect((await db.loadAudioClips('p2')).map((c) => c.id)).toEqual(['low/z.wav']);
    db.close();
  });

  it('opens a database of the second version and adds the clips store, keeping its projects and drops', async () => {
    const name = `test-db-v2-${++dbCounter}`;
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open(name, 2);
      req.onupgradeneeded = () => {
        req.result.createObjectStore('projects', { keyPath: 'id' }).createIndex('updatedAt', 'updatedAt');
        req.result.createObjectStore('images', { keyPath: ['projectId', 'id'] }).createIndex('projectId', 'projectId');
        req.result.createObjectStore('runs', { keyPath: 'id' }).createIndex('projectId', 'projectId');
        req.result.createObjectStore('checkpoints', { keyPath: 'runId' });
        req.result.createObjectStore('meta', { keyPath: 'key' });
        req.result.createObjectStore('segDrops', { keyPath: ['projectId', 'id'] }).createIndex('projectId', 'projectId');
        req.transaction?.objectStore('projects').put(project('old'));
        req.transaction?.objectStore('segDrops').put({ id: 'd1', projectId: 'old', entries: [] });
      };
      req.onsuccess = () => {
        req.result.close();
        resolve();
      };
      req.onerror = () => reject(req.error);
    });
    const db = await openProjectStore(name);
    expect((await db.listProjects()).map((p) => p.id)).toEqual(['old']);
    expect((await db.loadSegDrops('old')).map((d) => d.id)).toEqual(['d1']);
    await db.saveAudioClips('old', [clip('a')]);
    expect((await db.loadAudioClips('old')).length).toBe(1);
    db.close();
  });
});
