import { zipSync, type Zippable } from 'fflate';
import { describe, expect, it } from 'vitest';
import { StudioError } from '../lib/errors';
import { decodeAudioFile, nonAudioKind, sniffAudio } from './audio-decode';
import {
  audioClassWarnings,
  audioGroupOf,
  formatDuration,
  readAudioFiles,
  readKeptClips,
  validateGroupPattern,
  type AudioDecoder,
} from './audio-ingest';
import type { InputFile } from './ingest';
import { encodeWav } from './wav';

// ── Fixtures ─────────────────────────────────────────────────────────────────────────────────────

type Bytes = Uint8Array;
const file = (path: string, data: Bytes): InputFile => ({ path, data: new Blob([data as Uint8Array<ArrayBuffer>]) });
const files = (tree: Record<string, Bytes>): InputFile[] => Object.entries(tree).map(([path, data]) => file(path, data));
const zipFile = (path: string, tree: Record<string, Bytes>): InputFile => {
  const zippable: Zippable = {};
  for (const [p, data] of Object.entries(tree)) zippable[p] = data;
  return file(path, zipSync(zippable, { level: 6 }));
};
const text = (s: string): Bytes => new TextEncoder().encode(s);

/** A WAV of a sine at `hz` (amplitude `amp`), `seconds` long at `rate`. */
const tone = (seconds = 0.25, hz = 440, amp = 0.5, rate = 8000): Bytes =>
  encodeWav(
    Float32Array.from({ length: Math.round(seconds * rate) }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate)),
    rate,
  );
const silence = (seconds = 0.25, rate = 8000): Bytes => encodeWav(new Float32Array(Math.round(seconds * rate)), rate);

/** The real decoder reads WAV in Node; other formats need the browser. */
const decode: AudioDecoder = decodeAudioFile;
const read = (input: InputFile[], extra: Partial<Parameters<typeof readAudioFiles>[1]> = {}) => readAudioFiles(input, { decode, ...extra });

// ── Layout ───────────────────────────────────────────────────────────────────────────────────────

