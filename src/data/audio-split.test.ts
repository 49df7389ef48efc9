import { describe, expect, it } from 'vitest';
import { createRng, shuffled } from '../lib/random';
import { audioGroupOf } from './audio-ingest';
import { audioSplitOf } from './audio-split';
import { splitDataset } from './split';

interface Clip {
  id: string;
  label: string;
  name: string;
  path: string;
}

const CLASSES = ['angry', 'happy', 'neutral', 'sad'];

/** `speakers` voices, each reading `takes` clips of every class (v01_03.wav style names). */
function voices(speakers: number, takes: number): Clip[] {
  const out: Clip[] = [];
  for (let v = 1; v <= speakers; v++) {
    for (const label of CLASSES) {
      for (let t = 1; t <= takes; t++) {
        const name = `v${String(v).padStart(2, '0')}_${String(t).padStart(2, '0')}.wav`;
        out.push({ id: `${label}/${name}`, label, name, path: `${label}/${name}` });
      }
    }
  }
  return out;
}

/** A messier set: speakers record a seeded subset of classes, with a seeded number of takes. */
function ragged(seed: number): Clip[] {
  const rng = createRng(seed);
  const out: Clip[] = [];
  const speakers = 3 + Math.floor(rng() * 12);
  for (let v = 1; v <= speakers; v++) {
    for (const label of CLASSES) {
      if (rng() < 0.3) continue;
      const takes = 1 + Math.floor(rng() * 5);
      for (let t = 1; t <= takes; t++) {
        const name = `take${t}.wav`;
        out.push({ id: `${label}/s${v}/${name}`, label, name, path: `${label}/s${v}/${name}` });
      }
    }
  }
  return out;
}

const speakerKey = { kind: 'pattern', pattern: '^(v\\d+)_' } as const;
const bySpeaker = (c: Clip) => audioGroupOf(c, speakerKey);
const byFolder = (c: Clip) => audioGroupOf(c, { kind: 'folder' });
const byClip = (c: Clip) => audioGroupOf(c, { kind: 'none' });

function groupsOn(ids: string[], clips: Clip[], groupOf: (c: Clip) => string): Set<string> {
  const byId = new Map(clips.map((c) => [c.id, c]));
  return new Set(ids.map((id) => groupOf(byId.get(id)!)));
}

const labelsOf = (ids: string[]) => new Set(ids.map((id) => id.split('/')[0]));

describe('audioSplitOf', () => {
  it('never puts one speaker on both sides, over many seeds and fractions', () => {
    const sets = [voices(10, 3), voices(4, 5), voices(25, 2)];
    for (const clips of sets) {
      for (const fraction of [0.1, 0.2, 0.3, 0.5, 0.8]) {
        for (let seed = 1; seed <= 40; seed++) {
          const { train, val } = audioSplitOf(clips, fraction, seed, bySpeaker);
          expect(train.length + val.length).toBe(clips.length);
          const t = groupsOn(train, clips, bySpeaker);
          for (const g of groupsOn(val, clips, bySpeaker)) expect(t.has(g)).toBe(false);
          expect(val.length).toBeGreaterThan(0);
          expect(train.length).toBeGreaterThan(0);
        }
      }
    }
  });

  it('holds about the validation fraction of each class, in whole speakers', () => {
    const clips = voices(10, 3); // 30 clips a class
    const { val } = audioSplitOf(clips, 0.2, 7, bySpeaker);
    expect(groupsOn(val, clips, bySpeaker).size).toBe(2);
    for (const label of CLASSES) expect(val.filter((id) => id.startsWith(`${label}/`))).toHaveLength(6);
  });

  it('without a key splits clip by clip, as images are split', () => {
    const clips = voices(10, 3);
    for (const seed of [1, 2, 3]) {
      const split = audioSplitOf(clips, 0.2, seed, byClip);
      const images = splitDataset(clips, 0.2, seed);
      expect(new Set(split.val)).toEqual(new Set(images.val));
      for (const label of CLASSES) expect(split.val.filter((id) => id.startsWith(`${label}/`))).toHaveLength(6);
      // Clip by clip, so some speaker lands on both sides: the leak the group key prevents.
      const t = groupsOn(split.train, clips, bySpeaker);
      expect([...groupsOn(split.val, clips, bySpeaker)].some((g) => t.has(g))).toBe(true);
    }
  });

  it('is stable for a seed whatever the input order, and changes with the seed', () => {
    const clips = voices(12, 2);
    const a = audioSplitOf(clips, 0.25, 42, bySpeaker);
    const b = audioSplitOf(shuffled(clips, createRng(9)), 0.25, 42, bySpeaker);
    expect(b).toEqual(a);
    const others = [1, 2, 3, 4, 5].map((s) => audioSplitOf(clips, 0.25, s, bySpeaker).val.join());
    expect(new Set([a.val.join(), ...others]).size).toBeGreaterThan(1);
  });

  it('gives every class with two or more groups clips on both sides, and keeps groups whole', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const clips = ragged(seed);
      for (const fraction of [0.1, 0.2, 0.4]) {
        const { train, val } = audioSplitOf(clips, fraction, seed, byFolder);
        const t = groupsOn(train, clips, byFolder);
        for (const g of groupsOn(val, clips, byFolder)) expect(t.has(g)).toBe(false);
        const trainLabels = labelsOf(train);
        const valLabels = labelsOf(val);
        for (const label of CLASSES) {
          const groups = new Set(clips.filter((c) => c.label === label).map(byFolder));
          if (groups.size < 2) continue;
          expect(trainLabels.has(label), `seed ${seed}, ${fraction}: ${label} in train`).toBe(true);
          expect(valLabels.has(label), `seed ${seed}, ${fraction}: ${label} in validation`).toBe(true);
        }
      }
    }
  });

  it('puts nothing in validation at a fraction of 0', () => {
    const clips = voices(5, 2);
    expect(audioSplitOf(clips, 0, 1, bySpeaker)).toEqual({ train: clips.map((c) => c.id).sort(), val: [] });
  });
});
