/**
 * Audio data actions: drops of class folders (folders, zips, the built-in sample) and recordings
 * become decoded clips (src/data/audio-ingest.ts). A drop that gives no clip is refused in a
 * sentence and the clips loaded before stay; a good drop adds its clips (a clip with the same id
 * is replaced). Warnings about files are kept as a list; the one-clip-class warnings are worked out
 * again over the whole dataset after every change.
 */
import { decodeAudioFile } from '../data/audio-decode';
import {
  audioClassWarnings,
  isAudioName,
  readAudioFiles,
  readKeptClips,
  type AudioIngestResult,
  type KeptAudioClip,
} from '../data/audio-ingest';
import { classNames } from '../data/dataset';
import { plural, quote } from '../data/format';
import type { InputFile } from '../data/ingest';
import { userMessageOf } from '../lib/errors';
import { initialAudio } from './audioSlice';
import { fetchSample } from './controller';
import { useStudio } from './store';
import type { AudioClipItem, AudioGroupKey, AudioState } from './types';

const audio = () => useStudio.getState().audio;
const setAudio = (patch: Partial<AudioState>) => useStudio.getState().setAudio(patch);

/** The speaker key of the built-in sample: its files are named v01_03.wav (voice 01, take 03). */
export const SAMPLE_GROUP_KEY: AudioGroupKey = { kind: 'pattern', pattern: '^(v\\d+)_' };

const keptSentence = (n: number) => (n > 0 ? ` The ${plural(n, 'clip')} loaded before ${n === 1 ? 'is' : 'are'} kept.` : '');

/** `clips` with `incoming` added (same id: replaced in place), the class names and the warnings to keep. */
function merged(
  current: AudioState,
  incoming: readonly AudioClipItem[],
  fileWarnings: readonly string[],
): Pick<AudioState, 'clips' | 'classNames' | 'warnings'> {
  const byId = new Map(incoming.map((c) => [c.id, c]));
  const clips = current.clips.map((c) => byId.get(c.id) ?? c);
  const had = new Set(current.clips.map((c) => c.id));
  for (const c of incoming) if (!had.has(c.id)) clips.push(c);
  return withClasses(current, clips, [...current.warnings, ...fileWarnings]);
}

/** The dataset's class names and warnings once its clips are `clips`: one-clip-class warnings redone. */
function withClasses(
  current: AudioState,
  clips: AudioClipItem[],
  warnings: readonly string[],
): Pick<AudioState, 'clips' | 'classNames' | 'warnings'> {
  const stale = new Set(audioClassWarnings(current.clips));
  const kept = warnings.filter((w) => !stale.has(w));
  return { clips, classNames: classNames(clips), warnings: [...new Set([...kept, ...audioClassWarnings(clips)])] };
}

/** The warnings of one drop, less its one-clip-class sentences (redone over the whole dataset). */
const fileWarningsOf = (r: AudioIngestResult) => {
  const classWarnings = new Set(audioClassWarnings(r.clips));
  return r.warnings.filter((w) => !classWarnings.has(w));
};

/** Why a drop that gave no clip is refused, in a sentence. */
function refusal(r: AudioIngestResult, kept: number): string {
  const first = r.warnings[0];
  const why = first
    ? `${first}${r.warnings.length > 1 ? ` (${plural(r.warnings.length - 1, 'other problem')} too.)` : ''}`
    : 'It holds no sound files (.wav, .mp3, .ogg, .flac, .webm) in class folders.';
  return `No clip could be used from this drop. ${why}${keptSentence(kept)}`;
}

/** Reads a drop of class folders and adds its clips; a drop with no usable clip leaves the dataset as it was and says why. */
export async function addAudioFiles(files: InputFile[], projectHint?: string): Promise<void> {
  if (files.length === 0) return;
  setAudio({ busy: true, error: null });
  try {
    const r = await readAudioFiles(files, { decode: decodeAudioFile, knownClasses: audio().classNames });
    const current = audio();
    if (r.clips.length === 0) {
      setAudio({ error: refusal(r, current.clips.length) });
      return;
    }
    const st = useStudio.getState();
    if (current.clips.length === 0 && projectHint && st.images.length === 0) st.setProjectName(projectHint);
    setAudio(merged(current, r.clips, fileWarningsOf(r)));
  } catch (err) {
    setAudio({ error: `${userMessageOf(err)}${keptSentence(audio().clips.length)}` });
  } finally {
    setAudio({ busy: false });
  }
}

/** The built-in sample: four classes of short voices (public/samples/voices), with its speaker key. */
export async function loadAudioSample(): Promise<void> {
  setAudio({ busy: true, error: null });
  let sample: Awaited<ReturnType<typeof fetchSample>>;
  try {
    sample = await fetchSample('voices', 'voices/');
  } catch {
    setAudio({
      busy: false,
      error: `The audio sample could not be loaded. Check that the studio was built with \`npm run build\`, then reload.${keptSentence(audio().clips.length)}`,
    });
    return;
  }
  await addAudioFiles(sample.files, sample.name);
  if (audio().error) return;
  // Said in the model card of every run on it: what the clips are and their licence.
  const note = `the built-in sample “${sample.name}” (public/samples/voices, made by scripts/make-audio-sample.mjs)${sample.licence ? `; licence ${sample.licence}` : ''}`;
  setAudio({ groupKey: SAMPLE_GROUP_KEY, sources: [...audio().sources.filter((s) => s !== note), note] });
}

