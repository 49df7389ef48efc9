import { describe, expect, it } from 'vitest';
import { clipsOf, topClass } from './AudioEvalClips';

const blob = (s: string) => new Blob([s]);

describe('clipsOf', () => {
  const clips = [
    { id: 'happy/a.wav', name: 'a.wav', file: blob('a') },
    { id: 'sad/b.wav', name: 'b.wav', file: blob('b') },
  ];

  it('names each prediction by its clip, in the given order', () => {
    const out = clipsOf(
      [
        { id: 'sad/b.wav', actual: 1, predicted: 0, confidence: 0.9 },
        { id: 'happy/a.wav', actual: 1, predicted: 0, confidence: 0.6 },
      ],
      clips,
    );
    expect(out.map((c) => [c.id, c.name, c.confidence])).toEqual([
      ['sad/b.wav', 'b.wav', 0.9],
      ['happy/a.wav', 'a.wav', 0.6],
    ]);
    expect(out[0]?.file).toBe(clips[1]?.file);
  });

  it('keeps a clip that has left the dataset, by its id and with no file', () => {
    const [gone] = clipsOf([{ id: 'angry/c.wav', actual: 0, predicted: 0, confidence: 0.5 }], clips);
    expect(gone).toEqual({ id: 'angry/c.wav', name: 'angry/c.wav', file: null, actual: 0, predicted: 0, confidence: 0.5 });
  });
});

describe('topClass', () => {
  it('finds the most probable class and its label', () => {
    expect(topClass([0.2, 0.7, 0.1], ['a', 'b', 'c'])).toEqual({ index: 1, label: 'b', p: 0.7 });
  });

  it('takes the first on a tie, names an unlabelled class, and gives null for nothing', () => {
    expect(topClass([0.5, 0.5], ['a', 'b'])?.index).toBe(0);
    expect(topClass([0.1, 0.9], ['a'])?.label).toBe('class 1');
    expect(topClass([], ['a'])).toBeNull();
  });
});
