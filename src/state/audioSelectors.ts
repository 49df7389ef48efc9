/**
 * Derived values of the audio task: its group-aware split, why a run cannot start, the per-class
 * table and the speaker-key notice. Pure; each result is cached on the inputs it reads, so views
 * can select it directly and get the same object back until the data, the key or the split change.
 */
import { audioGroupOf, validateGroupPattern } from '../data/audio-ingest';
import { audioSplitOf } from '../data/audio-split';
import { plural, quote } from '../data/format';
import { GRAPH_TRAIN_MESSAGE } from '../engine/types';
import { graphTrainBlocked, layersBeyondHead } from './selectors';
import type { AudioClipItem, AudioGroupKey, StudioState } from './types';

type SplitInputs = Pick<StudioState, 'audio' | 'settings'>;

/** Caches `fn` on the identity of the values `keys` picks (one entry: the last inputs). */
function lastOf<R>(keys: (s: SplitInputs) => readonly unknown[], fn: (s: SplitInputs) => R): (s: SplitInputs) => R {
  let last: { keys: readonly unknown[]; value: R } | undefined;
  return (s) => {
    const k = keys(s);
    if (last && last.keys.length === k.length && last.keys.every((v, i) => Object.is(v, k[i]))) return last.value;
    const value = fn(s);
    last = { keys: k, value };
    return value;
  };
}

const splitKeys = (s: SplitInputs) => [s.audio.clips, s.audio.groupKey, s.settings.validationSplit, s.settings.seed];

/** The clip's group (speaker) under `key`. */
export const groupOfClip = (key: AudioGroupKey) => (c: Pick<AudioClipItem, 'id' | 'name' | 'path'>) => audioGroupOf(c, key);

/** The current split of the clips (ids), by the settings' fraction and seed, keeping each speaker on one side. */
export const currentAudioSplit = lastOf(splitKeys, (s): { train: string[]; val: string[] } =>
  audioSplitOf(s.audio.clips, s.settings.validationSplit, s.settings.seed, groupOfClip(s.audio.groupKey)),
);

export interface AudioClassRow {
  name: string;
  clips: number;
  /** Seconds of sound (whole clips, as long as they are). */
  seconds: number;
  /** Distinct speakers (groups) among its clips. */
  groups: number;
  train: number;
  val: number;
}

/** Per class, in output order: clips, total seconds, speakers and how the split shares them. */
export const audioClassSummary = lastOf(splitKeys, (s): AudioClassRow[] => {
  const { train, val } = currentAudioSplit(s);
  const inTrain = new Set(train);
  const inVal = new Set(val);
  const groupOf = groupOfClip(s.audio.groupKey);
  const rows = new Map<string, AudioClassRow & { groupSet: Set<string> }>();
  for (const c of s.audio.clips) {
    const row = rows.get(c.label) ?? { name: c.label, clips: 0, seconds: 0, groups: 0, train: 0, val: 0, groupSet: new Set<string>() };
    row.clips++;
    row.seconds += c.seconds;
    row.groupSet.add(groupOf(c));
    if (inTrain.has(c.id)) row.train++;
    if (inVal.has(c.id)) row.val++;
    rows.set(c.label, row);
  }
  return s.audio.classNames.flatMap((name) => {
    const r = rows.get(name);
    return r ? [{ name, clips: r.clips, seconds: r.seconds, groups: r.groupSet.size, train: r.train, val: r.val }] : [];
  });
});

/** The speaker key's problem, in a sentence (an invalid pattern); null when it has none. */
export function audioGroupKeyError(s: Pick<StudioState, 'audio'>): string | null {
  const key = s.audio.groupKey;
  return key.kind === 'pattern' ? validateGroupPattern(key.pattern) : null;
}

const NO_KEY =
  'No speaker key is set: clips of one voice can land in both training and validation, so validation will look better than it is on new voices. Set a sub-folder or a file-name pattern.';

/** What the speaker key finds, in a sentence: the warning when none is set, else the speakers found and how validation holds them. */
export const audioGroupNotice = lastOf(splitKeys, (s): string | null => {
  const key = s.audio.groupKey;
  if (key.kind === 'none') return NO_KEY;
  const clips = s.audio.clips;
  if (clips.length === 0) return null;
  if (audioGroupKeyError(s)) return `The file-name pattern cannot be used, so every clip counts as its own speaker.`;
  const where = key.kind === 'folder' ? 'sub-folder' : 'file-name pattern';
  const groupOf = groupOfClip(key);
  const alone = clips.filter((c) => groupOf(c) === c.id).length;
  if (alone === clips.length) {
    return key.kind === 'folder'
      ? 'No clip sits in a sub-folder of its class folder (angry/v01/a.wav), so every clip counts as its own speaker: one voice can land on both sides.'
      : `The pattern ${quote(key.pattern)} matches no file name, so every clip counts as its own speaker: one voice can land on both sides.`;
  }
  const { val } = currentAudioSplit(s);
  const byId = new Map(clips.map((c) => [c.id, c]));
  const all = new Set(clips.map(groupOf));
  const held = new Set(val.map((id) => byId.get(id)).flatMap((c) => (c ? [groupOf(c)] : [])));
  const speakers = all.size - alone;
  const heldSpeakers = [...held].filter((g) => !byId.has(g)).length;
  const main = `${plural(speakers, 'speaker')} (by ${where}); validation holds ${heldSpeakers} of them.`;
  return alone > 0 ? `${main} ${plural(alone, 'clip')} match no speaker and count alone.` : main;
});

/** Why an audio run cannot start now, as a sentence; null when it can. */
export function audioStartBlocker(s: StudioState): string | null {
  if (s.lrFinder.state === 'running') return 'Wait for the learning-rate test to finish.';
  if (s.backendError) return 'The compute backend did not start; see the message at the top.';
  if (s.modelState === 'loading' || s.modelState === 'idle') return 'The model is still loading.';
  if (s.modelState === 'error' || !s.summary) return 'The model did not load; retry loading it in step 2.';
  if (s.audio.busy) return 'Clips are still being read.';
  if (s.audio.clips.length === 0) return 'Add clips in class folders in step 1 (or use the sample).';
  if (s.audio.classNames.length < 2) return 'Add clips of at least two classes in step 1.';
  const keyError = audioGroupKeyError(s);
  if (keyError) return `Fix the speaker key in step 1 first: ${keyError}`;
  const rows = audioClassSummary(s);
  const noTrain = rows.find((r) => r.train === 0);
  if (noTrain) {
    return `Class ${quote(noTrain.name)} has no clip for training: all its clips are held out for validation. Add clips of another speaker to it, or lower the validation split.`;
  }
  if (!rows.some((r) => r.val > 0))
    return 'The validation split leaves no clip for validation; raise the validation split or add more speakers.';
  const bad = Object.values(s.fieldErrors).find(Boolean);
  if (bad) return `Fix the settings first: ${bad}`;
  if (graphTrainBlocked(s)) return GRAPH_TRAIN_MESSAGE;
  const beyond = layersBeyondHead(s);
  if (beyond.length > 0) {
    return `The head reads ${s.settings.headLayer}, but a layer after it (${beyond[0]}) is set to train; freeze it in step 2, or let the head read a later layer.`;
  }
  return null;
}