/** How clips are grouped into speakers for the split. */
export function setAudioGroupKey(key: AudioGroupKey): void {
  setAudio({ groupKey: key });
}

const EXTENSION_BY_TYPE: [RegExp, string][] = [
  [/webm/, 'webm'],
  [/ogg|opus/, 'ogg'],
  [/wav/, 'wav'],
  [/mp4|m4a|aac/, 'm4a'],
  [/mpeg|mp3/, 'mp3'],
];

/** `name`, or `name-2`, `name-3`… when a recording of that name is already in class `label` (names restart with each page load). */
function freeName(label: string, name: string): string {
  const ids = new Set(audio().clips.map((c) => c.id));
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  let candidate = name;
  for (let n = 2; ids.has(`recording/${label}/${candidate}`); n++) candidate = `${stem}-${n}${ext}`;
  return candidate;
}

/** A recording (from the microphone) decoded and added to class `label` as `recording/<label>/<name>`. */
export async function addRecording(label: string, blob: Blob, name: string): Promise<void> {
  const cls = label.trim().replace(/[/\\]+/g, '-');
  if (!cls) {
    setAudio({ error: 'Choose the class the recording belongs to, then record again.' });
    return;
  }
  const ext = EXTENSION_BY_TYPE.find(([re]) => re.test(blob.type))?.[1] ?? 'webm';
  const base = name.replace(/[/\\]+/g, '-') || 'recording';
  const fileName = freeName(cls, isAudioName(base) ? base : `${base}.${ext}`);
  setAudio({ busy: true, error: null });
  try {
    const r = await readAudioFiles([{ path: `${cls}/${fileName}`, data: blob }], { decode: decodeAudioFile, idPrefix: 'recording/' });
    if (r.clips.length === 0) {
      setAudio({ error: `The recording could not be used: ${r.warnings[0] ?? 'it holds no sound.'} Try recording again.` });
      return;
    }
    setAudio(merged(audio(), r.clips, fileWarningsOf(r)));
  } catch (err) {
    setAudio({ error: `The recording could not be used: ${userMessageOf(err)}` });
  } finally {
    setAudio({ busy: false });
  }
}

/** True when warning `w` names one of `paths` (as given, perhaps under a folder that wrapped the drop). */
const names = (w: string, paths: readonly string[]) => paths.some((p) => w.includes(`“${p}”`) || w.includes(`/${p}”`));

/** Removes every clip of a class (and the warnings about its files). */
export function removeAudioClass(label: string): void {
  const current = audio();
  const clips = current.clips.filter((c) => c.label !== label);
  const inClass = (w: string) => w.includes(`“${label}/`) || w.includes(`/${label}/`) || w.includes(`Class ${quote(label)} `);
  setAudio({
    ...withClasses(
      current,
      clips,
      current.warnings.filter((w) => !inClass(w)),
    ),
    error: null,
  });
}

/** Removes one clip (and the warnings that name it). */
export function removeAudioClip(id: string): void {
  const current = audio();
  const gone = current.clips.filter((c) => c.id === id).map((c) => c.path);
  if (gone.length === 0) return;
  const clips = current.clips.filter((c) => c.id !== id);
  setAudio({
    ...withClasses(
      current,
      clips,
      current.warnings.filter((w) => !names(w, gone)),
    ),
    error: null,
  });
}

/** Removes every clip (the speaker key stays). */
export function clearAudio(): void {
  setAudio({ clips: [], classNames: [], warnings: [], sources: [], error: null });
}

/** The audio data of a project with none: no clips, no speaker key, no results. */
export function resetAudioData(): void {
  setAudio(initialAudio());
}

/**
 * A reopened project's clips (read back from IndexedDB) decoded again, with its speaker key and
 * sources; a file that no longer decodes is left out and named in a warning.
 */
export async function restoreAudioClips(
  kept: readonly KeptAudioClip[],
  stored: { groupKey: AudioGroupKey; sources: string[] } | null,
): Promise<void> {
  resetAudioData();
  setAudio({ groupKey: stored?.groupKey ?? { kind: 'none' }, sources: stored?.sources ?? [] });
  if (kept.length === 0) return;
  setAudio({ busy: true });
  try {
    const r = await readKeptClips(kept, decodeAudioFile);
    setAudio({ clips: r.clips, classNames: classNames(r.clips), warnings: [...new Set([...r.warnings, ...audioClassWarnings(r.clips)])] });
  } catch (err) {
    setAudio({ error: `The clips kept with this project could not be read back (${userMessageOf(err)}); add them again.` });
  } finally {
    setAudio({ busy: false });
  }
}
