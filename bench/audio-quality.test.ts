import { describe, expect, it } from 'vitest';
import { audioQualityMarkdown, recallScores } from './audio-quality.mjs';

describe('audio quality arithmetic', () => {
  it('counts accuracy, recall per class and their unweighted mean by hand', () => {
    const labels = ['a', 'b', 'c'];
    // a: 3 clips, 2 right; b: 1 clip, right; c: 2 clips, none right.
    const s = recallScores(labels, ['a', 'a', 'a', 'b', 'c', 'c'], ['a', 'a', 'b', 'b', 'a', 'b']);
    expect(s.accuracy).toBeCloseTo(3 / 6);
    expect(s.recall).toEqual([2 / 3, 1, 0]);
    expect(s.uar).toBeCloseTo((2 / 3 + 1 + 0) / 3);
    expect(s.confusion).toEqual([
      [2, 1, 0],
      [0, 1, 0],
      [1, 1, 0],
    ]);
  });

  it('leaves a class without clips out of the mean', () => {
    expect(recallScores(['a', 'b'], ['a', 'a'], ['a', 'b']).uar).toBe(0.5);
  });

  it('says a failed model in its row', () => {
    expect(audioQualityMarkdown([{ model: 'small-cnn', label: 'Small', error: 'no model' }])).toContain('failed: no model');
    expect(audioQualityMarkdown([])).toBe('');
  });
});