describe('readAudioFiles: class folders', () => {
  it('reads class folders, strips the folder that holds the whole drop, and ignores side files silently', async () => {
    const r = await read(
      files({
        'voices/angry/v01_01.wav': tone(0.25, 300),
        'voices/angry/v02_01.wav': tone(0.25, 310),
        'voices/happy/v01_02.wav': tone(0.25, 600),
        'voices/happy/v02_02.wav': tone(0.25, 610),
        'voices/README.md': text('# Voices'),
        'voices/LICENSE.txt': text('CC0'),
        'voices/manifest.json': text('{}'),
        'voices/angry/.DS_Store': new Uint8Array([0, 0, 0, 1]),
      }),
    );
    expect(r.warnings).toEqual([]);
    expect(r.clips.map((c) => [c.id, c.label, c.name]).sort()).toEqual([
      ['angry/v01_01.wav', 'angry', 'v01_01.wav'],
      ['angry/v02_01.wav', 'angry', 'v02_01.wav'],
      ['happy/v01_02.wav', 'happy', 'v01_02.wav'],
      ['happy/v02_02.wav', 'happy', 'v02_02.wav'],
    ]);
    expect(r.skipped).toBe(3); // README.md, LICENSE.txt, manifest.json (.DS_Store is junk, not counted)
    const c = r.clips[0]!;
    expect(c.sampleRate).toBe(8000);
    expect(c.seconds).toBeCloseTo(0.25, 6);
    expect(c.samples.length).toBe(2000);
    expect(c.peak).toBeGreaterThan(0.49);
    expect(c.rms).toBeCloseTo(0.5 / Math.SQRT2, 2);
    expect(c.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(c.file.size).toBeGreaterThan(0);
  });

  it('takes the class from the top folder when clips sit in deeper sub-folders, and keeps the path for the speaker key', async () => {
    const r = await read(
      files({
        'angry/v01/take1.wav': tone(),
        'angry/v02/take1.wav': tone(),
        'happy/v01/take1.wav': tone(),
        'happy/take9.wav': tone(),
      }),
    );
    expect(r.clips.map((c) => c.label).sort()).toEqual(['angry', 'angry', 'happy', 'happy']);
    const byId = new Map(r.clips.map((c) => [c.id, c]));
    expect(audioGroupOf(byId.get('angry/v02/take1.wav')!, { kind: 'folder' })).toBe('v02');
    expect(audioGroupOf(byId.get('happy/v01/take1.wav')!, { kind: 'folder' })).toBe('v01');
    // Directly in the class folder: its own group.
    expect(audioGroupOf(byId.get('happy/take9.wav')!, { kind: 'folder' })).toBe('happy/take9.wav');
  });

  it('reads zips of class folders, at the root or inside one top folder, and a zip inside a dropped folder', async () => {
    const tree = { 'angry/a.wav': tone(), 'angry/b.wav': tone(), 'sad/a.wav': tone(), 'sad/b.wav': tone() };
    const plain = await read([zipFile('voices.zip', tree)]);
    expect(plain.clips.map((c) => c.id).sort()).toEqual(['angry/a.wav', 'angry/b.wav', 'sad/a.wav', 'sad/b.wav']);
    const wrapped = await read([zipFile('voices.zip', Object.fromEntries(Object.entries(tree).map(([p, d]) => [`voices/${p}`, d])))]);
    expect(wrapped.clips.map((c) => c.id).sort()).toEqual(plain.clips.map((c) => c.id).sort());
    const inFolder = await read([zipFile('data/voices.zip', tree)]);
    expect(inFolder.clips.map((c) => c.label).sort()).toEqual(['angry', 'angry', 'sad', 'sad']);
  });

  it('keeps a dropped single class folder as a class when that class is already loaded', async () => {
    const input = files({ 'angry/v01/a.wav': tone(), 'angry/v02/a.wav': tone() });
    expect((await read(input)).clips.map((c) => c.label)).toEqual(['v01', 'v02']);
    expect((await read(input, { knownClasses: ['angry'] })).clips.map((c) => c.label)).toEqual(['angry', 'angry']);
  });

  it('leaves out loose clips with no class folder, in a sentence that says to use class folders', async () => {
    const r = await read(files({ 'a.wav': tone(), 'b.wav': tone() }));
    expect(r.clips).toEqual([]);
    expect(r.skipped).toBe(2);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/“a\.wav” and “b\.wav” are not in a class folder.*folders named by their class/);
  });

  it('prefixes ids when asked', async () => {
    const r = await read(files({ 'x/a.wav': tone(), 'x/b.wav': tone() }), { idPrefix: 'd1:' });
    expect(r.clips.map((c) => c.id)).toEqual(['d1:x/a.wav', 'd1:x/b.wav']);
  });
});

// ── Bad input ────────────────────────────────────────────────────────────────────────────────────

