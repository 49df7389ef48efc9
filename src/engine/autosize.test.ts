import { describe, expect, it } from 'vitest';
import { autoInputSize } from './autosize';

describe('autoInputSize', () => {
  it('keeps small pictures small and photos at full size', () => {
    expect(autoInputSize([56, 56, 56])).toBe(96);
    expect(autoInputSize([64])).toBe(96);
    expect(autoInputSize([80])).toBe(128);
    expect(autoInputSize([100])).toBe(160);
    expect(autoInputSize([640, 480, 1024])).toBe(224);
    expect(autoInputSize([])).toBe(224);
  });
});
