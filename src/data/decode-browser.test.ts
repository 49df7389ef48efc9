import { describe, expect, it } from 'vitest';
import { centerCropBox } from './decode-browser';

describe('centerCropBox', () => {
  it('takes the largest centred square', () => {
    expect(centerCropBox(640, 480)).toEqual({ sx: 80, sy: 0, sw: 480, sh: 480 });
    expect(centerCropBox(300, 501)).toEqual({ sx: 0, sy: 100, sw: 300, sh: 300 });
    expect(centerCropBox(64, 64)).toEqual({ sx: 0, sy: 0, sw: 64, sh: 64 });
  });
});