describe('readAudioFiles: bad input gets a sentence and never loses the good clips', () => {
  it('skips a corrupt WAV, an empty file and text named .mp3, each named in a warning', async () => {
    const corrupt = tone().slice(0, 30); // RIFF/WAVE header, fmt cut short
    const r = await read(
      files({
        'angry/good1.wav': tone(),
        'angry/good2.wav': tone(),
        'angry/corrupt.wav': corrupt,
        'angry/empty.wav': new Uint8Array(0),
        'angry/notes.mp3': text('These are my notes, not a song.\n'),
      }),
    );
    expect(r.clips.map((c) => c.name)).toEqual(['good1.wav', 'good2.wav']);
    expect(r.skipped).toBe(3);
    expect(r.warnings).toHaveLength(3);
    expect(r.warnings.find((w) => w.includes('corrupt.wav'))).toMatch(/could not be read as a WAV file.*left out/);
    expect(r.warnings.find((w) => w.includes('empty.wav'))).toMatch(/empty \(0 bytes\).*left out/);
    expect(r.warnings.find((w) => w.includes('notes.mp3'))).toMatch(/not sound \(it looks like text\).*left out/);
  });

  it('turns a decoder failure into a warning naming the file (a generic error too)', async () => {
    const failing: AudioDecoder = async (blob, name) => {
      if (name.endsWith('bad.ogg')) throw new Error('EncodingError');
      return decodeAudioFile(blob, name);
    };
    const r = await readAudioFiles(
      files({ 'a/x.wav': tone(), 'a/y.wav': tone(), 'a/bad.ogg': new Uint8Array([0x4f, 0x67, 0x67, 0x53, 1, 2, 3]) }),
      {
        decode: failing,
      },
    );
    expect(r.clips).toHaveLength(2);
    expect(r.warnings).toEqual(['“a/bad.ogg” could not be decoded; the file may be damaged, so it was left out.']);
  });

  it('keeps a 20-minute clip, only its first 60 s of samples, and says so', async () => {
    const rate = 4000;
    const long = encodeWav(
      Float32Array.from({ length: 20 * 60 * rate }, (_, i) => 0.3 * Math.sin(i / 3)),
      rate,
    );
    const r = await read(files({ 'calm/long.wav': long, 'calm/short.wav': tone() }));
    const clip = r.clips.find((c) => c.name === 'long.wav')!;
    expect(clip.seconds).toBeCloseTo(1200, 3);
    expect(clip.samples.length).toBe(60 * rate);
    expect(r.warnings).toEqual(['“calm/long.wav” is 20:00 long: only its first 60 s are used.']);
  });

  it('keeps a silent clip and warns that it is silent', async () => {
    const r = await read(files({ 'calm/quiet.wav': silence(), 'calm/loud.wav': tone() }));
    expect(r.clips).toHaveLength(2);
    expect(r.clips.find((c) => c.name === 'quiet.wav')!.peak).toBe(0);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/“calm\/quiet\.wav” is silent/);
  });

  it('warns about a class with one clip', async () => {
    const r = await read(files({ 'a/1.wav': tone(), 'a/2.wav': tone(), 'b/1.wav': tone() }));
    expect(r.clips).toHaveLength(3);
    expect(r.warnings).toEqual(['Class “b” has one clip: it cannot be on both sides of the split; add more.']);
    expect(audioClassWarnings([{ label: 'x' }, { label: 'y' }, { label: 'y' }])).toHaveLength(1);
  });

  it('refuses a damaged zip as a whole with a sentence', async () => {
    await expect(read([file('voices.zip', text('not a zip at all'))])).rejects.toThrow(
      /could not be opened: it is not a zip file or it is damaged/,
    );
  });
});

// ── Decoding ─────────────────────────────────────────────────────────────────────────────────────

describe('readKeptClips: a project’s clips decoded again', () => {
  it('gives back the clips as read (ids, labels, hashes, samples, levels), and leaves out a file that no longer decodes, named', async () => {
    const r = await read([
      zipFile('drop.zip', { 'set/low/a.wav': tone(0.25, 300), 'set/low/quiet.wav': silence(), 'set/high/b.wav': tone(0.5, 900) }),
    ]);
    const kept = r.clips.map(({ id, name, path, label, file, hash }) => ({ id, name, path, label, file, hash }));
    const broken = { id: 'high/c.wav', name: 'c.wav', path: 'high/c.wav', label: 'high', file: new Blob(['gone']), hash: 'h' };
    const back = await readKeptClips([...kept, broken], decode);
    expect(back.clips).toEqual(r.clips);
    expect(back.warnings).toEqual([
      '“low/quiet.wav” is silent (its loudest sample is below 0.001): check the recording.',
      '“high/c.wav”, kept with this project, could not be decoded again, so it was left out: add it again.',
    ]);
  });
});

