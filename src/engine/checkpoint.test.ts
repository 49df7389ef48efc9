import { describe, expect, it } from 'vitest';
import { heldWeights, type Checkpoint } from './checkpoint';

// Two layer weights (2 values and 1 value) and an optimizer moment (3 values).
const specs = [
  { layer: 'head_dense', index: 0, shape: [2] },
  { layer: 'head_dense', index: 1, shape: [1] },
  { layer: '#opt-head', index: 0, shape: [3] },
];
const cp = (over: Partial<Checkpoint> = {}): Checkpoint => ({
  epoch: 5,
  specs,
  weights: new Float32Array([1, 2, 3, 9, 9, 9]).buffer,
  optimizerSteps: { head: 10, backbone: 0 },
  ...over,
});
const best = new Float32Array([7, 8, 6]).buffer;

describe('heldWeights: the weights a finished run’s model held, from its stored checkpoint', () => {
  it('takes a final checkpoint as it is', () => {
    const final = cp({ final: true, stopping: { bestValue: 0.9, bestEpoch: 3, sinceBest: 2, bestWeights: best } });
    expect(heldWeights(final, 3)).toBe(final);
  });

  it('takes the best epoch’s weights from an older checkpoint when early stopping restored them', () => {
    const older = cp({ stopping: { bestValue: 0.9, bestEpoch: 3, sinceBest: 2, bestWeights: best } });
    const held = heldWeights(older, 3);
    expect(held.epoch).toBe(3);
    expect(held.specs.map((s) => s.layer)).toEqual(['head_dense', 'head_dense']);
    expect([...new Float32Array(held.weights)]).toEqual([7, 8, 6]);
  });

  it('keeps the last epoch’s weights when the model held them', () => {
    const older = cp({ stopping: { bestValue: 0.9, bestEpoch: 5, sinceBest: 0, bestWeights: best } });
    expect(heldWeights(older, 5)).toBe(older);
    expect(heldWeights(cp(), null)).toEqual(cp());
  });
});