describe('decodeAudioFile (WAV path, and refusals)', () => {
  it('mixes stereo to mono at the file’s own rate', async () => {
    const left = Float32Array.from({ length: 100 }, () => 0.5);
    const right = Float32Array.from({ length: 100 }, () => -0.25);
    const d = await decodeAudioFile(new Blob([encodeWav([left, right], 22050, 32) as Uint8Array<ArrayBuffer>]), 'st.wav');
    expect(d.sampleRate).toBe(22050);
    expect(d.samples.length).toBe(100);
    expect(d.samples[50]).toBeCloseTo(0.125, 6);
  });

  it('throws a StudioError naming the file for empty, not-sound and undecodable input', async () => {
    const err = async (blob: Blob, name: string) =>
      decodeAudioFile(blob, name).then(
        () => null,
        (e: unknown) => e,
      );
    const empty = await err(new Blob([]), 'empty.wav');
    expect(empty).toBeInstanceOf(StudioError);
    expect((empty as StudioError).userMessage).toBe('“empty.wav” is empty (0 bytes).');
    const png = await err(new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10])]), 'pic.mp3');
    expect((png as StudioError).userMessage).toMatch(/“pic\.mp3” is not a sound file \(it looks like a PNG image\)/);
    // No Web Audio in Node: an MP3 cannot be decoded here, and the sentence says so.
    const mp3 = await err(new Blob([new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0])]), 'song.mp3');
    expect((mp3 as StudioError).userMessage).toMatch(/“song\.mp3” cannot be decoded here/);
  });

  it('sniffs containers and tells plain non-sound files', () => {
    expect(sniffAudio(tone())).toBe('wav');
    expect(sniffAudio(text('OggS....'))).toBe('ogg');
    expect(sniffAudio(text('fLaC....'))).toBe('flac');
    expect(sniffAudio(new Uint8Array([0xff, 0xfb, 0x90, 0x00]))).toBe('mp3');
    expect(sniffAudio(new Uint8Array([0xff, 0xf1, 0x50, 0x80]))).toBe('aac');
    expect(sniffAudio(new Uint8Array([0x1a, 0x45, 0xdf, 0xa3]))).toBe('webm');
    expect(sniffAudio(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBeNull();
    expect(nonAudioKind(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('a JPEG image');
    expect(nonAudioKind(text('{"files": []}'))).toBe('text');
    expect(nonAudioKind(new Uint8Array([0, 1, 2, 3, 250, 4]))).toBeNull();
  });

  it('formats durations as m:ss', () => {
    expect(formatDuration(0.4)).toBe('0:00');
    expect(formatDuration(75.4)).toBe('1:15');
    expect(formatDuration(1200)).toBe('20:00');
  });
});

// ── Speaker key ──────────────────────────────────────────────────────────────────────────────────

describe('audioGroupOf and validateGroupPattern', () => {
  const clip = { id: 'angry/v07/v07_03.wav', name: 'v07_03.wav', path: 'angry/v07/v07_03.wav' };
  it('finds the group by key', () => {
    expect(audioGroupOf(clip, { kind: 'none' })).toBe(clip.id);
    expect(audioGroupOf(clip, { kind: 'folder' })).toBe('v07');
    expect(audioGroupOf(clip, { kind: 'pattern', pattern: '^(v\\d+)_' })).toBe('v07');
    expect(audioGroupOf(clip, { kind: 'pattern', pattern: 'v\\d+' })).toBe('v07'); // no group: the whole match
    expect(audioGroupOf(clip, { kind: 'pattern', pattern: '^speaker(\\d+)' })).toBe(clip.id); // no match
    expect(audioGroupOf(clip, { kind: 'pattern', pattern: '(' })).toBe(clip.id); // invalid
  });
  it('says in a sentence why a pattern cannot be used', () => {
    expect(validateGroupPattern('^(v\\d+)_')).toBeNull();
    expect(validateGroupPattern('(v\\d+')).toMatch(/is not a valid regular expression/);
    expect(validateGroupPattern('  ')).toMatch(/Type a pattern/);
  });
});
